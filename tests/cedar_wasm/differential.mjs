// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Differential check of `mandate eval --mode cedar` against Cedar itself, through the
// @cedar-policy/cedar-wasm package pinned in package.json / package-lock.json beside this file.
//
//   node differential.mjs --work DIR --mandate CLI --policies FILE|DIR --entities FILE
//                         [--schema FILE] --requests FILE.jsonl
//   node differential.mjs --work DIR --mandate CLI --corpus DIR [--limit N]
//   (either form also takes --max-shown N: how many disagreements to print, 200 by default)
//
// --work DIR   the build folder cedar-wasm is installed into (package.json and package-lock.json
//              are copied there and `npm ci --no-audit --no-fund` runs when node_modules is absent
//              or stale). Exit 77 with `skipped: ...` when the registry cannot be reached.
// --corpus DIR a folder where an archive of Cedar's integration tests was unpacked: every
//              `<test>.json` under it (sorted by path; `*.entities.json` and sample-data/ are not
//              tests) names its policies, entities, schema and requests, relative to DIR;
//              --limit N replays the first N.
//
// Every request goes through cedar-wasm (statefulIsAuthorized on a preparsed policy set and
// schema) and through one `mandate eval --mode cedar --requests -` subprocess per policy set,
// fed line by line. Decision, determining policies and erroring policies must be equal (the
// two id lists compared as sets); a request both sides refuse (Cedar's "failure", Mandate's
// {"error": ...} line or refusal of the whole set) also agrees. One line per disagreement, then
// a summary by category, then `cedar-wasm differential: N passed, M failed`; exit 0 only when
// M == 0. See README.md for policy ids, entity slicing and 64-bit integers.

import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXIT_SKIPPED = 77;

// ---------------------------------------------------------------------------------------------
// Command line

function usage(message) {
  if (message) process.stderr.write(`differential.mjs: ${message}\n`);
  process.stderr.write(
    "usage: node differential.mjs --work DIR --mandate CLI (--policies FILE|DIR --entities FILE " +
      "[--schema FILE] --requests FILE.jsonl | --corpus DIR [--limit N]) [--max-shown N]\n",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const known = new Set(["work", "mandate", "policies", "entities", "schema", "requests", "corpus", "limit", "max-shown"]);
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith("--") || !known.has(flag.slice(2))) usage(`unknown argument ${flag}`);
    if (i + 1 >= argv.length) usage(`${flag} needs a value`);
    out[flag.slice(2)] = argv[++i];
  }
  if (!out.work || !out.mandate) usage("--work and --mandate are required");
  if (out.corpus) {
    if (out.policies || out.requests) usage("--corpus replaces --policies/--entities/--schema/--requests");
  } else if (!out.policies || !out.entities || !out.requests) {
    usage("--policies, --entities and --requests are required without --corpus");
  }
  for (const key of ["limit", "max-shown"]) {
    if (out[key] !== undefined && !/^\d+$/.test(out[key])) usage(`--${key} takes a number`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Installing cedar-wasm into the work folder

function readOrNull(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function skip(reason) {
  console.log(`cedar-wasm differential: skipped: ${reason}`);
  process.exit(EXIT_SKIPPED);
}

export function ensureInstalled(work) {
  fs.mkdirSync(work, { recursive: true });
  const pkg = fs.readFileSync(path.join(HERE, "package.json"), "utf8");
  const lock = fs.readFileSync(path.join(HERE, "package-lock.json"), "utf8");
  const wanted = JSON.parse(lock).packages["node_modules/@cedar-policy/cedar-wasm"].version;
  const installed = readOrNull(path.join(work, "node_modules/@cedar-policy/cedar-wasm/package.json"));
  const fresh =
    readOrNull(path.join(work, "package.json")) === pkg &&
    readOrNull(path.join(work, "package-lock.json")) === lock &&
    fs.existsSync(path.join(work, "node_modules/.package-lock.json")) &&
    installed !== null &&
    JSON.parse(installed).version === wanted;
  if (fresh) return;

  fs.writeFileSync(path.join(work, "package.json"), pkg);
  fs.writeFileSync(path.join(work, "package-lock.json"), lock);
  // Bounded retries so that an unreachable registry is reported in about a minute, not after
  // npm's default five-minute fetch timeout (the caller's own npm settings win).
  const env = { ...process.env };
  env.npm_config_fetch_retries ??= "1";
  env.npm_config_fetch_timeout ??= "60000";
  const started = Date.now();
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: work, env, encoding: "utf8" });
  const output = `${npm.stdout ?? ""}${npm.stderr ?? ""}`;
  if (npm.error) {
    if (npm.error.code === "ENOENT") skip("npm is not installed");
    throw npm.error;
  }
  if (npm.status !== 0) {
    const unreachable =
      /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)|ERR_SOCKET_TIMEOUT|FetchError|network|request to \S+ failed/i;
    const tail = output.trim().split("\n").slice(-12).join("\n");
    if (unreachable.test(output)) {
      skip(`npm ci could not reach the registry to install @cedar-policy/cedar-wasm ${wanted}:\n${tail}`);
    }
    process.stderr.write(`differential.mjs: npm ci failed in ${work} (exit ${npm.status}):\n${tail}\n`);
    process.exit(1);
  }
  console.log(`installed @cedar-policy/cedar-wasm ${wanted} into ${work} (${Date.now() - started} ms)`);
}

