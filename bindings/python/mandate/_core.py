# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Policy sets, entities, schemas, requests and decisions."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)

from . import _mandate
from ._convert import DurationLike, EntityRef, TimeLike, duration_ms, to_ms, to_ref
from ._errors import EntitiesError, PolicyError, RequestError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    from ._audit import AuditLog
    from ._grants import GrantAuthority
    from ._sessions import SessionManager

__all__ = ["Schema", "Entities", "Request", "Decision", "PolicySet", "Engine", "RequestLike", "PathLike"]

PathLike = Union[str, "os.PathLike[str]"]
#: A request: a dict in Cedar's JSON shape (``principal``, ``action``, ``resource``, ``context``,
#: plus Mandate's ``agent``, ``delegation``, ``grant``, ``session``), the same as JSON text, or
#: a :class:`Request` parsed beforehand.
RequestLike = Union[Mapping[str, Any], str, "Request"]

_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode


# ---------------------------------------------------------------------------------------------
# Schemas


class Schema:
    """A Cedar schema: entity types, their attributes and parents, and the actions.

    With a schema, :class:`PolicySet` type-checks policies, :class:`Entities` and requests are
    read as the schema types them (``"10.0.0.1"`` for an ``ipaddr``, ``{"type", "id"}`` for an
    entity) and requests are validated. Immutable and safe to share across threads.
    """

    __slots__ = ("_impl",)

    def __init__(self, impl: _mandate.Schema) -> None:
        self._impl = impl

    @classmethod
    def from_text(cls, text: str, name: str = "<schema>") -> "Schema":
        """Parses Cedar's schema text form (``.cedarschema``). Raises :class:`SchemaError`."""
        return cls(_unwrap(_mandate.Schema.parse(text, name), SchemaError))

    @classmethod
    def from_json(cls, schema: Union[str, Mapping[str, Any]], name: str = "<schema>") -> "Schema":
        """Parses Cedar's JSON schema form, given as text or as a dict. Raises :class:`SchemaError`."""
        text = schema if isinstance(schema, str) else json.dumps(schema)
        return cls(_unwrap(_mandate.Schema.parse_json(text, name), SchemaError))

    @classmethod
    def from_file(cls, path: PathLike) -> "Schema":
        """Reads a schema file: JSON when the name ends in ``.json``, else the text form."""
        return cls(_unwrap(_mandate.Schema.load(os.fspath(path)), SchemaError))

    @property
    def entity_types(self) -> List[str]:
        """Fully qualified entity type names, sorted (actions not included)."""
        return self._impl.entity_type_names()

    @property
    def actions(self) -> List[str]:
        """Actions as Cedar references (``Action::"read"``), sorted."""
        return self._impl.action_names()

    def __repr__(self) -> str:
        return f"<mandate.Schema: {len(self.entity_types)} entity types, {len(self.actions)} actions>"


# ---------------------------------------------------------------------------------------------
# Entities


