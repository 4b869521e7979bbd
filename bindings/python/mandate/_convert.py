# Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
"""Conversions between Python values and what the C++ API takes: entity references, times and
durations."""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Mapping, NamedTuple, Optional, Tuple, Union

from . import _mandate

__all__ = ["EntityRef", "EntityLike", "TimeLike", "DurationLike"]


class EntityRef(NamedTuple):
    """An entity's type and id, e.g. ``EntityRef("Agent", "support-bot")`` for
    ``Agent::"support-bot"``. A tuple, so ``("Agent", "support-bot")`` works wherever an
    ``EntityRef`` is taken; ``str()`` gives Cedar's form."""

    type: str
    id: str

    def __str__(self) -> str:
        escaped = self.id.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.type}::"{escaped}"'

    def to_dict(self) -> dict:
        """Cedar's JSON form, ``{"type": ..., "id": ...}``."""
        return {"type": self.type, "id": self.id}

    @classmethod
    def parse(cls, text: str) -> "EntityRef":
        """Reads Cedar's form ``Type::"id"`` (namespaced types such as ``Acme::Doc::"x"`` too)."""
        sep = text.find('::"')
        if sep <= 0 or not text.endswith('"') or len(text) < sep + 4:
            raise ValueError(f"not an entity reference like Type::\"id\": {text!r}")
        raw = text[sep + 3 : -1]
        out = []
        i = 0
        while i < len(raw):
            c = raw[i]
            if c == "\\" and i + 1 < len(raw):
                out.append(raw[i + 1])
                i += 2
                continue
            out.append(c)
            i += 1
        return cls(text[:sep], "".join(out))


#: What an entity reference may be given as: an :class:`EntityRef` or ``(type, id)`` tuple,
#: a dict ``{"type": T, "id": I}`` (or ``{"__entity": {...}}``), or the text ``T::"I"``.
EntityLike = Union[EntityRef, Tuple[str, str], Mapping[str, Any], str]

#: A point in time: a :class:`datetime.datetime` (naive ones are taken as UTC), seconds since
#: the Unix epoch (as :func:`time.time` returns), or RFC 3339 text.
TimeLike = Union[_dt.datetime, float, int, str]

#: A length of time: a :class:`datetime.timedelta`, seconds, or text as Cedar writes durations
#: (``"1h30m"``, ``"250ms"``).
DurationLike = Union[_dt.timedelta, float, int, str]


def to_ref(value: EntityLike) -> EntityRef:
    if isinstance(value, EntityRef):
        return value
    if isinstance(value, tuple):
        if len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], str):
            return EntityRef(value[0], value[1])
    elif isinstance(value, str):
        return EntityRef.parse(value)
    elif isinstance(value, Mapping):
        inner = value.get("__entity", value)
        if isinstance(inner, Mapping):
            t, i = inner.get("type"), inner.get("id")
            if isinstance(t, str) and isinstance(i, str):
                return EntityRef(t, i)
    raise TypeError(
        f'expected an entity reference (EntityRef, (type, id), {{"type", "id"}} or Type::"id"), got {value!r}'
    )


def opt_ref(value: Optional[EntityLike]) -> Optional[EntityRef]:
    return None if value is None else to_ref(value)


def to_ms(value: Optional[TimeLike]) -> Optional[int]:
    """Milliseconds since the Unix epoch, or None for None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a time must be a datetime, seconds since the epoch or RFC 3339 text, not a bool")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"not a finite time: {value!r}")
        return int(round(value * 1000))
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if isinstance(value, str):
        ms = _mandate.parse_rfc3339(value)
        if ms is None:
            raise ValueError(f"not an RFC 3339 date-time: {value!r}")
        return ms
    raise TypeError(f"a time must be a datetime, seconds since the epoch or RFC 3339 text, got {value!r}")


def from_ms(ms: int) -> _dt.datetime:
    """The UTC datetime of milliseconds since the Unix epoch."""
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def duration_ms(value: DurationLike) -> int:
    if isinstance(value, bool):
        raise TypeError("a duration must be a timedelta, seconds or text like \"1h\", not a bool")
    if isinstance(value, _dt.timedelta):
        return value.days * 86_400_000 + value.seconds * 1000 + value.microseconds // 1000
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"not a finite duration: {value!r}")
        return int(round(value * 1000))
    if isinstance(value, str):
        ms = _mandate.parse_duration_ms(value)
        if ms is None:
            raise ValueError(f'not a duration like "30s", "1h30m" or "14d": {value!r}')
        return ms
    raise TypeError(f'a duration must be a timedelta, seconds or text like "1h", got {value!r}')


def parse_time(text: Optional[str]) -> Optional[_dt.datetime]:
    """An RFC 3339 string as written by Mandate, as an aware UTC datetime."""
    if not text:
        return None
    ms = _mandate.parse_rfc3339(text)
    return None if ms is None else from_ms(ms)


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def clock_ms(clock: Any) -> Any:
    """Wraps a Python clock (returning any :data:`TimeLike`) as one returning milliseconds,
    which is what the extension calls."""
    if clock is None:
        return None
    if not callable(clock):
        raise TypeError("clock must be a callable returning the current time")

    def now_ms() -> int:
        ms = to_ms(clock())
        if ms is None:
            raise TypeError("the clock returned None")
        return ms

    return now_ms
