# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""The audit trail and the least-privilege report; replaying Dogwood traces."""

from __future__ import annotations

import json
import threading

import pytest

import mandate
from conftest import T0, examples_dir, req


def test_every_evaluation_with_audit_writes_one_line(policies, entities, tmp):
    path = tmp / "audit.jsonl"
    log = mandate.AuditLog(path)
    assert not log.failed
    d1 = policies.evaluate(req("alice", "read"), entities, audit=log, now=T0)
    d2 = policies.evaluate(req("mallory", "read"), entities, audit=log, now=T0)
    batch = policies.evaluate_batch([req("alice", "refund", amount=500), req("eve", "read")], entities, audit=log)
    lines = path.read_text().splitlines()
    assert len(lines) == 4
    records = mandate.read_audit_log(path)
    assert [r["decision"] for r in records] == [d1.decision, d2.decision] + [d.decision for d in batch]
    first = records[0]
    assert json.loads(lines[0]) == first
    assert first["time"].startswith("2027-01-15T08:00:00")
    text = lines[0]
    assert "alice" in text and "read" in text and "support-read" in text
    assert mandate.__version__ in text
    assert str(policies.fingerprint) in text or format(policies.fingerprint, "016x") in text
    assert len({r["id"] for r in records}) == 4  # unique decision ids


def test_audit_records_the_grant_and_session(policies, entities, tmp):
    path = tmp / "audit.jsonl"
    log = mandate.AuditLog(path)
    sessions = mandate.SessionManager(policies, entities)
    sessions.evaluate("sess-1", req("alice", "read"), audit=log)
    record = log.record(req("alice", "read"), policies.evaluate(req("alice", "read"), entities), policies,
                        grant="g-123", time=T0)
    assert record["decision"] == "allow"
    text = path.read_text()
    assert "sess-1" in text and "g-123" in text
    assert len(text.splitlines()) == 2


def test_concurrent_audit_lines_never_interleave(policies, entities, tmp):
    path = tmp / "audit.jsonl"
    log = mandate.AuditLog(path)

    def work() -> None:
        for _ in range(50):
            policies.evaluate(req("alice", "read"), entities, audit=log)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = mandate.read_audit_log(path)  # every line parses
    assert len(records) == 200 and all(r["decision"] == "allow" for r in records)


def test_audit_errors(tmp):
    with pytest.raises(mandate.AuditError):
        mandate.AuditLog(tmp / "missing-dir" / "audit.jsonl")
    bad = tmp / "bad.jsonl"
    bad.write_text("{not json}\n")
    with pytest.raises(mandate.AuditError, match="bad.jsonl:1"):
        mandate.read_audit_log(bad)


def test_least_privilege_report(policies, entities, tmp):
    path = tmp / "audit.jsonl"
    log = mandate.AuditLog(path)
    policies.evaluate(req("alice", "read"), entities, audit=log)
    report = mandate.least_privilege_report(policies, mandate.read_audit_log(path), entities)
    assert set(report) == {"unused_permits", "agents", "unused_grants", "deep_chains"}
    assert "support-read" not in report["unused_permits"]
    assert "support-refund" in report["unused_permits"]
    same = mandate.least_privilege_report(policies, path.read_text().splitlines(), entities, issued_grants=["g-x"])
    assert same["unused_grants"] == ["g-x"]
    with pytest.raises(mandate.AuditError):
        mandate.least_privilege_report(policies, ["{}"], entities)


def test_replay_a_dogwood_trace():
    dogwood = examples_dir() / "dogwood"
    replayer = mandate.TraceReplayer(
        {"policies.dw": (dogwood / "policies.dw").read_text()},
        cedar_schema=(dogwood / "schema.cedarschema").read_text(),
        validate=True,
    )
    lines = replayer.replay((dogwood / "trace.log").read_text())
    assert lines == (dogwood / "expected.out").read_text().splitlines()
    with pytest.raises(mandate.ReplayError) as bad:
        replayer.replay("@1 A::Action::\"x\"::request()\n@x this is not a trace line", name="run.log")
    assert bad.value.diagnostics[0]["code"] == "trace"
    assert (bad.value.diagnostics[0]["line"], bad.value.diagnostics[0]["column"]) == (2, 2)
    assert bad.value.rendered.startswith("run.log:2:2: error[trace]: ")
    assert "@x this is not a trace line" in bad.value.rendered
    with pytest.raises(mandate.PolicyError):
        mandate.TraceReplayer("permit (principal, action, resource) when {")
