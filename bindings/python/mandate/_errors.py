# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Exceptions raised by the ``mandate`` package.

Mistakes in input (policy text, entities, schemas, requests) raise subclasses of
:class:`ValueError`; errors *during* evaluation never raise: they are data in the
:class:`~mandate.Decision` (``decision.errors``), as in the C++ API.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

__all__ = [
    "MandateError",
    "DiagnosticError",
    "PolicyError",
    "EntitiesError",
    "SchemaError",
    "RequestError",
    "GrantRefused",
    "GrantError",
    "SessionError",
    "AuditError",
    "ReplayError",
    "LintConfigError",
]

Diagnostic = Dict[str, Any]


class MandateError(Exception):
    """Base class of every exception the ``mandate`` package raises."""


class DiagnosticError(MandateError, ValueError):
    """Input text was refused with compiler-style diagnostics.

    ``rendered`` is the text Mandate's compiler prints (``file:line:col: error[code]: message``,
    the source line and a caret line, for each diagnostic); ``diagnostics`` holds the same as
    dicts with the keys ``code``, ``severity`` (``"error"``, ``"warning"`` or ``"note"``),
    ``message``, ``file``, ``line``, ``column`` (from 1; 0 when unpositioned), ``offset``,
    ``length`` and ``source_line``.
    """

    def __init__(self, rendered: str, diagnostics: Sequence[Diagnostic]) -> None:
        self.rendered: str = rendered
        self.diagnostics: List[Diagnostic] = list(diagnostics)
        super().__init__(rendered.rstrip("\n") or "invalid input")

    @property
    def errors(self) -> List[Diagnostic]:
        """The diagnostics of severity ``"error"``."""
        return [d for d in self.diagnostics if d.get("severity") == "error"]


class PolicyError(DiagnosticError):
    """Policy text did not compile, a template link was refused, or the policies do not
    type-check against the schema they were compiled with."""


class EntitiesError(DiagnosticError):
    """Entity JSON was malformed or does not conform to its schema."""


class SchemaError(DiagnosticError):
    """A Cedar schema was malformed."""


class RequestError(MandateError, ValueError):
    """A request could not be evaluated: malformed, or naming a grant or session with nothing
    to evaluate it through. ``index`` is its position in a batch (``None`` for a single one)."""

    def __init__(self, message: str, index: Optional[int] = None) -> None:
        self.message: str = message
        self.index: Optional[int] = index
        super().__init__(message if index is None else f"request {index}: {message}")


class GrantRefused(MandateError):
    """Issuing a grant was refused.

    ``code`` is stable (``grant.denied``, ``grant.bad_request``, ``grant.parent_inactive``,
    ``grant.widens_parent``, ``grant.task_completed``); ``denied_actions`` lists the actions the
    policies did not allow (for ``grant.denied``), as :class:`~mandate.EntityRef`.
    """

    def __init__(self, code: str, message: str, denied_actions: Sequence[Any] = ()) -> None:
        self.code: str = code
        self.message: str = message
        self.denied_actions: List[Any] = list(denied_actions)
        super().__init__(f"{code}: {message}")


class GrantError(MandateError):
    """A grant could not be presented (unknown, expired, revoked, completed, or not matching
    the request). ``code`` is the chain violation (``grant.expired``, ...) and ``decision`` the
    deny that evaluating through the grant returns."""

    def __init__(self, code: str, message: str, decision: Any) -> None:
        self.code: str = code
        self.message: str = message
        self.decision: Any = decision
        super().__init__(f"{code}: {message}")


class SessionError(MandateError):
    """A session store could not be opened, or an event or signal was refused."""


class AuditError(MandateError):
    """The audit log could not be opened or written, or an audit record could not be read."""


class ReplayError(DiagnosticError):
    """A Dogwood trace could not be replayed: ``diagnostics`` holds one diagnostic (code
    ``trace``) at the malformed line and column."""


class LintConfigError(DiagnosticError):
    """A lint configuration named an unknown rule or level, or was not valid JSON."""