class Entities:
    """An immutable set of entities (principals, actions, resources) with their attributes and
    their place in the hierarchy, in Cedar's entity JSON shape. Safe to share across threads."""

    __slots__ = ("_impl",)

    def __init__(self, _impl: Optional[_mandate.EntityStore] = None) -> None:
        """An empty set; use :meth:`from_json`, :meth:`from_list` or :meth:`from_file`."""
        self._impl = _impl if _impl is not None else _mandate.EntityStore()

    @classmethod
    def from_json(
        cls, text: Union[str, bytes], *, name: str = "<entities>", schema: Optional[Schema] = None
    ) -> "Entities":
        """Parses Cedar's entity JSON: an array of ``{"uid", "attrs", "parents", "tags"}``.
        Raises :class:`EntitiesError` with the diagnostics."""
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        impl = schema._impl if schema is not None else None
        return cls(_unwrap(_mandate.EntityStore.from_json(text, name, impl), EntitiesError))

    @classmethod
    def from_list(
        cls, entities: Iterable[Mapping[str, Any]], *, name: str = "<entities>", schema: Optional[Schema] = None
    ) -> "Entities":
        """The same from a list of dicts, e.g. ``[{"uid": {"type": "User", "id": "alice"},
        "attrs": {}, "parents": []}]``."""
        try:
            text = json.dumps(list(entities))
        except (TypeError, ValueError) as e:
            raise EntitiesError(f"{name}: error[json]: {e}\n", [_plain_diagnostic("json", str(e), name)]) from None
        return cls.from_json(text, name=name, schema=schema)

    @classmethod
    def from_file(cls, path: PathLike, *, schema: Optional[Schema] = None) -> "Entities":
        """Reads a file of Cedar entity JSON."""
        impl = schema._impl if schema is not None else None
        return cls(_unwrap(_mandate.EntityStore.load(os.fspath(path), impl), EntitiesError))

    def __len__(self) -> int:
        return self._impl.size()

    def __contains__(self, uid: object) -> bool:
        try:
            ref = to_ref(uid)  # type: ignore[arg-type]
        except TypeError:
            return False
        return self._impl.contains(ref)

    def __repr__(self) -> str:
        return f"<mandate.Entities: {len(self)} entities>"


_EMPTY_ENTITIES: Optional[Entities] = None


def _entities_impl(entities: Optional[Entities]) -> _mandate.EntityStore:
    global _EMPTY_ENTITIES
    if entities is None:
        if _EMPTY_ENTITIES is None:
            _EMPTY_ENTITIES = Entities()
        return _EMPTY_ENTITIES._impl
    if not isinstance(entities, Entities):
        raise TypeError(f"entities must be mandate.Entities, not {type(entities).__name__}")
    return entities._impl


# ---------------------------------------------------------------------------------------------
# Requests


class Request:
    """A parsed request, for evaluating the same request many times without parsing it again
    (``policies.evaluate`` also takes the dict directly).

    The dict is Cedar's JSON request: ``principal``, ``action``, ``resource`` (each
    ``{"type", "id"}``, ``{"__entity": {...}}``, ``'Type::"id"'`` or an :class:`EntityRef`) and
    ``context`` (Cedar JSON values), plus Mandate's ``agent`` and ``delegation`` chain (root
    first; hops with ``delegator``, ``delegate``, ``scope``, ``issued_at``, ``expires_at``), and
    how to evaluate it: ``grant`` (a grant id: evaluated through that grant), ``session`` (a
    session id: decided in that session), ``requestId`` (for the session's log) and, with a
    schema, ``validateRequest`` (default true).
    """

    __slots__ = ("_impl", "_validate", "grant", "session", "request_id", "data")

    def __init__(self, request: Union[Mapping[str, Any], str], *, schema: Optional[Schema] = None) -> None:
        data = _as_dict(request, None)
        text, validate, grant, session, request_id = _request_parts(data, None)
        impl, error = _mandate.Request.parse(text, schema._impl if schema is not None else None, validate)
        if impl is None:
            raise RequestError(error)
        self._impl: _mandate.Request = impl
        self._validate: bool = validate
        #: The grant id the request is evaluated through, or "".
        self.grant: str = grant
        #: The session id the request is decided in, or "".
        self.session: str = session
        #: The request id recorded in the session's log, or "".
        self.request_id: str = request_id
        #: The request as given.
        self.data: Mapping[str, Any] = data

    @classmethod
    def from_json(cls, text: str, *, schema: Optional[Schema] = None) -> "Request":
        """Parses a request from JSON text."""
        return cls(text, schema=schema)

    @classmethod
    def _wrap(cls, impl: _mandate.Request) -> "Request":
        self = cls.__new__(cls)
        self._impl = impl
        self._validate = True
        self.grant = ""
        self.session = ""
        self.request_id = ""
        self.data = {}
        return self

    @property
    def principal(self) -> EntityRef:
        """The (accountable) principal."""
        return EntityRef(*self._impl.principal())

    @property
    def action(self) -> EntityRef:
        """The action."""
        return EntityRef(*self._impl.action())

    @property
    def resource(self) -> EntityRef:
        """The resource."""
        return EntityRef(*self._impl.resource())

    @property
    def agent(self) -> Optional[EntityRef]:
        """The agent that acts, when the request names one (or a grant supplied it)."""
        agent = self._impl.agent()
        return None if agent is None else EntityRef(*agent)

    @property
    def delegation(self) -> List[Dict[str, Any]]:
        """The delegation chain, root first: dicts with ``delegator``, ``delegate``, ``scope``
        (:class:`EntityRef` values), ``issued_at_ms``, ``expires_at_ms``, ``grant`` and ``resource``."""
        out = []
        for hop in self._impl.delegation():
            hop["delegator"] = EntityRef(*hop["delegator"])
            hop["delegate"] = EntityRef(*hop["delegate"])
            hop["scope"] = [EntityRef(*a) for a in hop["scope"]]
            if hop["resource"] is not None:
                hop["resource"] = EntityRef(*hop["resource"])
            out.append(hop)
        return out

    def __repr__(self) -> str:
        return f"<mandate.Request {self.principal} {self.action} {self.resource}>"


