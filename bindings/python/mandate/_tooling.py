# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Policy tooling from Python: the linter and the formatter, as ``mandate lint`` and
``mandate fmt`` run them."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import _mandate
from ._convert import DurationLike, duration_ms
from ._core import PathLike, Schema, _read_policy_sources, _unwrap
from ._errors import LintConfigError, PolicyError

__all__ = ["LintConfigError", "LintReport", "lint", "lint_files", "lint_rules", "format_policies", "format_file"]

Diagnostic = Dict[str, Any]
Sources = Union[str, Mapping[str, str], Iterable[Tuple[str, str]]]


class LintReport:
    """What the linter found in one policy set.

    ``findings`` are diagnostic dicts (keys as in :class:`~mandate.DiagnosticError`) whose
    ``code`` is the rule id (or the compiler's code, for text that does not compile), sorted by
    file and position; ``rendered`` is the compiler-style text ``mandate lint`` prints and
    ``sarif`` the SARIF 2.1.0 log ``mandate lint --format sarif`` writes. A report is true when
    it has no findings; iterating it yields the findings.
    """

    __slots__ = ("findings", "rendered", "sarif")

    def __init__(self, findings: List[Diagnostic], rendered: str, sarif: str) -> None:
        self.findings: List[Diagnostic] = findings
        self.rendered: str = rendered
        self.sarif: str = sarif

    def at_least(self, level: str) -> List[Diagnostic]:
        """The findings of severity ``level`` or worse (``"note"``, ``"warning"``, ``"error"``)."""
        rank = {"note": 0, "warning": 1, "error": 2}
        if level not in rank:
            raise ValueError(f'level must be "note", "warning" or "error", not {level!r}')
        return [f for f in self.findings if rank[f["severity"]] >= rank[level]]

    @property
    def rule_ids(self) -> List[str]:
        """The distinct codes of the findings, in order of first appearance."""
        return list(dict.fromkeys(f["code"] for f in self.findings))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __bool__(self) -> bool:
        return not self.findings

    def __repr__(self) -> str:
        return f"<LintReport {len(self.findings)} findings: {', '.join(self.rule_ids) or 'none'}>"


def lint_rules() -> List[Dict[str, str]]:
    """Every lint rule as ``{"id", "category", "level", "summary"}``, in ``mandate lint --list`` order."""
    return _mandate.lint_rules()


def _config_json(config: Optional[Union[PathLike, Mapping[str, Any]]], rules: Optional[Mapping[str, str]]) -> str:
    merged: Dict[str, Any] = {}
    if config is not None:
        if isinstance(config, Mapping):
            document = dict(config)
        else:
            with open(os.fspath(config), encoding="utf-8") as handle:
                text = handle.read()
            if rules is None:
                return text  # the C++ reader reports positions in the file's own text
            document = json.loads(text)
        merged.update(document.get("rules", {}) if isinstance(document, Mapping) else {})
    if rules is not None:
        merged.update(rules)
    if config is None and rules is None:
        return ""
    return json.dumps({"rules": merged})


def lint(
    sources: Sources,
    *,
    schema: Optional[Schema] = None,
    rules: Optional[Mapping[str, str]] = None,
    config: Optional[Union[PathLike, Mapping[str, Any]]] = None,
    max_window: Optional[DurationLike] = None,
) -> LintReport:
    """Lints policy text as one set: ``sources`` is a text (named ``<input>``), a mapping of
    names to texts, or ``(name, text)`` pairs.

    ``schema`` enables the rules that need one (optional attributes read without ``has``);
    ``config`` is a configuration file path or dict (``{"rules": {"missing-reason": "off"}}``);
    ``rules`` overrides levels per rule id (``"off"``, ``"note"``, ``"warning"``, ``"error"``)
    after ``config``. Inline ``// mandate-lint: ignore RULE`` comments are honoured. Text that
    does not compile is reported as the compiler's diagnostics among the findings. Raises
    :class:`LintConfigError` for an unknown rule id or level.
    """
    if isinstance(sources, str):
        pairs = [("<input>", sources)]
    elif isinstance(sources, Mapping):
        pairs = list(sources.items())
    else:
        pairs = [(n, t) for n, t in sources]
    window = None if max_window is None else duration_ms(max_window)
    result = _mandate.lint(pairs, None if schema is None else schema._impl, _config_json(config, rules), window)
    if result[0] is None:
        raise LintConfigError(result[2], result[1])
    return LintReport(result[0], result[1], result[2])


def lint_files(
    paths: Union[PathLike, Iterable[PathLike]],
    *,
    schema: Optional[Schema] = None,
    rules: Optional[Mapping[str, str]] = None,
    config: Optional[Union[PathLike, Mapping[str, Any]]] = None,
    max_window: Optional[DurationLike] = None,
) -> LintReport:
    """Lints files, or every ``*.cedar`` / ``*.mandate`` file under directories, as one set
    (as ``mandate lint`` does). An unreadable file raises :class:`~mandate.PolicyError`."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    pairs = _read_policy_sources([os.fspath(p) for p in paths])
    return lint(pairs, schema=schema, rules=rules, config=config, max_window=max_window)


def format_policies(text: str, name: str = "<input>", *, line_width: int = 80, indent: int = 2) -> str:
    """Formats policy text in Mandate's canonical layout (as ``mandate fmt``): comments kept,
    only whitespace changed, idempotent. Raises :class:`~mandate.PolicyError` with the
    compiler's diagnostics when the text does not parse."""
    if line_width < 1 or indent < 0:
        raise ValueError("line_width must be at least 1 and indent at least 0")
    return _unwrap(_mandate.format_policies(text, name, line_width, indent), PolicyError)


def format_file(path: PathLike, *, write: bool = False, line_width: int = 80, indent: int = 2) -> bool:
    """Formats one policy file; with ``write=True`` rewrites it in place when it changes.
    Returns whether the file was (or would be) changed."""
    path = os.fspath(path)
    with open(path, encoding="utf-8", newline="") as handle:
        original = handle.read()
    formatted = format_policies(original, path, line_width=line_width, indent=indent)
    if formatted == original:
        return False
    if write:
        temporary = f"{path}.mandate-fmt.tmp"
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(formatted)
        os.replace(temporary, path)
    return True
