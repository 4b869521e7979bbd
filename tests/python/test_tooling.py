# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""The linter and the formatter from Python."""

from __future__ import annotations

import json
import threading

import pytest

import mandate
from conftest import REPO

WIDE_OPEN = """@id("wide")
@reason("everything")
permit (principal, action, resource);
"""

APPROVAL = """@id("pay-approval")
@reason("payments need a human")
require_approval (principal, action == Action::"pay", resource);
"""


def test_rules_are_listed_with_ids_levels_and_summaries():
    rules = mandate.lint_rules()
    assert len(rules) >= 20
    ids = [r["id"] for r in rules]
    assert len(set(ids)) == len(ids)
    assert "permit-unconstrained" in ids and "approval-without-approvers" in ids
    for rule in rules:
        assert rule["level"] in ("note", "warning", "error")
        assert rule["summary"] and rule["category"]


def test_lint_reports_findings_with_positions_and_rendering():
    report = mandate.lint({"wide.cedar": WIDE_OPEN})
    assert not report  # a report with findings is false
    finding = next(f for f in report if f["code"] == "permit-unconstrained")
    assert finding["file"] == "wide.cedar" and finding["line"] == 3
    assert finding["severity"] in ("warning", "error")
    assert "wide.cedar:3:" in report.rendered and "[permit-unconstrained]" in report.rendered
    assert "permit-unconstrained" in report.rule_ids
    sarif = json.loads(report.sarif)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "permit-unconstrained" for r in results)


def test_a_clean_policy_gives_an_empty_true_report():
    clean = """@id("read-tickets")
@reason("support reads tickets")
permit (principal in Group::"support", action == Action::"read", resource in Queue::"support");
"""
    report = mandate.lint(clean)
    assert report, report.rendered
    assert len(report) == 0 and report.rendered == ""


def test_levels_from_rules_and_config_and_suppression_comments(tmp_path):
    report = mandate.lint(APPROVAL)
    assert "approval-without-approvers" in report.rule_ids
    assert "approval-without-approvers" not in mandate.lint(APPROVAL, rules={"approval-without-approvers": "off"}).rule_ids
    raised = mandate.lint(APPROVAL, rules={"approval-without-approvers": "error"})
    assert [f["severity"] for f in raised if f["code"] == "approval-without-approvers"] == ["error"]
    assert raised.at_least("error")

    config = tmp_path / "lint.json"
    config.write_text(json.dumps({"rules": {"approval-without-approvers": "off"}}))
    assert "approval-without-approvers" not in mandate.lint(APPROVAL, config=config).rule_ids
    assert "approval-without-approvers" not in mandate.lint(APPROVAL, config={"rules": {"approval-without-approvers": "off"}}).rule_ids
    # `rules` is applied after the configuration.
    assert "approval-without-approvers" in mandate.lint(APPROVAL, config=config, rules={"approval-without-approvers": "note"}).rule_ids

    suppressed = "// mandate-lint: ignore approval-without-approvers -- routed by the caller\n" + APPROVAL
    assert "approval-without-approvers" not in mandate.lint(suppressed).rule_ids


def test_bad_configuration_raises_with_diagnostics():
    with pytest.raises(mandate.LintConfigError) as bad:
        mandate.lint(APPROVAL, rules={"no-such-rule": "off"})
    assert "no-such-rule" in bad.value.rendered
    with pytest.raises(mandate.LintConfigError):
        mandate.lint(APPROVAL, rules={"missing-reason": "loud"})


def test_text_that_does_not_compile_is_reported_not_raised():
    report = mandate.lint("permit (principal, action, resource) when {")
    assert report.at_least("error")
    assert report.findings[0]["line"] == 1


def test_lint_files_reads_directories_like_the_cli():
    report = mandate.lint_files(REPO / "examples" / "policies")
    assert not report.at_least("error"), report.rendered
    with pytest.raises(mandate.PolicyError):
        mandate.lint_files(REPO / "no-such-directory" / "x.cedar")


def test_lint_with_a_schema():
    schema = mandate.Schema.from_file(REPO / "examples" / "schema.cedarschema")
    report = mandate.lint_files(REPO / "examples" / "policies", schema=schema)
    assert not report.at_least("error"), report.rendered


def test_format_policies_is_canonical_idempotent_and_keeps_comments():
    messy = '// who may read\n@id("r")   permit(principal in Group::"support",action==Action::"read",resource) when {context.ok}; // trailing\n'
    formatted = mandate.format_policies(messy)
    assert formatted != messy
    assert mandate.format_policies(formatted) == formatted
    assert "// who may read" in formatted and "// trailing" in formatted
    assert formatted.endswith("\n")
    before = mandate.PolicySet.from_text(messy)
    after = mandate.PolicySet.from_text(formatted)
    assert before.policy_ids == after.policy_ids == ["r"]


def test_format_errors_and_options(tmp_path):
    with pytest.raises(mandate.PolicyError) as bad:
        mandate.format_policies("permit (principal, action, resource", "bad.cedar")
    assert bad.value.diagnostics[0]["file"] == "bad.cedar"
    assert "bad.cedar:1:" in bad.value.rendered
    with pytest.raises(ValueError):
        mandate.format_policies("", line_width=0)
    wide = mandate.format_policies(WIDE_OPEN, indent=4)
    assert "\n    principal," in wide

    path = tmp_path / "p.cedar"
    path.write_text('permit(principal,action,resource);\n')
    assert mandate.format_file(path) is True
    assert path.read_text() == 'permit(principal,action,resource);\n'  # not written without write=True
    assert mandate.format_file(path, write=True) is True
    assert mandate.format_file(path) is False


def test_lint_and_format_from_threads():
    text = (REPO / "examples" / "policies" / "billing.cedar").read_text()
    expected_lint = mandate.lint(text).rule_ids
    expected_format = mandate.format_policies(text)
    failures = []

    def work():
        for _ in range(20):
            if mandate.lint(text).rule_ids != expected_lint or mandate.format_policies(text) != expected_format:
                failures.append("different answer")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
