# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Continuous authorization: sessions keep an agent's events so that policies' ``temporal { ... }``
conditions (rate limits, running totals, "approved before") read what happened before, and
signals from outside (OpenID CAEP) change a session or a principal between two requests."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Callable, Dict, Mapping, Optional, Union

from . import _mandate
from ._convert import EntityLike, TimeLike, clock_ms, opt_ref, to_ms, to_ref
from ._core import Decision, Entities, PathLike, PolicySet, Request, RequestLike, _as_dict
from ._errors import SessionError

__all__ = ["Event", "SessionState", "SessionManager"]


@dataclasses.dataclass
class Event:
    """What happened after a decision, reported with :meth:`SessionManager.record`: by default a
    tool's ``"response"`` (or ``"error"``, or an event schema's own kind) about ``action``, with
    ``fields`` such as ``{"input": {...}, "output": {...}}`` in Cedar's JSON value form."""

    action: EntityLike
    kind: str = "response"
    fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    request_id: str = ""
    principal: Optional[EntityLike] = None
    resource: Optional[EntityLike] = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Event":
        """From the shape ``mandate eval`` reads: ``{"kind", "action", "fields", "requestId",
        "principal", "resource"}``."""
        if "action" not in data:
            raise SessionError('an event needs an "action": {"type": .., "id": ..}')
        return cls(
            action=data["action"],
            kind=data.get("kind", "response"),
            fields=data.get("fields", {}),
            request_id=data.get("requestId", data.get("request_id", "")),
            principal=data.get("principal"),
            resource=data.get("resource"),
        )


@dataclasses.dataclass(frozen=True)
class SessionState:
    """What a session holds right now."""

    exists: bool
    terminated: bool
    terminated_reason: str
    events_seen: int  #: every event ever recorded
    events_kept: int  #: events still within reach of some window
    bytes: int  #: memory held by the kept events and the monitors
    risk_level: str
    assurance_level: str


class SessionManager:
    """Sessions for a policy set's temporal conditions. Thread-safe: different sessions are
    decided in parallel; one session's events are ordered.

    ``log_path`` keeps the events in a JSON-lines file across restarts (replayed on open,
    compacted as windows expire); ``clock`` (a callable returning the current time as a datetime
    or seconds since the epoch) replaces the system clock, and any call's ``now=`` overrides both
    for that call. ``incremental=False`` answers temporal conditions by re-reading the history
    (for comparisons). ``policies`` and ``entities`` may be replaced at any time.
    """

    __slots__ = ("_impl", "policies", "entities")

    def __init__(
        self,
        policies: PolicySet,
        entities: Optional[Entities] = None,
        *,
        log_path: Optional[PathLike] = None,
        clock: Optional[Callable[[], TimeLike]] = None,
        incremental: bool = True,
        compact_after_lines: int = 10000,
    ) -> None:
        impl, error = _mandate.SessionManager.open(
            os.fspath(log_path) if log_path is not None else "", clock_ms(clock), incremental, compact_after_lines
        )
        if impl is None:
            raise SessionError(error)
        self._impl = impl
        self.policies: PolicySet = policies
        self.entities: Entities = entities if entities is not None else Entities()

    def evaluate(self, session_id: str, request: RequestLike, **options: Any) -> Decision:
        """Records ``request`` in session ``session_id`` (created on first use) and decides it
        with the session's history visible to temporal conditions. A satisfied forbid annotated
        ``@response("throttle")`` sets ``decision.response`` and ``retry_after_ms``;
        ``@response("terminate")`` ends the session, after which every request is denied.
        Keyword options as :meth:`PolicySet.evaluate` (``explain``, ``mode``, ``now``, ``audit``,
        ``grants``)."""
        if not isinstance(session_id, str) or not session_id:
            raise SessionError("a session id must be a non-empty string")
        if isinstance(request, Request):
            data: Dict[str, Any] = dict(request.data)
            if not data:
                raise SessionError("SessionManager.evaluate needs a request dict or a Request made from one")
        else:
            data = dict(_as_dict(request, None))
        data["session"] = session_id
        return self.policies.evaluate(data, self.entities, sessions=self, **options)

    def record(
        self,
        session_id: str,
        event: Union[Event, Mapping[str, Any]],
        *,
        now: Optional[TimeLike] = None,
    ) -> None:
        """Records a ``response``, ``error`` or other history-only event in the session."""
        if not isinstance(event, Event):
            event = Event.from_dict(event)
        error = self._impl.record(
            session_id,
            event.kind,
            to_ref(event.action),
            json.dumps(dict(event.fields)),
            event.request_id,
            opt_ref(event.principal),
            opt_ref(event.resource),
            to_ms(now),
        )
        if error:
            raise SessionError(error)

    def signal(
        self,
        type: str,
        *,
        session_id: Optional[str] = None,
        subject: Optional[EntityLike] = None,
        claims: Optional[Mapping[str, Any]] = None,
        level: Optional[str] = None,
        reason: Optional[str] = None,
        now: Optional[TimeLike] = None,
    ) -> None:
        """Applies an OpenID CAEP signal: ``session-revoked``, ``token-claims-change`` (``claims``
        is ``{"attrs": {...}, "parents": [...]}``), ``credential-change``,
        ``assurance-level-change`` or ``risk-level-change`` (``level``). Without ``session_id``
        it concerns every session whose last request had ``subject`` as principal. The next
        request sees it. Raises :class:`SessionError` for a bad signal."""
        error = self._impl.signal(
            type,
            session_id or "",
            opt_ref(subject),
            json.dumps(dict(claims)) if claims is not None else "",
            level or "",
            reason or "",
            to_ms(now),
        )
        if error:
            raise SessionError(error)

    def state(self, session_id: str, *, now: Optional[TimeLike] = None) -> SessionState:
        """What session ``session_id`` holds right now (``exists`` is False for an unknown one)."""
        return SessionState(**self._impl.state(session_id, to_ms(now)))

    def compact(self) -> None:
        """Rewrites the log file to hold only what the sessions still need."""
        error = self._impl.compact()
        if error:
            raise SessionError(error)