export function loadCedar(work) {
  const require = createRequire(path.join(path.resolve(work), "package.json"));
  return require("@cedar-policy/cedar-wasm/nodejs");
}

// ---------------------------------------------------------------------------------------------
// Lossless JSON. Cedar's integers are 64-bit and the corpus reaches +-2^63, which a JS number
// cannot hold. Numbers that are not safe integers (and every number with a fraction or an
// exponent, which Cedar rejects) are kept as their source text and written back verbatim.

class RawNumber {
  constructor(text) {
    this.text = text;
  }
}

export function parseJson(text, where) {
  let i = 0;
  const fail = (what) => {
    throw new Error(`${where}: invalid JSON at offset ${i}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = Object.create(null);
      ws();
      if (text[i] === "}") return i++, obj;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key");
        const key = string();
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        obj[key] = value();
        ws();
        const sep = text[i++];
        if (sep === "}") return obj;
        if (sep !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      ws();
      if (text[i] === "]") return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") return arr;
        if (sep !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      const n = Number(m[0]);
      return /^-?\d+$/.test(m[0]) && Number.isSafeInteger(n) ? n : new RawNumber(m[0]);
    }
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) return (i += word.length), v;
    }
    fail("unexpected character");
  };
  const string = () => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail("unterminated string");
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return v;
}

const nativeStringify = JSON.stringify;

function stringify(v) {
  if (v instanceof RawNumber) return v.text;
  if (v === null || typeof v !== "object") return nativeStringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : stringify(x))).join(",")}]`;
  const parts = [];
  for (const key of Object.keys(v)) {
    if (v[key] !== undefined) parts.push(`${nativeStringify(key)}:${stringify(v[key])}`);
  }
  return `{${parts.join(",")}}`;
}

// cedar-wasm hands its arguments to Rust through JSON.stringify (wasm-bindgen's serde bridge);
// for the duration of a call, JSON.stringify writes RawNumbers verbatim.
export function callCedar(fn, ...args) {
  JSON.stringify = (value, replacer, space) =>
    replacer === undefined && space === undefined ? stringify(value) : nativeStringify(value, replacer, space);
  try {
    return fn(...args);
  } finally {
    JSON.stringify = nativeStringify;
  }
}

// ---------------------------------------------------------------------------------------------
// Policies and their ids.
//
// Mandate names a policy by its @id annotation, or else `policyN` with N its position in the
// whole set (policies and templates, across files). Cedar's parser assigns `policyN` to every
// policy of a text. When no policy has @id and there is a single file, Cedar gets the text as
// it is and assigns its own ids (so Mandate's positional numbering is checked against Cedar's).
// Otherwise the text is split into its policies here (a `;` outside strings and comments ends a
// policy), each policy's id is computed as Mandate computes it (the annotation read through
// cedar-wasm's policyToJson / templateToJson), and Cedar gets {id: policy text} maps.

function splitPolicies(text) {
  const chunks = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === ";") {
      chunks.push(text.slice(start, i + 1));
      start = ++i;
    } else {
      i++;
    }
  }
  const rest = text.slice(start);
  if (rest.replace(/\/\/[^\n]*/g, "").trim() !== "") chunks.push(rest); // a policy missing its `;`
  return chunks;
}

