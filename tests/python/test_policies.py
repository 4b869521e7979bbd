# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Compiling policies: from text, sources and files; diagnostics; templates; schemas."""

from __future__ import annotations

import pytest

import mandate
from conftest import examples_dir, req


def test_from_text_ids_size_fingerprint(policies):
    assert len(policies) == 5
    assert policies.policy_ids == ["support-read", "support-refund", "large-refund", "suspended", "agents-approved"]
    assert isinstance(policies.fingerprint, int) and policies.fingerprint != 0
    same = mandate.PolicySet.from_text(
        "@id(\"a\") permit (principal, action, resource);", name="a.cedar"
    )
    other = mandate.PolicySet.from_text(
        "@id(\"a\") forbid (principal, action, resource);", name="a.cedar"
    )
    assert same.fingerprint != other.fingerprint
    assert "5 policies" in repr(policies)
    assert policies.warnings == []
    assert policies.template_ids == []
    assert policies.schema is None


def test_unnamed_policies_are_numbered():
    p = mandate.PolicySet.from_text("permit (principal, action, resource);\nforbid (principal, action, resource);")
    assert p.policy_ids == ["policy0", "policy1"]


def test_compile_error_carries_rendered_and_structured_diagnostics():
    text = 'permit (principal, action, resource)\nwhen { context.tags.containz("vip") };\n'
    with pytest.raises(mandate.PolicyError) as info:
        mandate.PolicySet.from_text(text, name="billing.cedar")
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, mandate.MandateError)
    assert e.rendered.startswith("billing.cedar:2:")
    assert "error[method]" in e.rendered
    assert "containz" in e.rendered
    assert "^" in e.rendered  # the caret line
    assert str(e) == e.rendered.rstrip("\n")
    assert len(e.diagnostics) >= 1
    d = e.diagnostics[0]
    assert set(d) >= {"code", "severity", "message", "file", "line", "column"}
    assert d["code"] == "method"
    assert d["severity"] == "error"
    assert d["file"] == "billing.cedar"
    assert d["line"] == 2
    assert d["column"] == text.splitlines()[1].index("containz") + 1
    assert "containz" in d["message"]
    assert e.errors == [x for x in e.diagnostics if x["severity"] == "error"]


def test_several_errors_are_all_reported():
    text = "permit (principal, action, resource) when { 1 + };\nforbid (principal, action resource);\n"
    with pytest.raises(mandate.PolicyError) as info:
        mandate.PolicySet.from_text(text, name="two.cedar")
    lines = sorted({d["line"] for d in info.value.diagnostics})
    assert lines == [1, 2]
    assert all(d["code"] == "parse" for d in info.value.diagnostics)


def test_from_sources_joins_sets_and_names_files_in_diagnostics():
    p = mandate.PolicySet.from_sources(
        {"a.cedar": '@id("a") permit (principal, action, resource);', "b.cedar": "forbid (principal, action, resource);"}
    )
    assert p.policy_ids == ["a", "policy1"]
    with pytest.raises(mandate.PolicyError) as info:
        mandate.PolicySet.from_sources([("ok.cedar", "permit (principal, action, resource);"), ("bad.cedar", "oops")])
    assert info.value.diagnostics[0]["file"] == "bad.cedar"
    with pytest.raises(TypeError):
        mandate.PolicySet.from_sources([("x", 3)])  # type: ignore[list-item]


def test_from_files_directory_file_and_several(tmp):
    (tmp / "sub").mkdir()
    (tmp / "b.cedar").write_text('@id("b") permit (principal, action == Action::"read", resource);')
    (tmp / "sub" / "a.cedar").write_text('@id("a") forbid (principal, action == Action::"delete", resource);')
    (tmp / "notes.txt").write_text("not a policy")
    one_dir = mandate.PolicySet.from_files(tmp)
    assert sorted(one_dir.policy_ids) == ["a", "b"]
    one_file = mandate.PolicySet.from_files(str(tmp / "b.cedar"))
    assert one_file.policy_ids == ["b"]
    several = mandate.PolicySet.from_files([tmp / "b.cedar", tmp / "sub"])
    assert several.policy_ids == ["b", "a"]
    assert several.evaluate(req("alice", "read")).decision == "allow"
    assert several.evaluate(req("alice", "delete")).decision == "deny"


def test_from_files_examples_directory():
    p = mandate.PolicySet.from_files(examples_dir() / "policies")
    assert "support-read" in p.policy_ids
    assert len(p) >= 10


def test_from_files_errors(tmp):
    with pytest.raises(mandate.PolicyError) as info:
        mandate.PolicySet.from_files(tmp / "missing.cedar")
    assert info.value.diagnostics[0]["code"] == "io"
    (tmp / "empty").mkdir()
    with pytest.raises(mandate.PolicyError) as info:
        mandate.PolicySet.from_files([tmp / "empty", tmp / "empty"])
    assert info.value.diagnostics[0]["code"] == "io"
    (tmp / "bad.cedar").write_text("permit (principal, action, resource) when { ! };")
    with pytest.raises(mandate.PolicyError) as info:
        mandate.PolicySet.from_files(tmp / "bad.cedar")
    assert info.value.diagnostics[0]["file"].endswith("bad.cedar")