_ENTITY_KEYS = ("principal", "action", "resource", "agent")


def _as_dict(request: Any, index: Optional[int]) -> Mapping[str, Any]:
    if isinstance(request, str):
        try:
            request = json.loads(request)
        except ValueError as e:
            raise RequestError(f"not JSON: {e}", index) from None
    if not isinstance(request, Mapping):
        raise RequestError(
            f"a request must be a dict (Cedar's JSON shape), JSON text or a mandate.Request, "
            f"not {type(request).__name__}",
            index,
        )
    return request


def _request_parts(request: Mapping[str, Any], index: Optional[int]) -> Tuple[str, bool, str, str, str]:
    """JSON text and the evaluation extras of a request dict."""
    for key in _ENTITY_KEYS:
        if isinstance(request.get(key), tuple):  # an EntityRef or (type, id)
            request = dict(request)
            for k in _ENTITY_KEYS:
                v = request.get(k)
                if isinstance(v, tuple):
                    request[k] = to_ref(v).to_dict()
            break
    get = request.get
    grant = get("grant") or ""
    session = get("session") or ""
    request_id = get("requestId") or ""
    validate = get("validateRequest", True)
    if not isinstance(grant, str):
        raise RequestError('"grant" must be a string (a grant id)', index)
    if not isinstance(session, str):
        raise RequestError('"session" must be a non-empty string (a session id)', index)
    if not isinstance(request_id, str):
        raise RequestError('"requestId" must be a string', index)
    if not isinstance(validate, bool):
        raise RequestError('"validateRequest" must be true or false', index)
    try:
        text = _dumps(request)
    except (TypeError, ValueError) as e:
        raise RequestError(f"not representable as JSON: {e}", index) from None
    return text, validate, grant, session, request_id


def _item(request: Any, index: Optional[int]) -> Tuple[Any, bool, str, str, str]:
    """(JSON text or parsed request, validate, grant, session, request id)."""
    if type(request) is dict:  # the common case first
        return _request_parts(request, index)
    if isinstance(request, Request):
        return request._impl, request._validate, request.grant, request.session, request.request_id
    return _request_parts(_as_dict(request, index), index)


# ---------------------------------------------------------------------------------------------
# Decisions


