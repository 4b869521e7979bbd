#!/usr/bin/env python3
# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Per-call cost of Mandate from Python: a single ``evaluate`` and ``evaluate_batch``.

The workload has the shape of the C++ hot-evaluation benchmark (bench/eval_bench.cpp): 2,000
users in 50 groups, 2,000 documents with sensitivity levels, 20 actions under two action
groups, N generated policies (a quarter each: group permits with a level condition, owner
permits with a context condition, forbids on sensitive documents, require_approval over an
amount) plus a suspended-account forbid; 256 requests with a context. Seeded, so runs compare.

    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DMANDATE_BUILD_PYTHON=ON && cmake --build build -j
    PYTHONPATH=build/python python3 bench/python_bench.py [--policies 100] [--rounds 200]

With ``--workload DIR`` it runs the performance benchmark's own workload instead (bench/workload.hpp:
10,000 entities in department/team hierarchies, agents, tools, projects, documents; 512
requests), as written by ``mandate_workload generate --policies N --out DIR`` (a
``-DMANDATE_BUILD_BENCH=ON`` build): DIR/policies.cedar, entities.json and requests.jsonl.

Reported, in microseconds per request (p50 and p99 over the samples):
- evaluate(dict): one call per request, the request a dict (JSON-encoded and parsed each time);
- evaluate(Request): one call per request, the request parsed once beforehand;
- evaluate_batch(dicts) / evaluate_batch(Requests): one call for all the requests, divided by
  their number.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

import mandate

ACTIONS = 20
GROUPS = 50
USERS = 2000
DOCUMENTS = 2000


