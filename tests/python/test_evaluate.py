# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Entities, requests, evaluation, decisions, explanations and batches."""

from __future__ import annotations

import json

import pytest

import mandate
from conftest import SUPPORT_ENTITIES, T0, examples_dir, req


# --- entities ---------------------------------------------------------------------------------


def test_entities_from_json_list_and_file(tmp, entities):
    assert len(entities) == len(SUPPORT_ENTITIES)
    from_json = mandate.Entities.from_json(json.dumps(SUPPORT_ENTITIES))
    assert len(from_json) == len(entities)
    assert ("User", "alice") in from_json
    assert mandate.EntityRef("Group", "support") in from_json
    assert 'Agent::"bot"' in from_json
    assert {"type": "User", "id": "nobody"} not in from_json
    assert 42 not in from_json
    path = tmp / "entities.json"
    path.write_text(json.dumps(SUPPORT_ENTITIES))
    assert len(mandate.Entities.from_file(path)) == len(SUPPORT_ENTITIES)
    assert len(mandate.Entities()) == 0
    assert len(mandate.Entities.from_json(json.dumps(SUPPORT_ENTITIES).encode())) == len(SUPPORT_ENTITIES)


def test_examples_entities_load():
    e = mandate.Entities.from_file(examples_dir() / "entities.json")
    assert ("User", "alice") in e


def test_bad_entities_raise_with_diagnostics(tmp):
    with pytest.raises(mandate.EntitiesError) as info:
        mandate.Entities.from_json('[{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": []}', name="e.json")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.diagnostics[0]["code"] == "json"
    assert e.diagnostics[0]["file"] == "e.json"
    assert e.rendered.startswith("e.json:")
    with pytest.raises(mandate.EntitiesError) as info:
        mandate.Entities.from_list([{"uid": {"type": "User"}, "attrs": {}, "parents": []}])
    assert info.value.diagnostics
    with pytest.raises(mandate.EntitiesError):
        mandate.Entities.from_list([{"uid": {"type": "User", "id": "a"}, "attrs": {"when": object()}}])
    with pytest.raises(mandate.EntitiesError) as info:
        mandate.Entities.from_file(tmp / "missing.json")
    assert info.value.diagnostics[0]["code"] == "io"


# --- decisions ---------------------------------------------------------------------------------


def test_allow_with_reasons_and_annotations(policies, entities):
    d = policies.evaluate(req("alice", "read"), entities)
    assert d.decision == "allow"
    assert bool(d) is True and d.allowed and not d.denied and not d.needs_approval
    assert d.reasons == ["support-read"]
    assert d.errors == []
    assert d.annotations == {"support-read": {"id": "support-read", "reason": "Support staff read tickets"}}
    assert d.mode == "mandate"
    assert d.failed_closed is False
    assert d.explanation is None
    assert d.decided_by is None and d.chain_violation is None and d.response is None


def test_require_approval_is_falsy_and_routes_the_approvers(policies, entities):
    d = policies.evaluate(req("alice", "refund", amount=250), entities)
    assert d.decision == "require_approval"
    assert bool(d) is False and d.needs_approval
    assert d.reasons == ["support-refund", "large-refund"]
    assert d.annotations["large-refund"]["approvers"] == "billing-admins"
    small = policies.evaluate(req("alice", "refund", amount=20), entities)
    assert small.decision == "allow" and small.reasons == ["support-refund"]


def test_forbid_and_default_deny(policies, entities):
    d = policies.evaluate(req("mallory", "read"), entities)
    assert d.decision == "deny" and not d and d.denied
    assert d.reasons == ["suspended"]
    default = policies.evaluate(req("eve", "read"), entities)
    assert default.decision == "deny" and default.reasons == []
    # Unknown entities are not an error: nothing applies.
    assert policies.evaluate(req("nobody", "read"), entities).decision == "deny"
    # No entities at all.
    assert policies.evaluate(req("alice", "read")).decision == "deny"