TEMPLATE = """
@id("share")
permit (principal == ?principal, action == Action::"view", resource in ?resource);
"""


def test_templates_and_links():
    p = mandate.PolicySet.from_text(TEMPLATE)
    assert p.template_ids == ["share"]
    view = {
        "principal": {"type": "User", "id": "alice"},
        "action": {"type": "Action", "id": "view"},
        "resource": {"type": "Album", "id": "vacation"},
        "context": {},
    }
    assert p.evaluate(view).decision == "deny"  # an unlinked template decides nothing
    links = [
        {
            "template_id": "share",
            "link_id": "alice-vacation",
            "args": {"?principal": {"type": "User", "id": "alice"}, "?resource": 'Album::"vacation"'},
        }
    ]
    linked = p.link(links)
    d = linked.evaluate(view)
    assert d.decision == "allow" and d.reasons == ["alice-vacation"]
    assert p.evaluate(view).decision == "deny"  # the original set is unchanged
    direct = mandate.PolicySet.from_text(TEMPLATE, links=links)
    assert direct.evaluate(view).reasons == ["alice-vacation"]
    with pytest.raises(mandate.PolicyError):
        p.link([{"template_id": "nope", "link_id": "x", "args": {}}])


SCHEMA = """
entity Group;
entity User in [Group] { level: Long };
entity Doc { sensitivity: Long, owner: Group };
action read appliesTo { principal: [User], resource: [Doc], context: { source: ipaddr } };
"""


def test_schema_type_checks_policies_and_reads_requests():
    schema = mandate.Schema.from_text(SCHEMA, "s.cedarschema")
    assert schema.entity_types == ["Doc", "Group", "User"]
    assert schema.actions == ['Action::"read"']
    with pytest.raises(mandate.PolicyError) as info:
        mandate.PolicySet.from_text(
            'permit (principal, action == Action::"read", resource) when { principal.levle > 1 };',
            schema=schema,
        )
    assert info.value.diagnostics[0]["code"] == "type"
    p = mandate.PolicySet.from_text(
        'permit (principal, action == Action::"read", resource) '
        'when { principal.level >= resource.sensitivity && context.source.isInRange(ip("10.0.0.0/8")) };',
        schema=schema,
    )
    assert p.schema is schema
    assert p.validate(schema) == []
    entities = mandate.Entities.from_list(
        [
            {"uid": {"type": "User", "id": "alice"}, "attrs": {"level": 3}, "parents": []},
            {"uid": {"type": "Doc", "id": "d"}, "attrs": {"sensitivity": 2, "owner": {"type": "Group", "id": "g"}}, "parents": []},
            {"uid": {"type": "Group", "id": "g"}, "attrs": {}, "parents": []},
        ],
        schema=schema,
    )
    request = {
        "principal": {"type": "User", "id": "alice"},
        "action": {"type": "Action", "id": "read"},
        "resource": {"type": "Doc", "id": "d"},
        "context": {"source": "10.1.2.3"},  # read as an ipaddr through the schema
    }
    assert p.evaluate(request, entities).decision == "allow"
    # Request validation: a context that does not fit the action's context type is refused...
    bad = dict(request, context={"source": "10.1.2.3", "extra": 1})
    with pytest.raises(mandate.RequestError):
        p.evaluate(bad, entities)
    # ... unless the request opts out, as in Cedar's corpus.
    assert p.evaluate(dict(bad, validateRequest=False), entities).decision == "allow"


def test_schema_errors_and_json_form(tmp):
    with pytest.raises(mandate.SchemaError) as info:
        mandate.Schema.from_text("entity User in [Nope];", "bad.cedarschema")
    assert info.value.diagnostics and "bad.cedarschema" in info.value.rendered
    s = mandate.Schema.from_json({"": {"entityTypes": {"User": {}}, "actions": {"read": {}}}})
    assert s.entity_types == ["User"]
    path = tmp / "s.cedarschema"
    path.write_text(SCHEMA)
    assert mandate.Schema.from_file(path).actions == ['Action::"read"']
    with pytest.raises(mandate.EntitiesError):
        mandate.Entities.from_list(
            [{"uid": {"type": "User", "id": "alice"}, "attrs": {"level": "high"}, "parents": []}],
            schema=mandate.Schema.from_file(path),
        )


def test_max_window_limits_temporal_conditions():
    text = (
        "forbid (principal, action, resource) "
        'when temporal { count_within(2d, Action::"x"::request{}) > 1 };'
    )
    with pytest.raises(mandate.PolicyError):
        mandate.PolicySet.from_text(text)
    assert len(mandate.PolicySet.from_text(text, max_window="14d")) == 1
