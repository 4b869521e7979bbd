# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Just-in-time grants: time-bounded, task-scoped delegations minted only for what the policies
allow, presented as the last hop of a request's delegation chain, and dead at expiry, at task
completion or on revocation (with every grant delegated from them)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from . import _mandate
from ._convert import DurationLike, EntityLike, EntityRef, TimeLike, clock_ms, duration_ms, parse_time, to_ms, to_ref
from ._core import Decision, Entities, PathLike, PolicySet, Request, RequestLike, _as_dict, _entities_impl
from ._errors import GrantError, GrantRefused, RequestError

__all__ = ["Grant", "GrantStore", "GrantAuthority"]


@dataclasses.dataclass(frozen=True)
class Grant:
    """A grant as recorded: ``agent`` may act for ``principal`` on ``task``, for the actions in
    ``scope`` on ``resource`` (and what is in it), from ``issued_at`` until ``expires_at``."""

    id: str
    principal: EntityRef
    agent: EntityRef
    task: str
    scope: Tuple[EntityRef, ...]
    resource: EntityRef
    issued_at: _dt.datetime
    expires_at: _dt.datetime
    parent: Optional[str] = None
    revoked: bool = False
    revoked_at: Optional[_dt.datetime] = None
    revoked_because: Optional[str] = None

    @classmethod
    def _from_json(cls, text: str) -> "Grant":
        j = json.loads(text)
        issued_at = parse_time(j["issued_at"])
        expires_at = parse_time(j["expires_at"])
        assert issued_at is not None and expires_at is not None
        return cls(
            id=j["id"],
            principal=to_ref(j["principal"]),
            agent=to_ref(j["agent"]),
            task=j["task"],
            scope=tuple(to_ref(a) for a in j["scope"]),
            resource=to_ref(j["resource"]),
            issued_at=issued_at,
            expires_at=expires_at,
            parent=j.get("parent") or None,
            revoked=bool(j.get("revoked", False)),
            revoked_at=parse_time(j.get("revoked_at")),
            revoked_because=j.get("revoked_because") or None,
        )

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready: entities as ``{"type", "id"}``, times as RFC 3339 text."""
        out: Dict[str, Any] = {
            "id": self.id,
            "principal": self.principal.to_dict(),
            "agent": self.agent.to_dict(),
            "task": self.task,
            "scope": [a.to_dict() for a in self.scope],
            "resource": self.resource.to_dict(),
            "issued_at": _rfc3339(self.issued_at),
            "expires_at": _rfc3339(self.expires_at),
            "parent": self.parent or "",
            "revoked": self.revoked,
        }
        if self.revoked_at is not None:
            out["revoked_at"] = _rfc3339(self.revoked_at)
        if self.revoked_because is not None:
            out["revoked_because"] = self.revoked_because
        return out


def _rfc3339(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class GrantStore:
    """Grants kept in process memory (thread-safe), saved to and loaded from JSON."""

    __slots__ = ("_impl",)

    def __init__(self, _impl: Optional[_mandate.GrantStore] = None) -> None:
        self._impl = _impl if _impl is not None else _mandate.GrantStore()

    @classmethod
    def from_json(cls, text: str) -> "GrantStore":
        """Loads a store saved by :meth:`to_json` (keeps ids and revocations). Raises ValueError."""
        impl, error = _mandate.GrantStore.from_json(text)
        if impl is None:
            raise ValueError(error)
        return cls(impl)

    @classmethod
    def load(cls, path: PathLike) -> "GrantStore":
        """Loads a store from a JSON file (a missing file is an empty store)."""
        if not os.path.exists(path):
            return cls()
        with open(path, encoding="utf-8") as handle:
            return cls.from_json(handle.read())

    def to_json(self) -> str:
        """The grants as a JSON array, in insertion order."""
        return self._impl.to_json()

    def save(self, path: PathLike) -> None:
        """Writes :meth:`to_json` to ``path`` atomically (a temporary file renamed over it)."""
        tmp = f"{os.fspath(path)}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(self.to_json())
        os.replace(tmp, path)

    def get(self, grant_id: str) -> Optional[Grant]:
        """The grant with that id, or None."""
        text = self._impl.find(grant_id)
        return None if text is None else Grant._from_json(text)

    def grants(self) -> List[Grant]:
        """Every grant, in insertion order."""
        return [Grant._from_json(t) for t in self._impl.all()]

    def __getitem__(self, grant_id: str) -> Grant:
        grant = self.get(grant_id)
        if grant is None:
            raise KeyError(grant_id)
        return grant

    def __contains__(self, grant_id: object) -> bool:
        return isinstance(grant_id, str) and self._impl.find(grant_id) is not None

    def __iter__(self) -> Iterator[Grant]:
        return iter(self.grants())

    def __len__(self) -> int:
        return len(self._impl.all())


class GrantAuthority:
    """Issues, presents and revokes grants against a :class:`GrantStore`. Safe to use from many
    threads.

    ``clock`` (a callable returning the current time as a datetime or seconds since the epoch)
    replaces the system clock, e.g. in tests; any call's ``now=`` overrides both for that call.
    """

    __slots__ = ("_impl", "store")

    def __init__(self, store: Optional[GrantStore] = None, *, clock: Optional[Callable[[], TimeLike]] = None) -> None:
        self.store: GrantStore = store if store is not None else GrantStore()
        self._impl = _mandate.GrantAuthority(self.store._impl, clock_ms(clock))

    def issue(
        self,
        policies: PolicySet,
        entities: Optional[Entities] = None,
        *,
        agent: EntityLike,
        task: str,
        scope: Iterable[EntityLike],
        resource: EntityLike,
        duration: DurationLike,
        principal: Optional[EntityLike] = None,
        parent: Optional[str] = None,
        now: Optional[TimeLike] = None,
    ) -> Grant:
        """Lets ``agent`` act for ``principal`` on ``task``, for the actions of ``scope`` on
        ``resource``, for at most ``duration``. Every action of the scope is checked under
        ``policies`` for every identity of the chain first; anything not allowed (a
        ``require_approval`` included) refuses the grant with :class:`GrantRefused`. With
        ``parent`` (a grant id) the grant is delegated further from it and may only narrow it;
        ``principal`` may then be left out (it is the parent's agent)."""
        if principal is None and parent is None:
            raise TypeError("issue() needs a principal (or a parent grant)")
        p = to_ref(principal) if principal is not None else EntityRef("", "")
        text, refusal = self._impl.issue(
            p,
            to_ref(agent),
            task,
            [to_ref(a) for a in scope],
            to_ref(resource),
            duration_ms(duration),
            parent or "",
            policies._impl,
            _entities_impl(entities),
            to_ms(now),
        )
        if text is None:
            raise GrantRefused(
                refusal["code"], refusal["message"], [EntityRef(*a) for a in refusal["denied_actions"]]
            )
        return Grant._from_json(text)

    def state(self, grant_id: str, *, now: Optional[TimeLike] = None) -> Optional[str]:
        """``"active"``, ``"expired"``, ``"task_completed"`` or ``"revoked"``; None if unknown. A
        grant whose ancestor stopped working reports the ancestor's state."""
        return self._impl.state(grant_id, to_ms(now))

    def present(self, request: RequestLike, grant_id: str, *, now: Optional[TimeLike] = None) -> Request:
        """The request as it is evaluated under the grant: with the grant's ancestry as its
        delegation chain and the grant's agent. Raises :class:`GrantError` (with the deny
        decision) when the grant cannot be presented."""
        req = request if isinstance(request, Request) else Request(_as_dict(request, None))
        presented, refused = self._impl.present(req._impl, grant_id, to_ms(now))
        if presented is None:
            d = Decision(refused)
            raise GrantError(d.chain_violation or "grant.error", d.chain_message or "", d)
        return Request._wrap(presented)

    def evaluate(
        self,
        request: RequestLike,
        grant_id: str,
        policies: PolicySet,
        entities: Optional[Entities] = None,
        **options: Any,
    ) -> Decision:
        """Evaluates ``request`` through grant ``grant_id``: ``policies.evaluate`` with the
        request's ``grant`` set; same keyword options. An unknown, expired, revoked or
        completed grant is a deny whose ``chain_violation`` says which."""
        if isinstance(request, Request):
            data = dict(request.data)
            if not data:
                raise RequestError("GrantAuthority.evaluate needs a request dict or a Request made from one")
        else:
            data = dict(_as_dict(request, None))
        data["grant"] = grant_id
        return policies.evaluate(data, entities, grants=self, **options)

    def complete_task(self, task: str) -> int:
        """Ends every grant of the task (and every grant delegated from them); how many ended now."""
        return self._impl.complete_task(task)

    def revoke_grant(self, grant_id: str) -> int:
        """Revokes the grant and every grant delegated from it; how many were revoked now."""
        return self._impl.revoke_grant(grant_id)

    def revoke_task(self, task: str) -> int:
        """Revokes every grant of the task (and what was delegated from them); how many now."""
        return self._impl.revoke_task(task)

    def revoke_agent(self, agent: EntityLike) -> int:
        """Revokes every grant to the agent (and what was delegated from them); how many now."""
        return self._impl.revoke_agent(to_ref(agent))

    def revoke_principal(self, principal: EntityLike) -> int:
        """Revokes every grant from the principal (and what was delegated from them); how many now."""
        return self._impl.revoke_principal(to_ref(principal))
