# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Just-in-time grants: issue, present, evaluate through, revoke, complete; the store."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import mandate
from conftest import T0

POLICIES = """
@id("support-read") permit (principal in Group::"support", action in Action::"read_group", resource);
@id("support-write") permit (principal in Group::"support", action == Action::"write", resource);
@id("agents-read") permit (principal is Agent, action in Action::"read_group", resource)
  when { principal.approved };
@id("agents-write") permit (principal is Agent, action == Action::"write", resource);
@id("writes-need-approval") require_approval (principal is Agent, action == Action::"write", resource);
"""

ENTITIES = [
    {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [{"type": "Group", "id": "support"}]},
    {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": [{"type": "Group", "id": "support"}]},
    {"uid": {"type": "Agent", "id": "bot"}, "attrs": {"approved": True}, "parents": []},
    {"uid": {"type": "Agent", "id": "sub"}, "attrs": {"approved": True}, "parents": []},
    {"uid": {"type": "Agent", "id": "rogue"}, "attrs": {"approved": False}, "parents": []},
    {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Action", "id": "read_group"}]},
    {"uid": {"type": "Action", "id": "list"}, "attrs": {}, "parents": [{"type": "Action", "id": "read_group"}]},
    {"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Action", "id": "delete"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Doc", "id": "d"}, "attrs": {}, "parents": []},
]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def world():
    policies = mandate.PolicySet.from_text(POLICIES, name="grants.cedar")
    entities = mandate.Entities.from_list(ENTITIES)
    clock = Clock()
    authority = mandate.GrantAuthority(clock=clock)
    return policies, entities, clock, authority


def read_request(principal="alice"):
    return {
        "principal": {"type": "User", "id": principal},
        "action": {"type": "Action", "id": "read"},
        "resource": {"type": "Doc", "id": "d"},
        "context": {},
    }


def issue(authority, policies, entities, **overrides):
    asked = dict(
        principal=("User", "alice"),
        agent=("Agent", "bot"),
        task="t-1",
        scope=[("Action", "read")],
        resource=("Doc", "d"),
        duration=dt.timedelta(minutes=15),
    )
    asked.update(overrides)
    return authority.issue(policies, entities, **asked)


def test_issue_and_evaluate_through_a_grant(world):
    policies, entities, clock, authority = world
    g = issue(authority, policies, entities)
    assert isinstance(g, mandate.Grant)
    assert g.id.startswith("g-") and len(g.id) == 34
    assert g.principal == mandate.EntityRef("User", "alice")
    assert g.agent == ("Agent", "bot")
    assert g.scope == (("Action", "read"),)
    assert g.issued_at == T0
    assert g.expires_at == T0 + dt.timedelta(minutes=15)
    assert g.parent is None and g.revoked is False
    assert authority.state(g.id) == "active"
    assert g.id in authority.store and authority.store[g.id] == g

    d = authority.evaluate(read_request(), g.id, policies, entities)
    assert d.decision == "allow"
    assert d.decided_by == {"hop": 0, "principal": 'User::"alice"'}
    # The same through the request's "grant" field.
    d2 = policies.evaluate({**read_request(), "grant": g.id}, entities, grants=authority)
    assert d2.to_json() == d.to_json()
    # Presented: the grant's chain and agent.
    presented = authority.present(read_request(), g.id)
    assert presented.agent == ("Agent", "bot")
    [hop] = presented.delegation
    assert hop["delegator"] == ("User", "alice") and hop["delegate"] == ("Agent", "bot") and hop["grant"] == g.id
    # Someone else's principal, an unknown grant.
    assert authority.evaluate(read_request("bob"), g.id, policies, entities).chain_violation == "chain.linkage"
    unknown = authority.evaluate(read_request(), "g-nope", policies, entities)
    assert unknown.decision == "deny" and unknown.chain_violation == "grant.unknown"
    with pytest.raises(mandate.GrantError) as info:
        authority.present(read_request(), "g-nope")
    assert info.value.code == "grant.unknown" and info.value.decision.decision == "deny"


def test_issuing_is_refused_for_what_the_policies_do_not_allow(world):
    policies, entities, clock, authority = world
    with pytest.raises(mandate.GrantRefused) as info:
        issue(authority, policies, entities, scope=[("Action", "read"), 'Action::"delete"'])
    assert info.value.code == "grant.denied"
    assert info.value.denied_actions == [mandate.EntityRef("Action", "delete")]
    assert 'Action::"delete"' in info.value.message
    # require_approval is not allowed either: a grant is no way around an approval.
    with pytest.raises(mandate.GrantRefused) as info:
        issue(authority, policies, entities, scope=[{"type": "Action", "id": "write"}])
    assert info.value.denied_actions == [("Action", "write")]
    with pytest.raises(mandate.GrantRefused):
        issue(authority, policies, entities, agent=("Agent", "rogue"))
    assert len(authority.store) == 0  # refused grants are not kept
    with pytest.raises(TypeError):
        authority.issue(policies, entities, agent=("Agent", "bot"), task="t", scope=[], resource=("Doc", "d"), duration=60)


def test_expiry_follows_the_clock_and_now(world):
    policies, entities, clock, authority = world
    g = issue(authority, policies, entities, duration="10m")
    clock.now = T0 + dt.timedelta(minutes=11)
    assert authority.state(g.id) == "expired"
    d = authority.evaluate(read_request(), g.id, policies, entities)
    assert d.decision == "deny" and d.chain_violation == "grant.expired"
    # A call's `now` overrides the clock.
    assert authority.state(g.id, now=T0 + dt.timedelta(minutes=5)) == "active"
    assert authority.evaluate(read_request(), g.id, policies, entities, now=T0 + dt.timedelta(minutes=5)).allowed


def test_revocation_cascades_and_completion(world):
    policies, entities, clock, authority = world
    parent = issue(authority, policies, entities, scope=[("Action", "read"), ("Action", "list")])
    child = authority.issue(
        policies,
        entities,
        parent=parent.id,
        agent=("Agent", "sub"),
        task="t-1",
        scope=[("Action", "read")],
        resource=("Doc", "d"),
        duration=600,
    )
    assert child.parent == parent.id and child.principal == ("Agent", "bot")
    assert authority.evaluate(read_request(), child.id, policies, entities).decision == "allow"
    # A child may only narrow its parent.
    with pytest.raises(mandate.GrantRefused) as info:
        authority.issue(
            policies, entities, parent=parent.id, agent=("Agent", "sub"), task="t-1",
            scope=[("Action", "write")], resource=("Doc", "d"), duration=600,
        )
    assert info.value.code in ("grant.widens_parent", "grant.denied")
    assert authority.revoke_grant(parent.id) == 2
    assert authority.revoke_grant(parent.id) == 0
    assert authority.state(child.id) == "revoked"
    revoked = authority.store.get(child.id)
    assert revoked is not None and revoked.revoked and revoked.revoked_at == T0
    assert "delegated from" in (revoked.revoked_because or "")
    assert authority.evaluate(read_request(), child.id, policies, entities).chain_violation == "grant.revoked"

    other = issue(authority, policies, entities, task="t-2")
    assert authority.complete_task("t-2") == 1
    assert authority.state(other.id) == "task_completed"
    with pytest.raises(mandate.GrantRefused) as info:
        issue(authority, policies, entities, task="t-2")
    assert info.value.code == "grant.task_completed"

    by_agent = issue(authority, policies, entities, task="t-3")
    assert authority.revoke_agent(("Agent", "bot")) == 1
    assert authority.state(by_agent.id) == "revoked"
    by_task = issue(authority, policies, entities, task="t-4", agent=("Agent", "sub"))
    assert authority.revoke_task("t-4") == 1
    by_principal = issue(authority, policies, entities, task="t-5", agent=("Agent", "sub"))
    assert authority.revoke_principal('User::"alice"') == 1
    assert authority.state(by_task.id) == authority.state(by_principal.id) == "revoked"
    assert authority.state("g-unknown") is None


def test_store_round_trip(world, tmp):
    policies, entities, clock, authority = world
    g = issue(authority, policies, entities)
    revoked = issue(authority, policies, entities, task="t-9")
    authority.revoke_grant(revoked.id)
    path = tmp / "grants.json"
    authority.store.save(path)
    loaded = mandate.GrantStore.load(path)
    assert [x.id for x in loaded] == [g.id, revoked.id]
    assert loaded[revoked.id].revoked and not loaded[g.id].revoked
    assert loaded.grants() == authority.store.grants()
    assert g.to_dict()["principal"] == {"type": "User", "id": "alice"}
    assert mandate.GrantStore.load(tmp / "none.json").grants() == []
    with pytest.raises(ValueError):
        mandate.GrantStore.from_json("[{]")
    with pytest.raises(KeyError):
        loaded["g-missing"]
    # A new authority over the loaded store honours the grants and revocations.
    again = mandate.GrantAuthority(loaded, clock=clock)
    assert again.evaluate(read_request(), g.id, policies, entities).allowed
    assert again.evaluate(read_request(), revoked.id, policies, entities).chain_violation == "grant.revoked"


def test_grants_in_a_batch_and_in_the_audit_trail(world, tmp):
    policies, entities, clock, authority = world
    g = issue(authority, policies, entities)
    log = mandate.AuditLog(tmp / "audit.jsonl")
    decisions = policies.evaluate_batch(
        [{**read_request(), "grant": g.id}, {**read_request("bob"), "grant": g.id}, read_request()],
        entities,
        grants=authority,
        audit=log,
    )
    assert [d.decision for d in decisions] == ["allow", "deny", "allow"]
    assert decisions[0].decided_by == {"hop": 0, "principal": 'User::"alice"'}
    assert decisions[1].chain_violation == "chain.linkage"
    records = mandate.read_audit_log(tmp / "audit.jsonl")
    assert len(records) == 3
    assert g.id in json.dumps(records[0]) and g.id not in json.dumps(records[2])
    # The chain the grant stands for is in the record: alice -> bot.
    assert "bot" in json.dumps(records[0])