function policyFiles(p) {
  if (!fs.statSync(p).isDirectory()) return [p];
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(cedar|mandate)$/.test(entry.name)) out.push(full);
    }
  };
  walk(p);
  return out.sort();
}

// Collects every entity uid written in a JSON value: {"__entity": {type, id}}, and {type, id}
// objects (the schema-directed form, and the scope constraints of Cedar's policy JSON).
export function collectUids(value, into) {
  if (value === null || typeof value !== "object" || value instanceof RawNumber) return;
  if (Array.isArray(value)) {
    for (const item of value) collectUids(item, into);
    return;
  }
  if (value.__entity && typeof value.__entity === "object") {
    into.push(value.__entity);
    return;
  }
  if (value.__extn) return;
  if (typeof value.type === "string" && typeof value.id === "string") into.push(value);
  for (const key of Object.keys(value)) collectUids(value[key], into);
}

// Returns {policies: cedar-wasm PolicySet, literalUids: uids named in the policies, split: bool}.
export function cedarPolicySet(cedar, policiesPath) {
  const files = policyFiles(policiesPath);
  const texts = files.map((f) => fs.readFileSync(f, "utf8"));
  const chunks = texts.flatMap(splitPolicies);
  const literalUids = [];
  const parsed = chunks.map((text, position) => {
    let answer = cedar.policyToJson(text);
    let template = false;
    if (answer.type !== "success") {
      const asTemplate = cedar.templateToJson(text);
      if (asTemplate.type === "success") {
        answer = asTemplate;
        template = true;
      }
    }
    const json = answer.type === "success" ? answer.json : null;
    if (json) collectUids(json, literalUids);
    const annotated = json?.annotations?.id;
    return { text, template, id: annotated !== undefined ? annotated : `policy${position}` };
  });
  const needsSplit = files.length !== 1 || parsed.some((p, i) => p.template || p.id !== `policy${i}`);
  if (!needsSplit) return { policies: { staticPolicies: texts[0] }, literalUids, split: false };
  const staticPolicies = {};
  const templates = {};
  for (const p of parsed) (p.template ? templates : staticPolicies)[p.id] = p.text;
  return { policies: { staticPolicies, templates }, literalUids, split: true };
}

// ---------------------------------------------------------------------------------------------
// Entities: cedar-wasm takes the entities on every call, so each call gets the slice a request
// can reach: the principal, action and resource, the entities the context and the policies name,
// and, transitively, the parents of each and the entities their attributes and tags name. An
// entity outside that slice cannot influence the evaluation, so the slice decides as the whole
// store does (Mandate is given the whole file).

const uidKey = (uid) => {
  const u = uid && uid.__entity ? uid.__entity : uid;
  return u && typeof u.type === "string" && typeof u.id === "string" ? `${u.type}::${nativeStringify(u.id)}` : null;
};

export class EntityStore {
  constructor(entities) {
    this.entities = Array.isArray(entities) ? entities : [];
    this.byKey = new Map();
    this.entities.forEach((e, index) => {
      const key = uidKey(e?.uid);
      if (key === null) return;
      if (!this.byKey.has(key)) this.byKey.set(key, []);
      this.byKey.get(key).push(index);
    });
  }

  slice(roots) {
    const keep = new Set();
    const seen = new Set();
    const queue = [...roots];
    while (queue.length) {
      const key = uidKey(queue.pop());
      if (key === null || seen.has(key)) continue;
      seen.add(key);
      for (const index of this.byKey.get(key) ?? []) {
        keep.add(index);
        const e = this.entities[index];
        const refs = [];
        collectUids(e.parents, refs);
        collectUids(e.attrs, refs);
        collectUids(e.tags, refs);
        queue.push(...refs);
      }
    }
    return [...keep].sort((a, b) => a - b).map((i) => this.entities[i]);
  }
}