class Decision:
    """The outcome of evaluating one request.

    ``bool(decision)`` is true only for ``"allow"``: ``"require_approval"`` is not permission
    yet. Errors raised by policy conditions are in ``errors``, never exceptions.
    """

    __slots__ = ("_d", "_explanation")

    def __init__(self, impl: _mandate.Decision) -> None:
        self._d = impl
        self._explanation: Optional[Dict[str, Any]] = None

    @property
    def decision(self) -> str:
        """``"allow"``, ``"deny"`` or ``"require_approval"``."""
        return self._d.outcome

    @property
    def allowed(self) -> bool:
        """True only for ``"allow"`` (the same as ``bool(decision)``)."""
        return self._d.allowed

    @property
    def denied(self) -> bool:
        """True for ``"deny"``."""
        return self._d.outcome == "deny"

    @property
    def needs_approval(self) -> bool:
        """True for ``"require_approval"``: route the request to the approvers named in the
        deciding policies' annotations."""
        return self._d.outcome == "require_approval"

    @property
    def reasons(self) -> List[str]:
        """Ids of the determining policies, in policy order (empty for a default deny)."""
        return self._d.reasons

    @property
    def errors(self) -> List[Dict[str, str]]:
        """``{"policy", "message"}`` for every policy whose condition raised an error."""
        return self._d.errors

    @property
    def annotations(self) -> Dict[str, Dict[str, str]]:
        """Each determining policy's annotations (``@reason``, ``@approvers``, ...), by policy id."""
        return self._d.annotations

    @property
    def mode(self) -> str:
        """``"mandate"`` or ``"cedar"``."""
        return self._d.mode

    @property
    def failed_closed(self) -> bool:
        """True when an erroring ``forbid`` or ``require_approval``, counted as satisfied, made the
        outcome stricter than skipping it (as Cedar does) would have."""
        return self._d.failed_closed

    @property
    def decided_by(self) -> Optional[Dict[str, Any]]:
        """For a delegation chain: ``{"hop": N, "principal": 'Type::"id"'}``, the identity that decided."""
        hop = self._d.deciding_hop
        if hop < 0:
            return None
        return {"hop": hop, "principal": self._d.deciding_principal}

    @property
    def chain_violation(self) -> Optional[str]:
        """Why a delegation chain or grant was refused before any policy ran (``chain.expired``,
        ``grant.revoked``, ...), else None. ``chain_message`` says it in words."""
        return self._d.chain_violation or None

    @property
    def chain_message(self) -> Optional[str]:
        """The chain violation in words, else None."""
        return self._d.chain_message or None

    @property
    def response(self) -> Optional[str]:
        """What a session asks of the agent: ``"throttle"``, ``"terminate"`` or None."""
        return self._d.response

    @property
    def retry_after_ms(self) -> int:
        """With ``response == "throttle"``: how long to wait, in milliseconds."""
        return self._d.retry_after_ms

    @property
    def explanation(self) -> Optional[Dict[str, Any]]:
        """When evaluated with ``explain=True``: why, as the dict of Mandate's explanation JSON
        (``summary``, ``identities`` with every candidate policy's scope, clauses and effect)
        plus ``text`` (the verdict in words) and ``text_with_sources`` (the same with source
        excerpts and carets). None otherwise."""
        if self._explanation is None and self._d.explained:
            explanation = json.loads(self._d.explanation_json)
            explanation["text"] = self._d.explanation_text
            explanation["text_with_sources"] = self._d.explanation_sources
            self._explanation = explanation
        return self._explanation

    def to_json(self) -> str:
        """The decision as ``mandate eval`` prints it: one line of JSON (without explanation)."""
        return self._d.to_json()

    def to_dict(self) -> Dict[str, Any]:
        """The decision as a dict, with ``"explanation"`` when one was asked for."""
        out: Dict[str, Any] = json.loads(self._d.to_json())
        if self._d.explained:
            out["explanation"] = self.explanation
        return out

    def __bool__(self) -> bool:
        return self._d.allowed

    def __repr__(self) -> str:
        return f"<mandate.Decision {self._d.outcome} reasons={self._d.reasons!r}>"


# ---------------------------------------------------------------------------------------------
# Policy sets


