# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Sessions: temporal conditions over an agent's history, events, CAEP signals, the file log."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

import mandate
from conftest import T0

USERS = [
    {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [{"type": "Team", "id": "support"}]},
    {"uid": {"type": "Team", "id": "support"}, "attrs": {}, "parents": []},
]

RATE_LIMIT = """
permit (principal, action, resource);
@id("search-rate")
@reason("at most 3 searches a minute")
forbid (principal, action == Action::"search", resource)
when temporal { count_within(1m, Action::"search"::request{ callerPrincipal: principal }) > 3 };
"""


def call(action, principal="alice", **inputs):
    return {
        "principal": {"type": "User", "id": principal},
        "action": {"type": "Action", "id": action},
        "resource": {"type": "Tool", "id": "t"},
        "context": {"input": inputs},
    }


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def entities():
    return mandate.Entities.from_list(USERS)


def test_rate_limit_with_a_temporal_condition(entities):
    clock = Clock()
    sessions = mandate.SessionManager(mandate.PolicySet.from_text(RATE_LIMIT), entities, clock=clock)
    for _ in range(3):
        assert sessions.evaluate("s1", call("search")).decision == "allow"
        clock.advance(1)
    fourth = sessions.evaluate("s1", call("search"))
    assert fourth.decision == "deny"
    assert fourth.reasons == ["search-rate"]
    assert fourth.annotations["search-rate"]["reason"] == "at most 3 searches a minute"
    # Another session's history is its own.
    assert sessions.evaluate("s2", call("search")).decision == "allow"
    # Once the minute has passed, the window is empty again.
    clock.advance(61)
    assert sessions.evaluate("s1", call("search")).decision == "allow"
    state = sessions.state("s1")
    assert isinstance(state, mandate.SessionState)
    assert state.exists and not state.terminated and state.events_seen == 5
    assert not sessions.state("nobody").exists


def test_rate_limit_with_per_call_now_and_the_request_session_field(entities):
    policies = mandate.PolicySet.from_text(RATE_LIMIT)
    sessions = mandate.SessionManager(policies, entities)  # the system clock, overridden per call
    outcomes = [
        policies.evaluate({**call("search"), "session": "s"}, entities, sessions=sessions, now=T0 + dt.timedelta(seconds=i))
        .decision
        for i in range(5)
    ]
    assert outcomes == ["allow", "allow", "allow", "deny", "deny"]
    later = sessions.evaluate("s", call("search"), now=T0 + dt.timedelta(minutes=5))
    assert later.decision == "allow"
    # A batch decides in order within the session.
    batch = policies.evaluate_batch(
        [{**call("search"), "session": "b"} for _ in range(5)], entities, sessions=sessions, now=T0
    )
    assert [d.decision for d in batch] == ["allow", "allow", "allow", "deny", "deny"]


def test_throttle_then_terminate(entities):
    clock = Clock()
    policies = mandate.PolicySet.from_text(
        """
        permit (principal, action, resource);
        @response("throttle") @retry_after("30s")
        forbid (principal, action, resource)
        when temporal { count_within(10s, Action::"search"::request{}) > 2 };
        @response("terminate")
        forbid (principal, action, resource)
        when temporal { count_within(10s, Action::"search"::request{}) > 4 };
        """
    )
    sessions = mandate.SessionManager(policies, entities, clock=clock)
    assert [sessions.evaluate("s", call("search")).decision for _ in range(2)] == ["allow", "allow"]
    third = sessions.evaluate("s", call("search"))
    assert third.decision == "deny" and third.response == "throttle" and third.retry_after_ms == 30_000
    sessions.evaluate("s", call("search"))
    fifth = sessions.evaluate("s", call("search"))
    assert fifth.response == "terminate"
    assert sessions.state("s").terminated
    clock.advance(3600)
    later = sessions.evaluate("s", call("read"))
    assert later.decision == "deny" and later.response == "terminate" and later.reasons == []


