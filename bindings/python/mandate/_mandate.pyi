# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
# Types of the private extension (bindings/python/src/module.cpp). Use the `mandate` package.
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

_Ref = Tuple[str, str]
_Diagnostics = List[Dict[str, Any]]

version: str

class RequestFailure(ValueError): ...

def parse_rfc3339(text: str) -> Optional[int]: ...
def parse_duration_ms(text: str) -> Optional[int]: ...
def system_time_ms() -> int: ...

class Schema:
    @staticmethod
    def parse(text: str, name: str) -> Tuple[Optional[Schema], _Diagnostics, str]: ...
    @staticmethod
    def parse_json(text: str, name: str) -> Tuple[Optional[Schema], _Diagnostics, str]: ...
    @staticmethod
    def load(path: str) -> Tuple[Optional[Schema], _Diagnostics, str]: ...
    def entity_type_names(self) -> List[str]: ...
    def action_names(self) -> List[str]: ...

class EntityStore:
    def __init__(self) -> None: ...
    @staticmethod
    def from_json(json: str, name: str, schema: Optional[Schema]) -> Tuple[Optional[EntityStore], _Diagnostics, str]: ...
    @staticmethod
    def load(path: str, schema: Optional[Schema]) -> Tuple[Optional[EntityStore], _Diagnostics, str]: ...
    def size(self) -> int: ...
    def contains(self, uid: _Ref) -> bool: ...

class Request:
    @staticmethod
    def parse(json: str, schema: Optional[Schema], validate: bool) -> Tuple[Optional[Request], str]: ...
    def principal(self) -> _Ref: ...
    def action(self) -> _Ref: ...
    def resource(self) -> _Ref: ...
    def agent(self) -> Optional[_Ref]: ...
    def delegation(self) -> List[Dict[str, Any]]: ...

class Decision:
    outcome: str
    allowed: bool
    reasons: List[str]
    errors: List[Dict[str, str]]
    annotations: Dict[str, Dict[str, str]]
    mode: str
    failed_closed: bool
    deciding_hop: int
    deciding_principal: str
    chain_violation: str
    chain_message: str
    response: Optional[str]
    retry_after_ms: int
    explained: bool
    explanation_json: str
    explanation_text: str
    explanation_sources: str
    def to_json(self) -> str: ...

class GrantStore:
    def __init__(self) -> None: ...
    @staticmethod
    def from_json(json: str) -> Tuple[Optional[GrantStore], str]: ...
    def to_json(self) -> str: ...
    def find(self, id: str) -> Optional[str]: ...
    def all(self) -> List[str]: ...

class GrantAuthority:
    def __init__(self, store: GrantStore, clock: Optional[Callable[[], int]]) -> None: ...
    def issue(
        self,
        principal: _Ref,
        agent: _Ref,
        task: str,
        scope: List[_Ref],
        resource: _Ref,
        duration_ms: int,
        parent: str,
        policies: PolicySet,
        entities: EntityStore,
        now_ms: Optional[int],
    ) -> Tuple[Optional[str], Optional[Dict[str, Any]]]: ...
    def state(self, id: str, now_ms: Optional[int]) -> Optional[str]: ...
    def present(self, request: Request, id: str, now_ms: Optional[int]) -> Tuple[Optional[Request], Optional[Decision]]: ...
    def complete_task(self, task: str) -> int: ...
    def revoke_grant(self, id: str) -> int: ...
    def revoke_task(self, task: str) -> int: ...
    def revoke_agent(self, agent: _Ref) -> int: ...
    def revoke_principal(self, principal: _Ref) -> int: ...

class SessionManager:
    @staticmethod
    def open(
        log_path: str, clock: Optional[Callable[[], int]], incremental: bool, compact_after_lines: int
    ) -> Tuple[Optional[SessionManager], str]: ...
    def record(
        self,
        session_id: str,
        kind: str,
        action: _Ref,
        fields_json: str,
        request_id: str,
        principal: Optional[_Ref],
        resource: Optional[_Ref],
        now_ms: Optional[int],
    ) -> str: ...
    def signal(
        self,
        type: str,
        session_id: str,
        subject: Optional[_Ref],
        claims_json: str,
        level: str,
        reason: str,
        now_ms: Optional[int],
    ) -> str: ...
    def compact(self) -> str: ...
    def state(self, session_id: str, now_ms: Optional[int]) -> Dict[str, Any]: ...

class FileAuditSink:
    @staticmethod
    def open(path: str) -> Tuple[Optional[FileAuditSink], str]: ...
    def write_decision(
        self, request: Request, decision: Decision, policies: PolicySet, time_ms: int, grant_id: str, session_id: str
    ) -> str: ...
    def failed(self) -> bool: ...

def least_privilege_report(
    policies: PolicySet, lines: List[str], entities: EntityStore, issued_grants: List[str]
) -> Tuple[Optional[str], str]: ...

class PolicySet:
    @staticmethod
    def compile(
        sources: List[Tuple[str, str]],
        links_json: str,
        max_window_ms: Optional[int],
        max_nesting_depth: Optional[int],
        max_expression_depth: Optional[int],
        max_errors: Optional[int],
    ) -> Tuple[Optional[PolicySet], _Diagnostics, str]: ...
    @staticmethod
    def load(
        path: str,
        max_window_ms: Optional[int],
        max_nesting_depth: Optional[int],
        max_expression_depth: Optional[int],
        max_errors: Optional[int],
    ) -> Tuple[Optional[PolicySet], _Diagnostics, str]: ...
    def link(self, links_json: str) -> Tuple[Optional[PolicySet], _Diagnostics, str]: ...
    def validate(self, schema: Schema) -> Tuple[_Diagnostics, str]: ...
    def size(self) -> int: ...
    def policy_ids(self) -> List[str]: ...
    def template_ids(self) -> List[str]: ...
    def fingerprint(self) -> int: ...
    def warnings(self) -> _Diagnostics: ...
    def evaluate(
        self,
        request: Any,
        entities: EntityStore,
        mode: str,
        now_ms: Optional[int],
        explain: bool,
        schema: Optional[Schema],
        validate: bool,
        grant_id: str,
        grants: Optional[GrantAuthority],
        session_id: str,
        sessions: Optional[SessionManager],
        request_id: str,
        audit: Optional[FileAuditSink],
        engine: str,
    ) -> Decision: ...
    def evaluate_batch(
        self,
        items: List[Tuple[Any, bool, str, str, str]],
        entities: EntityStore,
        mode: str,
        now_ms: Optional[int],
        explain: bool,
        schema: Optional[Schema],
        grants: Optional[GrantAuthority],
        sessions: Optional[SessionManager],
        audit: Optional[FileAuditSink],
        engine: str,
    ) -> List[Decision]: ...

class TraceReplayer:
    @staticmethod
    def prepare(
        policies: List[Tuple[str, str]],
        cedar_schema: str,
        event_schema: str,
        macros: str,
        validate: bool,
        incremental: bool,
    ) -> Tuple[Optional[TraceReplayer], _Diagnostics, str]: ...
    def replay(self, trace: str, name: str = ...) -> Tuple[Optional[List[str]], Optional[Dict[str, Any]], str]: ...

def lint_rules() -> List[Dict[str, str]]: ...
def lint(
    sources: List[Tuple[str, str]],
    schema: Optional[Schema],
    config_json: str,
    max_window_ms: Optional[int],
) -> Tuple[Any, Any, str]: ...
def format_policies(text: str, name: str, line_width: int, indent: int) -> Tuple[Optional[str], _Diagnostics, str]: ...