def test_errors_fail_closed_in_mandate_mode_and_are_skipped_in_cedar_mode(entities):
    p = mandate.PolicySet.from_text(
        '@id("all") permit (principal, action, resource);\n'
        '@id("guard") forbid (principal, action, resource) when { context.amount > 10 };\n'
    )
    d = p.evaluate(req("alice", "read"), entities)  # no context.amount: the forbid errors
    assert d.decision == "deny"
    assert d.failed_closed is True
    assert d.reasons == ["guard"]
    assert d.errors and d.errors[0]["policy"] == "guard"
    assert "amount" in d.errors[0]["message"]
    cedar = p.evaluate(req("alice", "read"), entities, mode="cedar")
    assert cedar.decision == "allow" and cedar.mode == "cedar" and cedar.failed_closed is False
    assert cedar.errors[0]["policy"] == "guard"
    with pytest.raises(ValueError):
        p.evaluate(req("alice", "read"), entities, mode="strict")


def test_reference_engine_agrees(policies, entities):
    for r in (req("alice", "read"), req("alice", "refund", amount=500), req("mallory", "read"), req("eve", "read")):
        assert (
            policies.evaluate(r, entities, engine="reference").to_json()
            == policies.evaluate(r, entities).to_json()
        )


def test_to_json_and_to_dict(policies, entities):
    d = policies.evaluate(req("alice", "refund", amount=250), entities)
    line = d.to_json()
    assert line.startswith('{"decision":"require_approval"')
    assert json.loads(line) == d.to_dict()
    assert d.to_dict()["annotations"]["large-refund"]["approvers"] == "billing-admins"
    assert "require_approval" in repr(d)


# --- requests ---------------------------------------------------------------------------------


def test_request_forms(policies, entities):
    as_dict = req("alice", "read")
    forms = [
        as_dict,
        json.dumps(as_dict),
        mandate.Request(as_dict),
        mandate.Request.from_json(json.dumps(as_dict)),
        {"principal": mandate.EntityRef("User", "alice"), "action": ("Action", "read"), "resource": 'Ticket::"42"'},
        {
            "principal": {"__entity": {"type": "User", "id": "alice"}},
            "action": {"type": "Action", "id": "read"},
            "resource": {"type": "Ticket", "id": "42"},
        },
    ]
    for form in forms:
        assert policies.evaluate(form, entities).reasons == ["support-read"], form


def test_request_object_properties():
    r = mandate.Request(
        {
            "principal": {"type": "User", "id": "alice"},
            "action": {"type": "Action", "id": "read"},
            "resource": 'Ticket::"4\\"2"',
            "agent": {"type": "Agent", "id": "bot"},
            "delegation": [
                {
                    "delegator": {"type": "User", "id": "alice"},
                    "delegate": {"type": "Agent", "id": "bot"},
                    "scope": [{"type": "Action", "id": "read"}],
                    "issued_at": "2027-01-15T07:00:00Z",
                    "expires_at": "2027-01-15T09:00:00Z",
                }
            ],
            "session": "s1",
            "grant": "",
        }
    )
    assert r.principal == mandate.EntityRef("User", "alice")
    assert r.principal.type == "User" and r.principal.id == "alice"
    assert str(r.action) == 'Action::"read"'
    assert r.resource == ("Ticket", '4"2')
    assert str(r.resource) == 'Ticket::"4\\"2"'
    assert mandate.EntityRef.parse(str(r.resource)) == r.resource
    assert r.agent == ("Agent", "bot")
    hops = r.delegation
    assert len(hops) == 1
    assert hops[0]["delegator"] == ("User", "alice") and hops[0]["scope"] == [("Action", "read")]
    assert hops[0]["expires_at_ms"] - hops[0]["issued_at_ms"] == 2 * 3600 * 1000
    assert r.session == "s1" and r.grant == ""


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ({"action": {"type": "Action", "id": "read"}, "resource": {"type": "T", "id": "1"}}, "principal"),
        ({"principal": 7, "action": {"type": "Action", "id": "read"}, "resource": {"type": "T", "id": "1"}}, "principal"),
        ({"principal": "User::alice", "action": {"type": "Action", "id": "read"}, "resource": {"type": "T", "id": "1"}}, ""),
        ({**req("alice", "read"), "context": []}, "context"),
        ({**req("alice", "read"), "grant": 12}, "grant"),
        ({**req("alice", "read"), "session": ["s"]}, "session"),
        ({**req("alice", "read"), "context": {"when": {1, 2}}}, "JSON"),
        ("{not json", "JSON"),
        (["a", "list"], "dict"),
        (42, "dict"),
    ],
)
def test_bad_requests_raise_request_error(policies, entities, bad, fragment):
    with pytest.raises(mandate.RequestError) as info:
        policies.evaluate(bad, entities)
    assert isinstance(info.value, ValueError)
    assert info.value.index is None
    assert fragment in str(info.value)
    with pytest.raises(mandate.RequestError):
        mandate.Request(bad)  # type: ignore[arg-type]