def test_recorded_events_feed_temporal_conditions(entities):
    clock = Clock()
    policies = mandate.PolicySet.from_text(
        """
        permit (principal, action in [Action::"approve", Action::"lookup"], resource);
        permit (principal, action == Action::"pay", resource)
        when temporal { formerly within 1h Action::"approve"::request{ input.payment: context.input.payment } }
        when temporal { formerly within 1h Action::"lookup"::response{ output.account: context.input.account } };
        """
    )
    sessions = mandate.SessionManager(policies, entities, clock=clock)
    pay = call("pay", payment="p1", account="acct-9")
    assert sessions.evaluate("s", pay).decision == "deny"
    assert sessions.evaluate("s", call("approve", payment="p1")).decision == "allow"
    assert sessions.evaluate("s", pay).decision == "deny"  # no lookup yet
    assert sessions.evaluate("s", call("lookup", name="bob")).decision == "allow"
    sessions.record(
        "s",
        mandate.Event(action=("Action", "lookup"), fields={"input": {"name": "bob"}, "output": {"account": "acct-7"}}),
    )
    assert sessions.evaluate("s", pay).decision == "deny"  # another account
    sessions.record(
        "s",
        {"kind": "response", "action": {"type": "Action", "id": "lookup"},
         "fields": {"input": {"name": "carol"}, "output": {"account": "acct-9"}}, "requestId": "r-7"},
    )
    assert sessions.evaluate("s", pay).decision == "allow"
    assert sessions.state("s").events_seen == 8  # six requests, two recorded responses
    with pytest.raises(mandate.SessionError):
        sessions.record("s", {"kind": "response"})  # no action


def test_running_total(entities):
    clock = Clock()
    sessions = mandate.SessionManager(
        mandate.PolicySet.from_text(
            """
            permit (principal, action, resource);
            forbid (principal, action == Action::"pay", resource)
            when temporal { sum_within(a, 1h, Action::"pay"::request{ input.amount: a }) > 100 };
            """
        ),
        entities,
        clock=clock,
    )
    assert sessions.evaluate("s", call("pay", amount=60)).allowed
    clock.advance(1)
    assert sessions.evaluate("s", call("pay", amount=30)).allowed
    clock.advance(1)
    assert not sessions.evaluate("s", call("pay", amount=20)).allowed


def test_caep_signals(entities):
    clock = Clock()
    policies = mandate.PolicySet.from_text(
        """
        permit (principal in Team::"support", action, resource);
        require_approval (principal, action, resource)
        when { context.session has risk_level && context.session.risk_level == "high" };
        """
    )
    sessions = mandate.SessionManager(policies, entities, clock=clock)
    assert sessions.evaluate("s", call("read")).decision == "allow"
    sessions.signal("risk-level-change", session_id="s", level="high")
    assert sessions.evaluate("s", call("read")).decision == "require_approval"
    assert sessions.state("s").risk_level == "high"
    sessions.signal("token-claims-change", subject=("User", "alice"), claims={"parents": []})
    assert sessions.evaluate("s", call("read")).decision == "deny"
    assert sessions.evaluate("other", call("read")).decision == "deny"
    sessions.signal("session-revoked", session_id="s", reason="user logged out")
    d = sessions.evaluate("s", call("read"))
    assert d.decision == "deny" and "user logged out" in d.errors[0]["message"]
    with pytest.raises(mandate.SessionError):
        sessions.signal("made-up", session_id="s")
    with pytest.raises(mandate.SessionError):
        sessions.signal("risk-level-change")
    with pytest.raises(mandate.SessionError):
        sessions.evaluate("", call("read"))


def test_history_survives_a_restart_through_the_file_log(entities, tmp):
    log = tmp / "events.jsonl"
    policies = mandate.PolicySet.from_text(
        """
        permit (principal, action, resource);
        forbid (principal, action == Action::"search", resource)
        when temporal { count_within(1h, Action::"search"::request{}) > 2 };
        """
    )
    clock = Clock()
    first = mandate.SessionManager(policies, entities, log_path=log, clock=clock)
    assert first.evaluate("s", call("search")).allowed
    assert first.evaluate("s", call("search")).allowed
    first.compact()
    del first
    assert log.exists() and log.read_text().strip()
    reopened = mandate.SessionManager(policies, entities, log_path=log, clock=clock)
    assert reopened.state("s").events_seen == 2
    assert reopened.evaluate("s", call("search")).decision == "deny"
    with pytest.raises(mandate.SessionError):
        mandate.SessionManager(policies, entities, log_path=tmp / "no" / "such" / "dir" / "log.jsonl")


def test_explained_session_decision(entities):
    clock = Clock()
    sessions = mandate.SessionManager(mandate.PolicySet.from_text(RATE_LIMIT), entities, clock=clock)
    for _ in range(3):
        sessions.evaluate("s", call("search"))
    d = sessions.evaluate("s", call("search"), explain=True)
    assert d.decision == "deny"
    assert "search-rate" in d.explanation["text"]


def test_a_failing_python_clock_falls_back_to_the_system_clock(entities, monkeypatch):
    def broken() -> float:
        raise RuntimeError("clock broke")

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    sessions = mandate.SessionManager(mandate.PolicySet.from_text(RATE_LIMIT), entities, clock=broken)
    assert sessions.evaluate("s", call("search")).decision == "allow"
    assert seen and "clock broke" in str(seen[0].exc_value)
