"""Exact generation adequacy of a fleet against a load series (no Monte Carlo).

The same capacity outage probability table the simulation uses, exposed for quick checks of a
fleet against a load curve and for validation against published test systems.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gridrisk import _core
from gridrisk._validate import number
from gridrisk.errors import ArgumentError

__all__ = ["MAX_UNITS", "ROUNDING_WARN_SHARE", "AdequacyResult", "adequacy"]


@dataclass(frozen=True)
class AdequacyResult:
    """Loss-of-load indices of a fleet against a load series.

    Attributes
    ----------
    lole_h : float
        Loss-of-load expectation: sum over periods of P(available capacity < load) times the
        period length, hours (days if the periods are days and ``hours_per_value=1``).
    eue_mwh : float
        Expected unserved energy over the series, MWh.
    lolp : numpy.ndarray
        Loss-of-load probability of each period.
    eue_mw : numpy.ndarray
        Expected unserved power of each period, MW.
    capacity_mw : float
        Installed capacity after rounding units to ``capacity_step_mw``.
    """

    lole_h: float
    eue_mwh: float
    lolp: np.ndarray
    eue_mw: np.ndarray
    capacity_mw: float


#: Largest unit count of one class (the compiled table counts units in 32 bits).
MAX_UNITS = 2**32 - 1

#: Relative change of installed capacity by rounding unit sizes to the step above which
#: :func:`adequacy` warns.
ROUNDING_WARN_SHARE = 0.01


def _count(i: int, value: Any) -> int:
    """A class's unit count: a whole number (int, or a float without fraction), not a bool."""
    name = f"units[{i}][0]"
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real)
    if ok and not isinstance(value, numbers.Integral):
        v = float(value)
        ok = math.isfinite(v) and v.is_integer()
    if not ok:
        raise ArgumentError(f"{name} (unit count) must be a whole number in [0, {MAX_UNITS:_}], got {value!r}")
    n = int(value)
    if not 0 <= n <= MAX_UNITS:
        raise ArgumentError(f"{name} (unit count) must be in [0, {MAX_UNITS:_}], got {n:_}")
    return n


def _real(name: str, value: Any) -> float:
    """A number (not a bool or a string); its range is checked by the core, which names it too."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentError(f"{name} must be a number, got {value!r}")
    return float(value)


def adequacy(
    units: Iterable[Sequence[float]],
    load_mw: Iterable[float] | np.ndarray,
    *,
    capacity_step_mw: float = 1.0,
    hours_per_value: float = 1.0,
) -> AdequacyResult:
    """Exact LOLE and EUE of two-state units against a series of loads.

    Load is lost in a period when available capacity is strictly less than the load (the
    convention of the IEEE RTS-79 published indices); a load equal to the available capacity
    is served, at any ``capacity_step_mw``.

    Parameters
    ----------
    units : iterable of (count, unit_mw, forced_outage_rate)
        Classes of identical units: ``count`` a whole number in [0, 2**32 - 1] (not a bool),
        ``unit_mw`` in (0, 5000] and ``forced_outage_rate`` in [0, 1).
    load_mw : array-like of float
        Load of each period, MW; one-dimensional, every value finite.
    capacity_step_mw : float
        Resolution of the outage table, in [0.01, 100] MW. Unit sizes are rounded to the nearest
        multiple of it, halves away from zero (exact for whole MW units at the default 1 MW); a
        unit that rounds to zero is refused.
    hours_per_value : float
        Length of each period, hours, in [1e-9, 1e6].

    Returns
    -------
    AdequacyResult

    Raises
    ------
    ArgumentError
        For any value outside the limits above, naming the element (``units[2][0]``,
        ``load_mw[7]`` ...), and when the table would exceed 4,000,000 rows (installed
        capacity over ``capacity_step_mw``; the count that crosses the limit is named).

    Warns
    -----
    UserWarning
        When rounding unit sizes to ``capacity_step_mw`` changes the installed capacity by more
        than 1 % (``capacity_mw`` then differs from the fleet given): use a finer step.

    Examples
    --------
    >>> r = adequacy([(1, 100, 0.1), (1, 50, 0.2)], [120.0])
    >>> round(r.lole_h, 6), round(r.eue_mwh, 6)
    (0.28, 11.6)
    """
    hours = number("hours_per_value", hours_per_value, 1e-9, 1e6)
    step = number("capacity_step_mw", capacity_step_mw, 0.01, 100.0)
    if isinstance(units, (str, bytes)) or not isinstance(units, Iterable):
        raise ArgumentError(f"units must be a list of (count, unit_mw, forced_outage_rate), got {units!r}")
    rows: list[tuple[int, float, float]] = []
    for i, unit in enumerate(units):
        triple: tuple[Any, ...] = ()
        if not isinstance(unit, (str, bytes)) and isinstance(unit, Iterable):
            triple = tuple(unit)  # a tuple, a list, a row of a NumPy array ...
        if len(triple) != 3:
            raise ArgumentError(f"units[{i}] must be a (count, unit_mw, forced_outage_rate) triple, got {unit!r}")
        count, unit_mw, rate = triple
        rows.append((_count(i, count), _real(f"units[{i}][1]", unit_mw), _real(f"units[{i}][2]", rate)))
    try:
        loads = np.ascontiguousarray(load_mw, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ArgumentError(f"load_mw must be an array of numbers: {e}") from None
    if loads.ndim != 1:
        raise ArgumentError(f"load_mw must be one-dimensional, got shape {loads.shape}")
    lolp, eue, cap = _core.adequacy(rows, loads, capacity_step_mw=step)
    nominal = math.fsum(n * mw for n, mw, _ in rows)
    if nominal > 0 and abs(cap - nominal) > ROUNDING_WARN_SHARE * nominal:
        warnings.warn(
            f"rounding unit sizes to capacity_step_mw={step:g} changes the installed capacity from "
            f"{nominal:,.6g} MW to {cap:,.6g} MW ({(cap - nominal) / nominal:+.1%}); use a finer capacity_step_mw",
            UserWarning,
            stacklevel=2,
        )
    return AdequacyResult(
        lole_h=float(lolp.sum() * hours),
        eue_mwh=float(eue.sum() * hours),
        lolp=lolp,
        eue_mw=eue,
        capacity_mw=cap,
    )