class PolicySet:
    """A compiled, immutable set of Cedar (and Mandate) policies.

    Compile once, then evaluate from any number of threads at once: the GIL is released while
    Mandate evaluates. Create with :meth:`from_text`, :meth:`from_sources` or :meth:`from_files`.
    """

    __slots__ = ("_impl", "_schema", "_validation")

    def __init__(self, impl: _mandate.PolicySet, schema: Optional[Schema] = None) -> None:
        self._impl = impl
        self._schema = schema
        self._validation: List[Dict[str, Any]] = []
        if schema is not None:
            diagnostics, rendered = impl.validate(schema._impl)
            if any(d["severity"] == "error" for d in diagnostics):
                raise PolicyError(rendered, diagnostics)
            self._validation = diagnostics

    @classmethod
    def from_text(
        cls,
        text: str,
        name: str = "<input>",
        *,
        schema: Optional[Schema] = None,
        links: Optional[Sequence[Mapping[str, Any]]] = None,
        max_window: Optional[DurationLike] = None,
    ) -> "PolicySet":
        """Compiles policy text; ``name`` is shown in diagnostics.

        ``schema`` type-checks the policies (errors raise) and is used to read requests;
        ``links`` links templates, in the Cedar CLI's ``--template-linked`` shape
        (``[{"template_id", "link_id", "args": {"?principal": ..., "?resource": ...}}]``);
        ``max_window`` is the longest window a temporal condition may use (default 24 hours).
        Raises :class:`PolicyError` carrying ``rendered`` and ``diagnostics``.
        """
        return cls.from_sources([(name, text)], schema=schema, links=links, max_window=max_window)

    @classmethod
    def from_sources(
        cls,
        sources: Union[Mapping[str, str], Iterable[Tuple[str, str]]],
        *,
        schema: Optional[Schema] = None,
        links: Optional[Sequence[Mapping[str, Any]]] = None,
        max_window: Optional[DurationLike] = None,
    ) -> "PolicySet":
        """Compiles several named texts (``{name: text}`` or ``(name, text)`` pairs) as one set;
        policy ids run on across them in order."""
        pairs = list(sources.items()) if isinstance(sources, Mapping) else [(n, t) for n, t in sources]
        for n, t in pairs:
            if not isinstance(n, str) or not isinstance(t, str):
                raise TypeError("policy sources are (name, text) pairs of str")
        links_json = "" if links is None else json.dumps(list(links))
        window = None if max_window is None else duration_ms(max_window)
        impl = _unwrap(_mandate.PolicySet.compile(pairs, links_json, window, None, None, None), PolicyError)
        return cls(impl, schema)

    @classmethod
    def from_files(
        cls,
        paths: Union[PathLike, Iterable[PathLike]],
        *,
        schema: Optional[Schema] = None,
        links: Optional[Sequence[Mapping[str, Any]]] = None,
        max_window: Optional[DurationLike] = None,
    ) -> "PolicySet":
        """Compiles a file, or every ``*.cedar`` / ``*.mandate`` file under a directory (in
        sorted path order), or several of either, as one set. An unreadable file is a
        :class:`PolicyError` with a diagnostic of code ``"io"``."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        paths = [os.fspath(p) for p in paths]
        window = None if max_window is None else duration_ms(max_window)
        if len(paths) == 1 and links is None:
            return cls(_unwrap(_mandate.PolicySet.load(paths[0], window, None, None, None), PolicyError), schema)
        sources = _read_policy_sources(paths)
        return cls.from_sources(sources, schema=schema, links=links, max_window=max_window)

    def link(self, links: Sequence[Mapping[str, Any]]) -> "PolicySet":
        """A new set with template ``links`` added (this one is unchanged). Raises :class:`PolicyError`."""
        impl = _unwrap(self._impl.link(json.dumps(list(links))), PolicyError)
        return PolicySet(impl, self._schema)

    def validate(self, schema: Schema) -> List[Dict[str, Any]]:
        """Type-checks the policies against ``schema``; the diagnostics (empty when clean)."""
        return self._impl.validate(schema._impl)[0]

    @property
    def schema(self) -> Optional[Schema]:
        """The schema the set was compiled with, if any."""
        return self._schema

    @property
    def policy_ids(self) -> List[str]:
        """Policy ids in source order (``@id`` or ``policy0``, ...), then linked policies'."""
        return self._impl.policy_ids()

    @property
    def template_ids(self) -> List[str]:
        """Ids of the template policies (with ``?principal`` / ``?resource`` slots), in source order."""
        return self._impl.template_ids()

    @property
    def fingerprint(self) -> int:
        """A 64-bit fingerprint of the normalised policy text, as audit records carry it."""
        return self._impl.fingerprint()

    @property
    def warnings(self) -> List[Dict[str, Any]]:
        """Non-fatal diagnostics of compiling (and of type-checking, with a schema)."""
        return self._impl.warnings() + self._validation

    def __len__(self) -> int:
        return self._impl.size()

    def __repr__(self) -> str:
        return f"<mandate.PolicySet: {len(self)} policies>"

    def evaluate(
        self,
        request: RequestLike,
        entities: Optional[Entities] = None,
        *,
        explain: bool = False,
        mode: str = "mandate",
        now: Optional[TimeLike] = None,
        grants: Optional["GrantAuthority"] = None,
        sessions: Optional["SessionManager"] = None,
        audit: Optional["AuditLog"] = None,
        engine: str = "plan",
    ) -> Decision:
        """Evaluates one request and returns the :class:`Decision`.

        ``request`` is a dict in Cedar's JSON shape (see :class:`Request`). A request naming a
        ``grant`` is evaluated through it (``grants`` required); one naming a ``session`` is
        decided in it (``sessions`` required). ``explain`` fills ``decision.explanation``;
        ``mode="cedar"`` skips erroring policies as Cedar does; ``now`` is the time delegation
        hops, grants and sessions are checked against (default: the clock); ``audit`` appends
        the decision's audit line. Raises :class:`RequestError` for a malformed request; never
        for errors in policy conditions.
        """
        handle, validate, grant, session, request_id = _item(request, None)
        try:
            return Decision(
                self._impl.evaluate(
                    handle,
                    _entities_impl(entities),
                    mode,
                    to_ms(now) if now is not None else None,
                    explain,
                    self._schema._impl if self._schema is not None else None,
                    validate,
                    grant,
                    grants._impl if grants is not None else None,
                    session,
                    sessions._impl if sessions is not None else None,
                    request_id,
                    audit._impl if audit is not None else None,
                    engine,
                )
            )
        except _mandate.RequestFailure as e:
            raise RequestError(e.args[0]) from None

    def evaluate_batch(
        self,
        requests: Iterable[RequestLike],
        entities: Optional[Entities] = None,
        *,
        explain: bool = False,
        mode: str = "mandate",
        now: Optional[TimeLike] = None,
        grants: Optional["GrantAuthority"] = None,
        sessions: Optional["SessionManager"] = None,
        audit: Optional["AuditLog"] = None,
        engine: str = "plan",
    ) -> List[Decision]:
        """Evaluates many requests in one call (one crossing into C++, the GIL released once);
        the decisions are in request order. Every request is parsed before any is decided: a
        malformed one raises :class:`RequestError` with its ``index`` and nothing is decided."""
        items = [_item(r, i) for i, r in enumerate(requests)]
        try:
            decisions = self._impl.evaluate_batch(
                items,
                _entities_impl(entities),
                mode,
                to_ms(now),
                explain,
                self._schema._impl if self._schema is not None else None,
                grants._impl if grants is not None else None,
                sessions._impl if sessions is not None else None,
                audit._impl if audit is not None else None,
                engine,
            )
        except _mandate.RequestFailure as e:
            raise RequestError(e.args[0], e.args[1]) from None
        return [Decision(d) for d in decisions]


