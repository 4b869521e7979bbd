// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The Cedar half of the side-by-side comparison (bench/side_by_side.sh):
//
//   node side_by_side.mjs --work DIR --workload DIR [--rounds R]
//
// Decides every request of a generated workload (DIR/policies.cedar, entities.json,
// requests.jsonl, written by `mandate_workload generate --cedar-only`) with
// @cedar-policy/cedar-wasm, pinned by tests/cedar_wasm/package-lock.json and installed into
// --work, through its fastest reuse path: the policy set parsed once (preparsePolicySet), each
// request decided by statefulIsAuthorized with only the entities it can reach (the principal,
// action and resource, what the context names, and transitively their parents and the
// entities their attributes name). The call objects, slices included, are built before the
// timing, so only the authorization call is timed. Then it compares every decision and its
// determining policies with DIR/mandate.jsonl (written by `mandate_workload time`), and prints
// one JSON line: {"requests", "agree", "disagree", "p50_ns", "p99_ns", "mean_ns"}.
// Exit 0 when every decision agrees, 1 otherwise, 77 when cedar-wasm cannot be installed.

import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";

import {
  EntityStore,
  callCedar,
  collectUids,
  ensureInstalled,
  loadCedar,
  parseJson,
} from "../tests/cedar_wasm/differential.mjs";

function parseArgs(argv) {
  const out = { rounds: "20" };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!["--work", "--workload", "--rounds"].includes(flag) || i + 1 >= argv.length) {
      process.stderr.write("usage: node side_by_side.mjs --work DIR --workload DIR [--rounds R]\n");
      process.exit(2);
    }
    out[flag.slice(2)] = argv[i + 1];
  }
  if (!out.work || !out.workload) {
    process.stderr.write("side_by_side.mjs: --work and --workload are required\n");
    process.exit(2);
  }
  return out;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  ensureInstalled(args.work);
  const cedar = loadCedar(args.work);
  const dir = args.workload;
  const rounds = Math.max(1, Number(args.rounds));

  const policies = fs.readFileSync(path.join(dir, "policies.cedar"), "utf8");
  // Every generated policy has an @id, so Cedar is given them one by one under those ids.
  const staticPolicies = {};
  for (const chunk of policies.split(/;\n/)) {
    const text = chunk.trim();
    if (!text) continue;
    const id = /@id\("([^"]+)"\)/.exec(text)?.[1];
    if (!id) throw new Error(`a generated policy without @id: ${text.slice(0, 80)}`);
    staticPolicies[id] = `${text};`;
  }
  const prepared = callCedar(cedar.preparsePolicySet, "bench", { staticPolicies });
  if (prepared.type !== "success") throw new Error(`cedar-wasm refused the policies: ${JSON.stringify(prepared.errors)}`);

  const store = new EntityStore(parseJson(fs.readFileSync(path.join(dir, "entities.json"), "utf8"), "entities.json"));
  const requests = fs
    .readFileSync(path.join(dir, "requests.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
  const calls = requests.map((r) => {
    const roots = [r.principal, r.action, r.resource];
    collectUids(r.context, roots);
    return {
      principal: r.principal,
      action: r.action,
      resource: r.resource,
      context: r.context,
      preparsedPolicySetId: "bench",
      entities: store.slice(roots),
    };
  });

  // Decisions first (also a warm-up round), then the timed rounds.
  const answers = calls.map((call) => {
    const answer = cedar.statefulIsAuthorized(call);
    if (answer.type !== "success") return { decision: `failure: ${JSON.stringify(answer.errors)}`, reasons: [] };
    return { decision: answer.response.decision, reasons: [...answer.response.diagnostics.reason].sort() };
  });
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    for (const call of calls) {
      const start = performance.now();
      cedar.statefulIsAuthorized(call);
      samples.push((performance.now() - start) * 1e6);
    }
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;

  const mandate = fs
    .readFileSync(path.join(dir, "mandate.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
  let agree = 0;
  const disagreements = [];
  answers.forEach((cedarAnswer, i) => {
    const m = mandate[i];
    const same =
      m !== undefined &&
      m.decision === cedarAnswer.decision &&
      m.reasons.length === cedarAnswer.reasons.length &&
      m.reasons.every((r, k) => r === cedarAnswer.reasons[k]);
    if (same) {
      agree++;
    } else {
      disagreements.push(`request ${i + 1}: cedar ${JSON.stringify(cedarAnswer)}, mandate ${JSON.stringify(m)}`);
    }
  });
  for (const d of disagreements.slice(0, 10)) process.stderr.write(`${d}\n`);
  const allows = answers.filter((a) => a.decision === "allow").length;
  console.log(
    JSON.stringify({
      requests: answers.length,
      allows,
      agree,
      disagree: disagreements.length,
      p50_ns: Math.round(samples[Math.floor(samples.length / 2)]),
      p99_ns: Math.round(samples[Math.floor((samples.length * 99) / 100)]),
      mean_ns: Math.round(mean),
    }),
  );
  process.exitCode = disagreements.length === 0 ? 0 : 1;
}

main();
