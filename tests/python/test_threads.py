# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Evaluating from several Python threads: the decisions are right, and the GIL is released
while C++ evaluates, so Python code in other threads keeps running."""

from __future__ import annotations

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import mandate
from conftest import req


def workload():
    out = []
    for i in range(400):
        kind = i % 4
        if kind == 0:
            out.append(req("alice", "read"))
        elif kind == 1:
            out.append(req("alice", "refund", amount=i))
        elif kind == 2:
            out.append(req("mallory", "read"))
        else:
            out.append(req("eve", "read"))
    return out


def test_many_threads_evaluate_the_same_set(policies, entities):
    requests = workload()
    expected = [policies.evaluate(r, entities).to_json() for r in requests]

    def run(seed: int):
        got = []
        for k in range(len(requests)):
            i = (k + seed * 37) % len(requests)
            got.append((i, policies.evaluate(requests[i], entities).to_json()))
        return got

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(8)))
    assert len(results) == 8
    for got in results:
        assert len(got) == len(requests)
        for i, line in got:
            assert line == expected[i]


def test_batches_from_several_threads(policies, entities):
    requests = workload()
    expected = [d.decision for d in policies.evaluate_batch(requests, entities)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: [d.decision for d in policies.evaluate_batch(requests, entities)], range(8)))
    assert all(r == expected for r in results)
    assert expected.count("allow") > 0 and expected.count("deny") > 0 and expected.count("require_approval") > 0


def test_sessions_from_several_threads(entities):
    policies = mandate.PolicySet.from_text(
        """
        permit (principal, action, resource);
        forbid (principal, action, resource)
        when temporal { count_within(1h, Action::"read"::request{}) > 50 };
        """
    )
    sessions = mandate.SessionManager(policies, entities)
    allowed = [0] * 4

    def work(t: int) -> None:
        for _ in range(60):
            if sessions.evaluate(f"s{t}", req("alice", "read")):
                allowed[t] += 1

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed == [50, 50, 50, 50]


def ticks_during(work) -> tuple:
    """Runs `work` in a thread with a switch interval far longer than the test, so that a thread
    running Python code keeps the GIL until it blocks: the main thread, ticking in a loop, can
    only run while the worker is inside a call that released the GIL. Returns (ticks inside the
    worker's call, the work's result)."""
    window = {}

    def worker() -> None:
        window["start"] = time.perf_counter()
        window["result"] = work()
        window["end"] = time.perf_counter()

    old = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    try:
        ticks = []
        t = threading.Thread(target=worker)
        t.start()
        while t.is_alive():
            ticks.append(time.perf_counter())
            time.sleep(0.0002)  # lets the worker take the GIL
        t.join()
    finally:
        sys.setswitchinterval(old)
    inside = [x for x in ticks if window["start"] < x < window["end"]]
    return len(inside), window["result"]


def ticks_during_attempts(work, attempts: int = 5) -> tuple:
    """ticks_during, again while the main thread never got to run: on a loaded machine the OS
    may not schedule it inside one short window even though the GIL was free. A held GIL fails
    every attempt."""
    for _ in range(attempts):
        inside, result = ticks_during(work)
        if inside:
            break
    return inside, result


def test_the_gil_is_released_during_a_batch(policies, entities):
    requests = [mandate.Request(r) for r in workload()] * 50  # 20,000 parsed requests
    inside, decisions = ticks_during_attempts(lambda: policies.evaluate_batch(requests, entities))
    assert len(decisions) == len(requests)
    assert [d.decision for d in decisions[:4]] == ["allow", "allow", "deny", "deny"]
    assert inside > 0, "the main thread never ran while the worker evaluated: the GIL was held"


def test_the_gil_is_released_during_single_evaluations(policies, entities):
    request = mandate.Request(req("alice", "read"))
    inside, decisions = ticks_during_attempts(lambda: [policies.evaluate(request, entities) for _ in range(5000)])
    assert all(d.allowed for d in decisions)
    assert inside > 0, "the main thread never ran while the worker evaluated: the GIL was held"
