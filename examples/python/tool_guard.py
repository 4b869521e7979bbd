#!/usr/bin/env python3
# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""A tool-call guard for an agent loop, with Mandate deciding every call.

Before each tool call the agent's request is evaluated (in the agent's session, so rate limits
over its history apply):

- allow: the tool runs and its output goes back to the agent;
- require_approval: a human is asked (stubbed here); the tool runs only if they approve;
- deny: the tool does not run, and the agent gets the explanation of why, so it can change
  course instead of retrying blindly.

Run it from the repository root after building the bindings (see README.md, "Python"):

    PYTHONPATH=build/python python3 examples/python/tool_guard.py

The "agent" is a scripted plan of tool calls, and time is simulated (one second per call), so
the transcript is the same on every run.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Tuple

import mandate

HERE = Path(__file__).resolve().parent

USER = mandate.EntityRef("User", "alice")
AGENT = mandate.EntityRef("Agent", "assistant")

ENTITIES = [
    {"uid": USER.to_dict(), "attrs": {}, "parents": [{"type": "Group", "id": "engineering"}]},
    {"uid": {"type": "Group", "id": "engineering"}, "attrs": {}, "parents": []},
    {"uid": AGENT.to_dict(), "attrs": {}, "parents": []},
    {"uid": {"type": "Tool", "id": "search"}, "attrs": {"agent_allowed": True, "destructive": False}, "parents": []},
    {"uid": {"type": "Tool", "id": "read_file"}, "attrs": {"agent_allowed": True, "destructive": False}, "parents": []},
    {"uid": {"type": "Tool", "id": "send_email"}, "attrs": {"agent_allowed": True, "destructive": False}, "parents": []},
    {"uid": {"type": "Tool", "id": "delete_repo"}, "attrs": {"agent_allowed": True, "destructive": True}, "parents": []},
    {"uid": {"type": "Tool", "id": "deploy"}, "attrs": {"agent_allowed": False, "destructive": False}, "parents": []},
]

# The tools themselves: stand-ins that return what a real tool would.
TOOLS: Dict[str, Callable[..., str]] = {
    "search": lambda query: f"3 results for {query!r}",
    "read_file": lambda path: f"contents of {path}",
    "send_email": lambda to, subject: f"email {subject!r} sent to {to}",
    "delete_repo": lambda name: f"repository {name} deleted",
    "deploy": lambda service: f"{service} deployed",
}

Approver = Callable[[str, Mapping[str, Any], mandate.Decision], bool]


def stub_approver(tool: str, args: Mapping[str, Any], decision: mandate.Decision) -> bool:
    """Stands in for a human asked in a chat or ticket: approves mail to the partner domain only."""
    return str(args.get("to", "")).endswith("@partner.example")


class SimulatedClock:
    """Time for the example: starts at a fixed instant, one second per tool call."""

    def __init__(self) -> None:
        self.now = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, seconds: float = 1.0) -> None:
        self.now += dt.timedelta(seconds=seconds)


class ToolGuard:
    """Guards an agent's tool calls with Mandate: one instance per agent session."""

    def __init__(
        self,
        policies: mandate.PolicySet,
        entities: mandate.Entities,
        *,
        user: mandate.EntityRef,
        agent: mandate.EntityRef,
        session_id: str,
        approver: Approver,
        clock: Callable[[], dt.datetime],
        log: Callable[[str], None] = print,
    ) -> None:
        self.user = user
        self.agent = agent
        self.session_id = session_id
        self.approver = approver
        self.clock = clock
        self.log = log
        self.sessions = mandate.SessionManager(policies, entities, clock=clock)
        # The user delegates tool calls to the agent for the working day.
        start = clock()
        self.delegation = [
            {
                "delegator": user.to_dict(),
                "delegate": agent.to_dict(),
                "scope": [{"type": "Action", "id": "call"}],
                "issued_at": start.isoformat(),
                "expires_at": (start + dt.timedelta(hours=8)).isoformat(),
            }
        ]

    def request(self, tool: str, args: Mapping[str, Any]) -> Dict[str, Any]:
        """The Cedar request for one tool call: the user through the agent."""
        return {
            "principal": self.user.to_dict(),
            "action": {"type": "Action", "id": "call"},
            "resource": {"type": "Tool", "id": tool},
            "context": {"args": dict(args)},
            "agent": self.agent.to_dict(),
            "delegation": self.delegation,
        }

    def call(self, tool: str, args: Mapping[str, Any]) -> str:
        """What the agent gets back for a tool call: the tool's output, or why it did not run."""
        decision = self.sessions.evaluate(self.session_id, self.request(tool, args), explain=True, now=self.clock())
        if decision.decision == "require_approval":
            approvers = {a.get("approvers") for a in decision.annotations.values()} - {None}
            self.log(f"  approval asked of {', '.join(sorted(approvers)) or 'a human'}: {tool}({_args(args)})")
            if not self.approver(tool, args, decision):
                return "NOT APPROVED: a human declined this call; do not retry it."
            self.log("  approved")
        elif not decision:
            return self.refusal(decision)
        output = TOOLS[tool](**args)
        # The tool's response joins the session's history, for temporal conditions to read.
        self.sessions.record(
            self.session_id,
            mandate.Event(action=("Action", "call"), fields={"input": dict(args), "output": {"text": output}},
                          resource=("Tool", tool)),
            now=self.clock(),
        )
        return output

    @staticmethod
    def refusal(decision: mandate.Decision) -> str:
        """A deny as the agent should see it: the verdict in words, and what to do next."""
        assert decision.explanation is not None
        text = decision.explanation["text"].strip()
        if decision.response == "throttle":
            return f"DENIED (slow down, retry after {decision.retry_after_ms // 1000}s): {text}"
        return f"DENIED: {text}"


def scripted_agent() -> List[Tuple[str, Dict[str, Any]]]:
    """The calls a (scripted) agent makes while working on a task."""
    return [
        ("search", {"query": "quarterly numbers"}),
        ("read_file", {"path": "reports/q3.md"}),
        ("send_email", {"to": "bob@example.com", "subject": "Q3 summary"}),
        ("send_email", {"to": "cfo@partner.example", "subject": "Q3 summary"}),
        ("send_email", {"to": "someone@elsewhere.test", "subject": "Q3 numbers"}),
        ("delete_repo", {"name": "reports"}),
        ("deploy", {"service": "billing"}),
        ("search", {"query": "q3 revenue"}),
        ("search", {"query": "q3 revenue by region"}),
        ("search", {"query": "q3 revenue by region again"}),
    ]


def main(argv: List[str]) -> int:
    policies = mandate.PolicySet.from_text((HERE / "tool_guard.cedar").read_text(), name="tool_guard.cedar")
    entities = mandate.Entities.from_list(ENTITIES)
    clock = SimulatedClock()
    guard = ToolGuard(policies, entities, user=USER, agent=AGENT, session_id="task-42",
                      approver=stub_approver, clock=clock)
    for tool, args in scripted_agent():
        print(f"agent -> {tool}({_args(args)})")
        result = guard.call(tool, args)
        for line in result.splitlines():
            print(f"  {line}")
        clock.tick()
    return 0


def _args(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in args.items())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
