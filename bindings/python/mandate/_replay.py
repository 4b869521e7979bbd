# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Replaying Dogwood traces: every decision event of a trace gets a verdict line in Dogwood's
expected-output format (``@10 (time point 1): true``)."""

from __future__ import annotations

from typing import Iterable, List, Mapping, Tuple, Union

from . import _mandate
from ._core import _unwrap
from ._errors import PolicyError, ReplayError

__all__ = ["TraceReplayer"]


class TraceReplayer:
    """Policies and schemas compiled once, ready to replay any number of Dogwood traces.

    ``policies`` is policy text, ``{name: text}`` or ``(name, text)`` pairs (joined as one set);
    ``cedar_schema`` Cedar schema text, ``event_schema`` ``.dwschema`` text, ``macros`` a
    ``def temporal`` / ``def cedar`` library; ``validate`` also checks the policies against both
    schemas. Raises :class:`PolicyError` with the diagnostics.
    """

    __slots__ = ("_impl",)

    def __init__(
        self,
        policies: Union[str, Mapping[str, str], Iterable[Tuple[str, str]]],
        *,
        cedar_schema: str = "",
        event_schema: str = "",
        macros: str = "",
        validate: bool = False,
        incremental: bool = True,
    ) -> None:
        if isinstance(policies, str):
            pairs = [("policies.cedar", policies)]
        elif isinstance(policies, Mapping):
            pairs = list(policies.items())
        else:
            pairs = [(n, t) for n, t in policies]
        self._impl = _unwrap(
            _mandate.TraceReplayer.prepare(pairs, cedar_schema, event_schema, macros, validate, incremental),
            PolicyError,
        )

    def replay(self, trace: str, name: str = "<trace>") -> List[str]:
        """Replays a trace (the text of a ``.log`` file, called ``name`` in messages): one
        verdict line per decision event. Raises :class:`ReplayError` for a malformed trace; its
        ``diagnostics`` hold the position and its ``rendered`` text the compiler-style message."""
        result = self._impl.replay(trace, name)
        if result[0] is None:
            raise ReplayError(result[2], [result[1]])
        return result[0]
