# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""examples/python/tool_guard.py runs as the README says and guards every kind of call."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import REPO, built_package_dir


def run_example() -> str:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(built_package_dir().parent)
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / "python" / "tool_guard.py")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def blocks(out: str):
    """The transcript as (call line, [what the agent got back]) pairs."""
    out_blocks = []
    for line in out.splitlines():
        if line.startswith("agent -> "):
            out_blocks.append((line[len("agent -> "):], []))
        else:
            out_blocks[-1][1].append(line.strip())
    return out_blocks


def test_tool_guard_transcript():
    out = run_example()
    b = blocks(out)
    assert len(b) == 10
    calls = [c for c, _ in b]
    assert calls[0] == "search(query='quarterly numbers')"

    # allow: the tool runs and its output comes back.
    assert b[0][1] == ["3 results for 'quarterly numbers'"]
    assert b[1][1] == ["contents of reports/q3.md"]
    assert b[2][1] == ["email 'Q3 summary' sent to bob@example.com"]

    # require_approval: the stubbed human is asked; approves the partner, declines the rest.
    assert b[3][1][0].startswith("approval asked of the user: send_email(")
    assert b[3][1][1:] == ["approved", "email 'Q3 summary' sent to cfo@partner.example"]
    assert b[4][1][0].startswith("approval asked of the user")
    assert b[4][1][1].startswith("NOT APPROVED")

    # deny: the tool does not run, and the agent gets the explanation.
    delete = "\n".join(b[5][1])
    assert delete.startswith("DENIED:")
    assert "no-destructive-tools" in delete or "Agents never run destructive tools" in delete
    assert "repository reports deleted" not in out
    deploy = "\n".join(b[6][1])
    assert deploy.startswith("DENIED:") and "billing deployed" not in out

    # A session rate limit: the fourth search in a minute is throttled, with its reason.
    assert b[7][1] == ["3 results for 'q3 revenue'"]
    assert b[8][1] == ["3 results for 'q3 revenue by region'"]
    throttled = "\n".join(b[9][1])
    assert throttled.startswith("DENIED (slow down, retry after 30s):")
    assert "search" in throttled


def test_tool_guard_in_process():
    sys.path.insert(0, str(REPO / "examples" / "python"))
    try:
        import tool_guard
    finally:
        sys.path.pop(0)
    import mandate

    lines = []
    clock = tool_guard.SimulatedClock()
    asked = []

    def approver(tool, args, decision):
        asked.append((tool, decision.decision, decision.reasons))
        return True

    guard = tool_guard.ToolGuard(
        mandate.PolicySet.from_files(REPO / "examples" / "python" / "tool_guard.cedar"),
        mandate.Entities.from_list(tool_guard.ENTITIES),
        user=tool_guard.USER,
        agent=tool_guard.AGENT,
        session_id="t",
        approver=approver,
        clock=clock,
        log=lines.append,
    )
    assert guard.call("send_email", {"to": "x@elsewhere.test", "subject": "hi"}) == "email 'hi' sent to x@elsewhere.test"
    assert asked == [("send_email", "require_approval", ["engineers-call-tools", "external-email"])]
    assert guard.call("delete_repo", {"name": "r"}).startswith("DENIED:")