// ---------------------------------------------------------------------------------------------
// The two engines

// Runs `mandate eval --mode cedar` once over all the requests, streaming them on stdin.
// Resolves to one answer per request.
function runMandate(cli, { policies, entities, schema }, requests) {
  return new Promise((resolve) => {
    const args = ["eval", "--mode", "cedar", "--policies", policies, "--entities", entities];
    if (schema) args.push("--schema", schema);
    args.push("--requests", "-");
    const child = spawn(cli, args, { stdio: ["pipe", "pipe", "pipe"] });
    const lines = [];
    let stderr = "";
    let spawnError = null;
    child.on("error", (e) => (spawnError = e));
    child.stderr.on("data", (d) => (stderr += d));
    const rl = readline.createInterface({ input: child.stdout });
    rl.on("line", (line) => lines.push(line));
    child.stdin.on("error", () => {}); // the CLI may exit early (exit 2) and close its stdin
    for (const r of requests) child.stdin.write(`${stringify(forMandate(r))}\n`);
    child.stdin.end();
    child.on("close", (code) => {
      const answers = requests.map((_, i) => {
        if (i >= lines.length) {
          if (spawnError) return { refused: `mandate did not run: ${spawnError.message}`, whole: true };
          const diagnostic = /error\[[^\]]+\]: [^\n]*/.exec(stderr);
          return { refused: diagnostic ? diagnostic[0] : `exit ${code}: ${firstLines(stderr, 3)}`, whole: true };
        }
        let out;
        try {
          out = JSON.parse(lines[i]);
        } catch {
          return { refused: `unreadable line: ${lines[i]}` };
        }
        if (typeof out.decision === "string") {
          return {
            decision: out.decision,
            reasons: [...new Set(out.reasons ?? [])].sort(),
            errors: [...new Set((out.errors ?? []).map((e) => e.policy))].sort(),
            messages: Object.fromEntries((out.errors ?? []).map((e) => [e.policy, e.message])),
          };
        }
        return { refused: String(out.error ?? lines[i]) };
      });
      resolve(answers);
    });
  });
}

// The request as Mandate reads it: the corpus's expected answers are left out.
function forMandate(r) {
  const { decision, reason, errors, ...rest } = r;
  return rest;
}

function firstLines(text, n) {
  return text.trim().split("\n").slice(0, n).join(" | ") || "(no output)";
}

function errorText(errors) {
  return (errors ?? []).map((e) => e.message + (e.help ? ` (${e.help})` : "")).join("; ") || "(no message)";
}

let preparedSets = 0;

