# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""The audit trail: one JSON line per decision, naming the agent, the principal, the whole
delegation chain, the action, the resource, the outcome, the deciding policies, the grant and
session, the policy set's fingerprint and the engine's version; and the least-privilege report
built from such logs."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from . import _mandate
from ._convert import TimeLike, to_ms
from ._core import Decision, Entities, PathLike, PolicySet, Request, RequestLike, _as_dict, _entities_impl
from ._errors import AuditError

__all__ = ["AuditLog", "read_audit_log", "least_privilege_report"]


class AuditLog:
    """Appends one JSON line per decision to a file, flushed line by line, from any number of
    threads (lines never interleave). Pass it as ``audit=`` to ``evaluate`` to log every
    decision, or log one with :meth:`record`."""

    __slots__ = ("_impl", "path")

    def __init__(self, path: PathLike) -> None:
        impl, error = _mandate.FileAuditSink.open(os.fspath(path))
        if impl is None:
            raise AuditError(error)
        self._impl = impl
        self.path: str = os.fspath(path)

    def record(
        self,
        request: RequestLike,
        decision: Decision,
        policies: PolicySet,
        *,
        grant: Optional[str] = None,
        session: Optional[str] = None,
        time: Optional[TimeLike] = None,
    ) -> Dict[str, Any]:
        """Appends the record of one evaluation and returns it as a dict."""
        req = request if isinstance(request, Request) else Request(_as_dict(request, None))
        time_ms = to_ms(time)
        line = self._impl.write_decision(
            req._impl,
            decision._d,
            policies._impl,
            time_ms if time_ms is not None else _mandate.system_time_ms(),
            grant or req.grant,
            session or req.session,
        )
        if self._impl.failed():
            raise AuditError(f"could not write the audit line to '{self.path}'")
        return json.loads(line)

    @property
    def failed(self) -> bool:
        """True once a write could not be completed (disk full, I/O error): a caller that must
        not decide without a trail checks it after evaluating."""
        return self._impl.failed()

    def __repr__(self) -> str:
        return f"<mandate.AuditLog {self.path!r}>"


def read_audit_log(*paths: PathLike) -> List[Dict[str, Any]]:
    """The records of one or more audit log files, as dicts, in order."""
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    records.append(json.loads(line))
                except ValueError as e:
                    raise AuditError(f"{os.fspath(path)}:{number}: not an audit record: {e}") from None
    return records


def least_privilege_report(
    policies: PolicySet,
    records: Iterable[Union[Mapping[str, Any], str]],
    entities: Optional[Entities] = None,
    *,
    issued_grants: Iterable[str] = (),
) -> Dict[str, Any]:
    """What the logged agents were allowed but did not use: ``unused_permits`` (policy ids),
    ``agents`` (each agent's ``allowed_actions``, ``used_actions`` and ``excess_actions``),
    ``unused_grants`` and ``deep_chains`` (allowed chains deeper than needed). ``records`` are
    audit records as dicts (:func:`read_audit_log`) or JSON lines; ``issued_grants`` lists grants
    issued in the period, so that those never used count even when no record names them."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    report, error = _mandate.least_privilege_report(
        policies._impl, lines, _entities_impl(entities), list(issued_grants)
    )
    if report is None:
        raise AuditError(error)
    return json.loads(report)
