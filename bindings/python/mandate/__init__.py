# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Mandate: an embeddable policy engine for authorizing AI agents, from Python.

Cedar's policy language, with a third effect (``require_approval``), agents and delegation
chains, just-in-time grants, sessions with temporal conditions, explanations and an audit
trail. Compile policies once, evaluate requests in microseconds, from any number of threads::

    import mandate

    policies = mandate.PolicySet.from_text('''
        @id("support-read")
        permit (principal in Group::"support", action == Action::"read", resource);
    ''')
    entities = mandate.Entities.from_list([
        {"uid": {"type": "User", "id": "alice"}, "attrs": {},
         "parents": [{"type": "Group", "id": "support"}]},
    ])
    decision = policies.evaluate({
        "principal": {"type": "User", "id": "alice"},
        "action": {"type": "Action", "id": "read"},
        "resource": {"type": "Ticket", "id": "42"},
        "context": {},
    }, entities)
    assert decision and decision.reasons == ["support-read"]

The package is a thin, typed layer over the private ``_mandate`` extension (pybind11) built
with Mandate's C++ library; the GIL is released while C++ runs.
"""

from . import _mandate
from ._audit import AuditLog, least_privilege_report, read_audit_log
from ._convert import DurationLike, EntityLike, EntityRef, TimeLike
from ._core import Decision, Engine, Entities, PolicySet, Request, RequestLike, Schema
from ._errors import (
    AuditError,
    DiagnosticError,
    EntitiesError,
    GrantError,
    GrantRefused,
    MandateError,
    PolicyError,
    ReplayError,
    RequestError,
    SchemaError,
    SessionError,
)
from ._grants import Grant, GrantAuthority, GrantStore
from ._replay import TraceReplayer
from ._sessions import Event, SessionManager, SessionState
from ._tooling import LintConfigError, LintReport, format_file, format_policies, lint, lint_files, lint_rules

#: The engine version, as audit records carry it.
__version__: str = _mandate.version

__all__ = [
    "__version__",
    # policies, entities, requests, decisions
    "PolicySet",
    "Entities",
    "Schema",
    "Request",
    "Decision",
    "Engine",
    "EntityRef",
    # agents
    "Grant",
    "GrantStore",
    "GrantAuthority",
    "SessionManager",
    "SessionState",
    "Event",
    "AuditLog",
    "read_audit_log",
    "least_privilege_report",
    "TraceReplayer",
    # tooling
    "lint",
    "lint_files",
    "lint_rules",
    "LintReport",
    "format_policies",
    "format_file",
    # errors
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
    # type aliases
    "RequestLike",
    "EntityLike",
    "TimeLike",
    "DurationLike",
]
