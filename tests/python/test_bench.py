# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""bench/python_bench.py runs (with a tiny workload, to keep the tests fast)."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, built_package_dir


def test_bench_runs_and_reports_p50_p99():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(built_package_dir().parent)
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "python_bench.py"), "--policies", "20", "--rounds", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "21 policies" in lines[0]
    assert lines[1].split()[:3] == ["path", "p50", "us"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert set(rows) == {"evaluate(dict)", "evaluate(Request)", "evaluate_batch(dicts)", "evaluate_batch(Requests)"}
    for p50, p99, mean, samples in rows.values():
        assert 0 < float(p50) <= float(p99)
        assert int(samples) > 0