// Prepares one policy set (and schema) in cedar-wasm; returns a function deciding a request.
function cedarAuthorizer(cedar, { policies, entities, schema }) {
  const pset = cedarPolicySet(cedar, policies);
  const id = `set${preparedSets++}`;
  const prepared = callCedar(cedar.preparsePolicySet, id, pset.policies);
  let schemaName;
  let schemaFailure = null;
  if (schema) {
    const text = fs.readFileSync(schema, "utf8");
    const schemaValue = schema.endsWith(".json") ? parseJson(text, schema) : text;
    schemaName = id;
    const answer = callCedar(cedar.preparseSchema, schemaName, schemaValue);
    if (answer.type !== "success") schemaFailure = `schema does not parse: ${errorText(answer.errors)}`;
  }
  let store;
  let storeFailure = null;
  try {
    store = new EntityStore(parseJson(fs.readFileSync(entities, "utf8"), entities));
  } catch (e) {
    storeFailure = e.message;
  }
  return (request) => {
    if (prepared.type !== "success") return { refused: `policies do not parse: ${errorText(prepared.errors)}`, whole: true };
    if (schemaFailure) return { refused: schemaFailure, whole: true };
    if (storeFailure) return { refused: storeFailure, whole: true };
    const context = request.context ?? {};
    const roots = [request.principal, request.action, request.resource];
    collectUids(context, roots);
    roots.push(...pset.literalUids);
    const call = {
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context,
      preparsedPolicySetId: id,
      entities: store.slice(roots),
    };
    if (schemaName) {
      call.preparsedSchemaName = schemaName;
      call.validateRequest = request.validateRequest ?? true;
    }
    const answer = callCedar(cedar.statefulIsAuthorized, call);
    if (answer.type !== "success") return { refused: errorText(answer.errors) };
    const { decision, diagnostics } = answer.response;
    return {
      decision,
      reasons: [...new Set(diagnostics.reason)].sort(),
      errors: [...new Set(diagnostics.errors.map((e) => e.policyId))].sort(),
      messages: Object.fromEntries(diagnostics.errors.map((e) => [e.policyId, e.error.message])),
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Comparing

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function show(answer) {
  if (answer.refused !== undefined) return `refused (${answer.refused})`;
  return `${answer.decision} reasons=[${answer.reasons.join(",")}] errors=[${answer.errors.join(",")}]`;
}

// Groups a message by its shape: quoted names, numbers and entity ids are blanked.
function shape(message) {
  return String(message)
    .replace(/"(?:[^"\\]|\\.)*"/g, '"_"')
    .replace(/`[^`]*`/g, "`_`")
    .replace(/\b(policy)?\d+\b/g, "N")
    .slice(0, 160);
}

// Returns null when the two answers agree, else {category, detail}.
function compare(cedar, mandate) {
  const cRefused = cedar.refused !== undefined;
  const mRefused = mandate.refused !== undefined;
  if (cRefused && mRefused) return null;
  if (cRefused) return { category: `cedar refuses, mandate decides: ${shape(cedar.refused)}` };
  if (mRefused) {
    const what = mandate.whole ? "mandate refuses the whole input" : "mandate refuses the request";
    return { category: `${what}, cedar decides: ${shape(mandate.refused)}` };
  }
  const differs = [];
  if (cedar.decision !== mandate.decision) differs.push("decision");
  if (!same(cedar.reasons, mandate.reasons)) differs.push("reasons");
  if (!same(cedar.errors, mandate.errors)) differs.push("errors");
  if (differs.length === 0) return null;
  const onlyC = cedar.errors.filter((p) => !mandate.errors.includes(p));
  const onlyM = mandate.errors.filter((p) => !cedar.errors.includes(p));
  const notes = [];
  for (const p of onlyC) notes.push(`cedar error ${p}: ${cedar.messages[p]}`);
  for (const p of onlyM) notes.push(`mandate error ${p}: ${mandate.messages[p]}`);
  let category = `${differs.join("+")} differ`;
  if (onlyC.length && !onlyM.length) category += `; only cedar errs: ${shape(cedar.messages[onlyC[0]])}`;
  else if (onlyM.length && !onlyC.length) category += `; only mandate errs: ${shape(mandate.messages[onlyM[0]])}`;
  else if (onlyC.length && onlyM.length) category += "; both err on different policies";
  return { category, detail: notes.join(" | ") };
}

class Tally {
  constructor(maxShown) {
    this.passed = 0;
    this.failed = 0;
    this.maxShown = maxShown;
    this.categories = new Map();
  }

  record(label, description, cedar, mandate, note = "") {
    const diff = compare(cedar, mandate);
    if (!diff) {
      this.passed++;
      return;
    }
    this.failed++;
    const category = diff.category + note;
    const entry = this.categories.get(category) ?? { count: 0, first: label };
    entry.count++;
    this.categories.set(category, entry);
    if (this.failed <= this.maxShown) {
      const detail = diff.detail ? ` || ${diff.detail}` : "";
      console.log(`DIFF ${label} ${nativeStringify(description ?? "")}: cedar: ${show(cedar)} | mandate: ${show(mandate)}${detail}`);
    }
  }

  finish(extra = []) {
    if (this.failed > this.maxShown) console.log(`(${this.failed - this.maxShown} more disagreements not shown)`);
    if (this.categories.size) {
      console.log("disagreements by category:");
      const sorted = [...this.categories].sort((a, b) => b[1].count - a[1].count);
      for (const [category, { count, first }] of sorted) console.log(`  ${count} x ${category} (first: ${first})`);
    }
    for (const line of extra) console.log(line);
    console.log(`cedar-wasm differential: ${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 ? 0 : 1;
  }
}

// ---------------------------------------------------------------------------------------------
// The two modes

async function replayOne(cedar, cli, inputs, requests, tally, labelOf, note = "") {
  const mandatePending = runMandate(cli, inputs, requests);
  const decide = cedarAuthorizer(cedar, inputs);
  const cedarAnswers = requests.map((r) => decide(r));
  const mandateAnswers = await mandatePending;
  requests.forEach((r, i) => tally.record(labelOf(i), r.description, cedarAnswers[i], mandateAnswers[i], note));
  return cedarAnswers;
}

async function runRequestsFile(cedar, args, tally) {
  const text = fs.readFileSync(args.requests, "utf8");
  const requests = [];
  text.split("\n").forEach((line, n) => {
    if (line.trim() === "") return;
    requests.push(parseJson(line, `${args.requests}:${n + 1}`));
  });
  const inputs = { policies: args.policies, entities: args.entities, schema: args.schema };
  await replayOne(cedar, args.mandate, inputs, requests, tally, (i) => `#${i}`);
  return [];
}

function corpusTests(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "sample-data") walk(full);
      } else if (entry.name.endsWith(".json") && !entry.name.endsWith(".entities.json")) {
        out.push(full);
      }
    }
  };
  walk(root);
  return out.sort();
}