def _read_policy_sources(paths: Iterable[str]) -> List[Tuple[str, str]]:
    """``(name, text)`` for each file, or each ``*.cedar`` / ``*.mandate`` file under a
    directory; an unreadable file or an empty directory raises :class:`PolicyError` ("io")."""
    sources = []
    for p in paths:
        files = _policy_files(p) if os.path.isdir(p) else [p]
        if not files:
            message = "no *.cedar or *.mandate files in directory"
            raise PolicyError(f"{p}: error[io]: {message}\n", [_plain_diagnostic("io", message, p)])
        for f in files:
            try:
                with open(f, encoding="utf-8", newline="") as handle:
                    sources.append((f, handle.read()))
            except (OSError, UnicodeDecodeError) as e:
                message = f"cannot read '{f}': {e}"
                raise PolicyError(f"{f}: error[io]: {message}\n", [_plain_diagnostic("io", message, f)]) from None
    return sources


def _policy_files(directory: str) -> List[str]:
    found = []
    for root, _dirs, files in os.walk(directory):
        for f in files:
            if f.endswith((".cedar", ".mandate")):
                path = os.path.join(root, f)
                if os.path.isfile(path):
                    found.append(path)
    return sorted(found, key=lambda p: Path(p).parts)


# ---------------------------------------------------------------------------------------------
# Engine


