"""Checks of plain function arguments, with messages that name the argument and its range."""

from __future__ import annotations

import difflib
import numbers
import reprlib
from collections.abc import Iterable, Mapping
from typing import Any

from gridrisk.errors import ArgumentError


def whole(name: str, value: Any, lo: int, hi: int) -> int:
    """Return ``value`` as an int in ``[lo, hi]`` or raise :class:`ArgumentError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{name} must be a whole number in [{lo:_}, {hi:_}], got {value!r}")
    v = int(value)
    if not lo <= v <= hi:
        raise ArgumentError(f"{name} must be in [{lo:_}, {hi:_}], got {v:_}")
    return v


def number(name: str, value: Any, lo: float, hi: float) -> float:
    """Return ``value`` as a finite float in ``[lo, hi]`` or raise :class:`ArgumentError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name} must be a number in [{lo}, {hi}], got {value!r}")
    v = float(value)
    if not lo <= v <= hi:  # also rejects NaN
        raise ArgumentError(f"{name} must be a number in [{lo}, {hi}], got {v!r}")
    return v


def close_match(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, ignoring case, or ``None`` if none is close.

    A candidate equal to ``word`` but for case always wins (``"Bitcoin"`` -> ``"bitcoin"``);
    then the most similar spelling (``"vol_anual"`` -> ``"vol_annual"``); then the only
    candidate that ``word`` begins (``"vol"`` -> ``"vol_annual"``, ``"npv"`` -> ``"npv_pkr"``)
    or, failing that, the only one that begins ``word`` (``"tariff_pkr"`` -> ``"tariff"``).
    """
    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    key = word.lower()
    if key in by_lower:
        return by_lower[key]
    hint = difflib.get_close_matches(key, list(by_lower), n=1)
    if hint:
        return by_lower[hint[0]]
    for related in (
        [c for c in by_lower if len(key) >= 2 and c.startswith(key)],
        [c for c in by_lower if len(c) >= 2 and key.startswith(c)],
    ):
        if len(related) == 1:
            return by_lower[related[0]]
    return None


def choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise with a did-you-mean hint."""
    allowed = list(allowed)
    if isinstance(value, str) and value in allowed:
        return value
    hint = close_match(str(value), allowed)
    did = f" (did you mean {hint!r}?)" if hint is not None else ""
    raise ArgumentError(f"unknown {name} {value!r}{did}; choose one of: {', '.join(allowed)}")


_SHORT = reprlib.Repr()
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = 4
_SHORT.maxstring = _SHORT.maxother = 40


def declared_fields(declaration: Mapping[str, Any]) -> list[Any]:
    """The fields of an ``[[uncertain]]`` declaration: its ``field``, or its ``fields``."""
    if "field" in declaration:
        return [declaration["field"]]
    fields = declaration.get("fields", [])
    return list(fields) if isinstance(fields, list) else []


def short_repr(value: Any) -> str:
    """``repr(value)`` shortened for one line: long lists and strings end in ``...``.

    A list of parameter distributions (a scenario's ``uncertain``) is named by its fields.
    """
    if isinstance(value, list) and value and all(isinstance(d, dict) and "dist" in d for d in value):
        fields = [f for d in value for f in declared_fields(d)]
        return _SHORT.repr(f"distributions of {len(fields)} fields ({', '.join(map(str, fields))})")
    return _SHORT.repr(value)