async function runCorpus(cedar, args, tally) {
  const root = args.corpus;
  let tests = corpusTests(root);
  if (args.limit !== undefined) tests = tests.slice(0, Number(args.limit));
  // The corpus records Cedar's own answers: cedar-wasm must reproduce them, which checks this
  // harness (entity slicing, ids, 64-bit integers) rather than Mandate.
  let expectedSame = 0;
  const expectedDiffer = [];
  let requestCount = 0;
  for (const file of tests) {
    const name = path.relative(root, file);
    const test = parseJson(fs.readFileSync(file, "utf8"), file);
    const inputs = {
      policies: path.join(root, test.policies),
      entities: path.join(root, test.entities),
      schema: test.schema ? path.join(root, test.schema) : undefined,
    };
    const requests = test.requests ?? [];
    requestCount += requests.length;
    // Both sides get the schema, also for a test whose policies do not validate against it
    // (shouldValidate: false): Cedar evaluates those anyway, and so does `mandate eval --mode
    // cedar --schema`. Categories say which tests those are.
    const note = test.shouldValidate === false ? " [shouldValidate: false]" : "";
    const answers = await replayOne(cedar, args.mandate, inputs, requests, tally, (i) => `${name}#${i}`, note);
    requests.forEach((r, i) => {
      if (r.decision === undefined) return;
      const want = {
        decision: r.decision,
        reasons: [...new Set(r.reason ?? [])].sort(),
        errors: [...new Set(r.errors ?? [])].sort(),
        messages: {},
      };
      if (compare(want, answers[i]) === null) expectedSame++;
      else expectedDiffer.push(`  ${name}#${i}: corpus: ${show(want)} | cedar-wasm: ${show(answers[i])}`);
    });
  }
  const lines = [
    `corpus: ${tests.length} tests, ${requestCount} requests; cedar-wasm reproduced the corpus's recorded ` +
      `answers on ${expectedSame} of ${expectedSame + expectedDiffer.length}`,
  ];
  lines.push(...expectedDiffer.slice(0, 10));
  if (expectedDiffer.length > 10) lines.push(`  (${expectedDiffer.length - 10} more)`);
  return lines;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  ensureInstalled(args.work);
  const cedar = loadCedar(args.work);
  console.log(`cedar-wasm ${cedar.getCedarVersion()} (language ${cedar.getCedarLangVersion()}) against ${args.mandate}`);
  const tally = new Tally(args["max-shown"] !== undefined ? Number(args["max-shown"]) : 200);
  const extra = args.corpus ? await runCorpus(cedar, args, tally) : await runRequestsFile(cedar, args, tally);
  extra.push(`time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = tally.finish(extra);
}

// Run as a program; imported (by bench/side_by_side.mjs) it only lends its helpers.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`differential.mjs: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