class Engine:
    """Holds the current policy set and entities and lets one thread replace them while others
    evaluate: each evaluation reads one consistent snapshot, so a replacement never mixes old
    policies with new entities."""

    __slots__ = ("_snapshot",)

    def __init__(self, policies: PolicySet, entities: Optional[Entities] = None) -> None:
        self._snapshot: Tuple[PolicySet, Entities] = (policies, entities if entities is not None else Entities())

    @property
    def policies(self) -> PolicySet:
        """The current policy set."""
        return self._snapshot[0]

    @property
    def entities(self) -> Entities:
        """The current entities."""
        return self._snapshot[1]

    def snapshot(self) -> Tuple[PolicySet, Entities]:
        """The current (policies, entities), taken together."""
        return self._snapshot

    def replace_policies(self, policies: PolicySet) -> None:
        """Publishes a new policy set; evaluations already running finish on the old one."""
        if not isinstance(policies, PolicySet):
            raise TypeError("policies must be a mandate.PolicySet")
        self._snapshot = (policies, self._snapshot[1])

    def replace_entities(self, entities: Entities) -> None:
        """Publishes new entities."""
        if not isinstance(entities, Entities):
            raise TypeError("entities must be mandate.Entities")
        self._snapshot = (self._snapshot[0], entities)

    def evaluate(self, request: RequestLike, **options: Any) -> Decision:
        """``PolicySet.evaluate`` against the current snapshot; same keyword options."""
        policies, entities = self._snapshot
        return policies.evaluate(request, entities, **options)

    def evaluate_batch(self, requests: Iterable[RequestLike], **options: Any) -> List[Decision]:
        """``PolicySet.evaluate_batch`` against the current snapshot."""
        policies, entities = self._snapshot
        return policies.evaluate_batch(requests, entities, **options)


# ---------------------------------------------------------------------------------------------
# Helpers


def _unwrap(result: Tuple[Any, List[Dict[str, Any]], str], error: type) -> Any:
    value, diagnostics, rendered = result
    if value is None:
        raise error(rendered, diagnostics)
    return value


def _plain_diagnostic(code: str, message: str, file: str) -> Dict[str, Any]:
    return {
        "code": code,
        "severity": "error",
        "message": message,
        "file": file,
        "line": 0,
        "column": 0,
        "offset": 0,
        "length": 0,
        "source_line": "",
    }


def _iter_lines(path: PathLike) -> Iterator[str]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                yield line