def test_grant_or_session_without_their_manager_is_refused(policies, entities):
    with pytest.raises(mandate.RequestError, match="grant 'g-1'"):
        policies.evaluate({**req("alice", "read"), "grant": "g-1"}, entities)
    with pytest.raises(mandate.RequestError, match="session 's'"):
        policies.evaluate({**req("alice", "read"), "session": "s"}, entities)


def test_entities_must_be_entities(policies):
    with pytest.raises(TypeError):
        policies.evaluate(req("alice", "read"), [])  # type: ignore[arg-type]


# --- delegation chains ------------------------------------------------------------------------


def chained(action="read", expires="2027-01-15T09:00:00Z", agent="bot"):
    return {
        **req("alice", action),
        "agent": {"type": "Agent", "id": agent},
        "delegation": [
            {
                "delegator": {"type": "User", "id": "alice"},
                "delegate": {"type": "Agent", "id": agent},
                "scope": [{"type": "Action", "id": "read"}],
                "issued_at": "2027-01-15T07:00:00Z",
                "expires_at": expires,
            }
        ],
    }


def test_delegation_chain_checks_every_identity(policies, entities):
    d = policies.evaluate(chained(), entities, now=T0)
    assert d.decision == "allow"
    assert d.decided_by == {"hop": 0, "principal": 'User::"alice"'}
    rogue = policies.evaluate(chained(agent="rogue"), entities, now=T0)
    assert rogue.decision == "deny"
    assert rogue.decided_by == {"hop": 1, "principal": 'Agent::"rogue"'}


def test_delegation_chain_violations(policies, entities):
    expired = policies.evaluate(chained(expires="2027-01-15T07:30:00Z"), entities, now=T0)
    assert expired.decision == "deny"
    assert expired.chain_violation == "chain.expired"
    assert expired.chain_message
    out_of_scope = policies.evaluate(chained(action="refund"), entities, now=T0)
    assert out_of_scope.chain_violation == "chain.out_of_scope"
    # `now` in every accepted form.
    for now in (T0, T0.timestamp(), int(T0.timestamp()), "2027-01-15T08:00:00Z", T0.replace(tzinfo=None)):
        assert policies.evaluate(chained(), entities, now=now).decision == "allow", now
    with pytest.raises(ValueError):
        policies.evaluate(chained(), entities, now="yesterday")
    with pytest.raises(TypeError):
        policies.evaluate(chained(), entities, now=[1])  # type: ignore[arg-type]


# --- explanations -----------------------------------------------------------------------------


