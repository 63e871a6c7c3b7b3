"""Checks of plain function arguments, with messages that name the argument and its range."""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable
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


def choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise with a did-you-mean hint."""
    allowed = list(allowed)
    if isinstance(value, str) and value in allowed:
        return value
    hint = difflib.get_close_matches(str(value), allowed, n=1)
    did = f" (did you mean {hint[0]!r}?)" if hint else ""
    raise ArgumentError(f"unknown {name} {value!r}{did}; choose one of: {', '.join(allowed)}")
