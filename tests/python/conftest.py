# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for the Python bindings' tests.

The package under test is the one built by CMake with -DMANDATE_BUILD_PYTHON=ON: run with
PYTHONPATH=<build>/python (scripts/test.sh does). Without it, the default build directories are
tried so that `python3 -m pytest tests/python` works after a plain build into build/.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

try:
    import mandate  # noqa: F401
except ImportError:  # pragma: no cover - depends on how pytest is started
    for candidate in (REPO / "build" / "python",):
        if (candidate / "mandate" / "__init__.py").exists():
            sys.path.insert(0, str(candidate))
            break
    import mandate  # noqa: F401

# A fixed time, so expiries, grants and session windows are exact.
T0 = dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.timezone.utc)

SUPPORT_POLICIES = """
@id("support-read")
@reason("Support staff read tickets")
permit (principal in Group::"support", action == Action::"read", resource is Ticket);

@id("support-refund")
permit (principal in Group::"support", action == Action::"refund", resource is Ticket);

@id("large-refund")
@reason("Refunds over 100 need a billing admin")
@approvers("billing-admins")
require_approval (principal, action == Action::"refund", resource)
when { context.amount > 100 };

@id("suspended")
@reason("Suspended accounts do nothing")
forbid (principal, action, resource)
when { principal has suspended && principal.suspended };

@id("agents-approved")
permit (principal is Agent, action == Action::"read", resource is Ticket)
when { principal.approved };
"""

SUPPORT_ENTITIES = [
    {"uid": {"type": "User", "id": "alice"}, "attrs": {"suspended": False}, "parents": [{"type": "Group", "id": "support"}]},
    {"uid": {"type": "User", "id": "mallory"}, "attrs": {"suspended": True}, "parents": [{"type": "Group", "id": "support"}]},
    {"uid": {"type": "User", "id": "eve"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Group", "id": "support"}, "attrs": {}, "parents": []},
    {"uid": {"type": "Agent", "id": "bot"}, "attrs": {"approved": True}, "parents": []},
    {"uid": {"type": "Agent", "id": "rogue"}, "attrs": {"approved": False}, "parents": []},
    {"uid": {"type": "Ticket", "id": "42"}, "attrs": {}, "parents": []},
]


def req(principal: str, action: str, resource: str = "42", **context):
    """A request dict in Cedar's JSON shape: User principal, Action action, Ticket resource."""
    ptype, _, pid = principal.partition(":") if ":" in principal else ("User", "", principal)
    return {
        "principal": {"type": ptype, "id": pid},
        "action": {"type": "Action", "id": action},
        "resource": {"type": "Ticket", "id": resource},
        "context": context,
    }


@pytest.fixture(scope="session")
def policies() -> "mandate.PolicySet":
    return mandate.PolicySet.from_text(SUPPORT_POLICIES, name="support.cedar")


@pytest.fixture(scope="session")
def entities() -> "mandate.Entities":
    return mandate.Entities.from_list(SUPPORT_ENTITIES)


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


def examples_dir() -> Path:
    return REPO / "examples"


def built_package_dir() -> Path:
    return Path(os.path.dirname(mandate.__file__))