def test_explanation_for_allow(policies, entities):
    d = policies.evaluate(req("alice", "read"), entities, explain=True)
    e = d.explanation
    assert e is not None
    assert set(e) >= {"summary", "identities", "text", "text_with_sources"}
    assert "allow" in e["summary"].lower() or "allow" in e["text"].lower()
    assert "support-read" in e["text"]
    [identity] = e["identities"]
    determining = [p for p in identity["policies"] if p["effect"] == "determining"]
    assert [p["id"] for p in determining] == ["support-read"]
    assert d.to_dict()["explanation"] == e
    assert d.explanation is e  # parsed once


def test_explanation_for_deny_names_the_near_miss(policies, entities):
    d = policies.evaluate(req("mallory", "read"), entities, explain=True)
    assert d.decision == "deny"
    e = d.explanation
    assert "suspended" in e["text"]
    assert "Suspended accounts do nothing" in e["text"]
    # The source excerpt variant cites the policy text with a caret.
    assert "principal.suspended" in e["text_with_sources"] or "forbid" in e["text_with_sources"]
    # A default deny explains which permit nearly applied and why not.
    eve = policies.evaluate(req("eve", "read"), entities, explain=True).explanation
    assert eve is not None and eve["text"]
    assert any(p["id"] == "support-read" for p in eve["identities"][0]["policies"])


def test_explanation_matches_unexplained_decision(policies, entities):
    for r in (req("alice", "refund", amount=500), req("mallory", "read"), req("eve", "read")):
        assert policies.evaluate(r, entities, explain=True).to_json() == policies.evaluate(r, entities).to_json()


# --- batches ----------------------------------------------------------------------------------


def test_batch_in_order_and_same_as_single(policies, entities):
    requests = [
        req("alice", "read"),
        req("alice", "refund", amount=250),
        req("mallory", "read"),
        mandate.Request(req("eve", "read")),
        json.dumps(req("alice", "refund", amount=5)),
    ]
    decisions = policies.evaluate_batch(requests, entities)
    assert [d.decision for d in decisions] == ["allow", "require_approval", "deny", "deny", "allow"]
    for r, d in zip(requests, decisions):
        assert d.to_json() == policies.evaluate(r, entities).to_json()
    assert policies.evaluate_batch([], entities) == []
    explained = policies.evaluate_batch(requests[:2], entities, explain=True)
    assert all(d.explanation is not None for d in explained)
    # A generator works too.
    assert len(policies.evaluate_batch((req("alice", "read") for _ in range(10)), entities)) == 10


def test_batch_with_a_bad_request_names_its_index(policies, entities):
    with pytest.raises(mandate.RequestError) as info:
        policies.evaluate_batch([req("alice", "read"), req("alice", "read"), {"principal": 1}], entities)
    assert info.value.index == 2
    assert str(info.value).startswith("request 2:")
    with pytest.raises(mandate.RequestError) as info:
        policies.evaluate_batch([req("alice", "read"), 5], entities)
    assert info.value.index == 1
    with pytest.raises(mandate.RequestError) as info:
        policies.evaluate_batch([req("alice", "read"), {**req("alice", "read"), "session": "s"}], entities)
    assert info.value.index == 1


# --- engine -----------------------------------------------------------------------------------


def test_engine_swaps_policies_and_entities(policies, entities):
    engine = mandate.Engine(policies, entities)
    assert engine.evaluate(req("alice", "read")).decision == "allow"
    engine.replace_policies(mandate.PolicySet.from_text("forbid (principal, action, resource);"))
    assert engine.evaluate(req("alice", "read")).decision == "deny"
    engine.replace_policies(policies)
    engine.replace_entities(mandate.Entities())
    assert engine.evaluate(req("alice", "read")).decision == "deny"
    engine.replace_entities(entities)
    assert [d.decision for d in engine.evaluate_batch([req("alice", "read"), req("eve", "read")])] == ["allow", "deny"]
    p, e = engine.snapshot()
    assert p is engine.policies is policies and e is engine.entities is entities
    with pytest.raises(TypeError):
        engine.replace_policies("permit")  # type: ignore[arg-type]