def make_workload(policy_count: int, seed: int = 42) -> Tuple[mandate.PolicySet, mandate.Entities, List[Dict[str, Any]]]:
    rng = random.Random(seed)
    entities: List[Dict[str, Any]] = []
    for g in range(GROUPS):
        entities.append({"uid": {"type": "Group", "id": f"g{g}"}, "attrs": {}, "parents": []})
    for a in range(ACTIONS):
        parent = "read" if a % 2 == 0 else "write"
        entities.append({"uid": {"type": "Action", "id": f"a{a}"}, "attrs": {}, "parents": [{"type": "Action", "id": parent}]})
    entities.append({"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []})
    entities.append({"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": []})
    for u in range(USERS):
        entities.append(
            {
                "uid": {"type": "User", "id": f"u{u}"},
                "attrs": {"level": rng.randrange(5), "suspended": rng.randrange(50) == 0},
                "parents": [{"type": "Group", "id": f"g{rng.randrange(GROUPS)}"}],
            }
        )
    for d in range(DOCUMENTS):
        entities.append(
            {
                "uid": {"type": "Doc", "id": f"d{d}"},
                "attrs": {
                    "sensitivity": rng.randrange(4),
                    "owner": {"__entity": {"type": "Group", "id": f"g{rng.randrange(GROUPS)}"}},
                },
                "parents": [],
            }
        )
    text = []
    for p in range(policy_count):
        action = rng.randrange(ACTIONS)
        group = rng.randrange(GROUPS)
        kind = p % 4
        if kind == 0:
            text.append(
                f'permit(principal in Group::"g{group}", action == Action::"a{action}", resource is Doc) '
                "when { resource.sensitivity <= principal.level };"
            )
        elif kind == 1:
            text.append(
                f'permit(principal in Group::"g{group}", action in [Action::"a{action}", Action::"a{(action + 1) % ACTIONS}"], '
                "resource) when { principal in resource.owner && context.hour >= 8 };"
            )
        elif kind == 2:
            text.append(
                f'forbid(principal, action == Action::"a{action}", resource is Doc) when {{ '
                f'resource.sensitivity == 3 && !(principal in Group::"g{group}") }};'
            )
        else:
            text.append(
                f'require_approval(principal, action == Action::"a{action}", resource) when {{ '
                f"context.amount > {rng.randrange(1000)} }};"
            )
    text.append("forbid(principal, action, resource) when { principal has suspended && principal.suspended };")
    policies = mandate.PolicySet.from_text("\n".join(text), name="generated.cedar")
    store = mandate.Entities.from_list(entities, name="generated.json")
    requests = [
        {
            "principal": {"type": "User", "id": f"u{rng.randrange(USERS)}"},
            "action": {"type": "Action", "id": f"a{rng.randrange(ACTIONS)}"},
            "resource": {"type": "Doc", "id": f"d{rng.randrange(DOCUMENTS)}"},
            "context": {"hour": rng.randrange(24), "amount": rng.randrange(2000)},
        }
        for _ in range(256)
    ]
    return policies, store, requests


def load_workload(directory: str) -> Tuple[mandate.PolicySet, mandate.Entities, List[Dict[str, Any]]]:
    """The files `mandate_workload generate` writes: the C++ benchmark's workload."""
    import json
    import os

    policies = mandate.PolicySet.from_files(os.path.join(directory, "policies.cedar"))
    entities = mandate.Entities.from_file(os.path.join(directory, "entities.json"))
    with open(os.path.join(directory, "requests.jsonl"), encoding="utf-8") as lines:
        requests = [json.loads(line) for line in lines if line.strip()]
    return policies, entities, requests


def percentile(samples: List[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def time_single(call: Callable[[Any], Any], requests: List[Any], rounds: int) -> List[float]:
    """Per-call samples, in microseconds."""
    clock = time.perf_counter_ns
    samples = []
    for _ in range(rounds):
        for r in requests:
            start = clock()
            call(r)
            samples.append((clock() - start) / 1000)
    return samples


def time_batch(call: Callable[[List[Any]], Any], requests: List[Any], rounds: int) -> List[float]:
    """Per-request samples (one per batch: its time divided by its size), in microseconds."""
    clock = time.perf_counter_ns
    samples = []
    for _ in range(rounds):
        start = clock()
        call(requests)
        samples.append((clock() - start) / 1000 / len(requests))
    return samples


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=100, help="generated policies (default 100)")
    parser.add_argument("--rounds", type=int, default=200, help="passes over the requests (default 200)")
    parser.add_argument("--workload", help="a directory written by `mandate_workload generate` (issue 9's workload)")
    args = parser.parse_args(argv)

    build_start = time.perf_counter()
    policies, entities, requests = load_workload(args.workload) if args.workload else make_workload(args.policies)
    parsed = [mandate.Request(r) for r in requests]
    build_s = time.perf_counter() - build_start

    decisions = policies.evaluate_batch(requests, entities)
    mix = {k: sum(d.decision == k for d in decisions) for k in ("allow", "deny", "require_approval")}
    # The two paths must agree before their speed means anything.
    assert [d.to_json() for d in decisions] == [policies.evaluate(r, entities).to_json() for r in requests]

    runs: List[Tuple[str, List[float]]] = []
    # A short warm-up of every path, then the measured passes.
    for name, measure in (
        ("evaluate(dict)", lambda n: time_single(lambda r: policies.evaluate(r, entities), requests, n)),
        ("evaluate(Request)", lambda n: time_single(lambda r: policies.evaluate(r, entities), parsed, n)),
        ("evaluate_batch(dicts)", lambda n: time_batch(lambda rs: policies.evaluate_batch(rs, entities), requests, n)),
        ("evaluate_batch(Requests)", lambda n: time_batch(lambda rs: policies.evaluate_batch(rs, entities), parsed, n)),
    ):
        measure(max(1, args.rounds // 20))
        runs.append((name, measure(args.rounds)))

    print(
        f"mandate {mandate.__version__}, Python {sys.version.split()[0]}: {len(policies)} policies, "
        f"{len(entities)} entities, {len(requests)} requests x {args.rounds} rounds "
        f"(allow {mix['allow']}, deny {mix['deny']}, require_approval {mix['require_approval']}); "
        f"workload built in {build_s:.2f}s"
    )
    print(f"{'path':<26} {'p50 us':>8} {'p99 us':>8} {'mean us':>8}  samples")
    for name, samples in runs:
        print(
            f"{name:<26} {percentile(samples, 50):>8.2f} {percentile(samples, 99):>8.2f} "
            f"{statistics.fmean(samples):>8.2f}  {len(samples)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
