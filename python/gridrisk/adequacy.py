"""Exact generation adequacy of a fleet against a load series (no Monte Carlo).

The same capacity outage probability table the simulation uses, exposed for quick checks of a
fleet against a load curve and for validation against published test systems.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from gridrisk import _core
from gridrisk._validate import number
from gridrisk.errors import ArgumentError

__all__ = ["AdequacyResult", "adequacy"]


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


def adequacy(
    units: Iterable[Sequence[float]],
    load_mw: Iterable[float] | np.ndarray,
    *,
    capacity_step_mw: float = 1.0,
    hours_per_value: float = 1.0,
) -> AdequacyResult:
    """Exact LOLE and EUE of two-state units against a series of loads.

    Load is lost in a period when available capacity is strictly less than the load (the
    convention of the IEEE RTS-79 published indices).

    Parameters
    ----------
    units : iterable of (count, unit_mw, forced_outage_rate)
        Classes of identical units.
    load_mw : array-like of float
        Load of each period, MW.
    capacity_step_mw : float
        Resolution of the outage table; unit sizes are rounded to it (exact for whole MW units
        at the default 1 MW).
    hours_per_value : float
        Length of each period, hours.

    Returns
    -------
    AdequacyResult

    Examples
    --------
    >>> r = adequacy([(1, 100, 0.1), (1, 50, 0.2)], [120.0])
    >>> round(r.lole_h, 6), round(r.eue_mwh, 6)
    (0.28, 11.6)
    """
    hours = number("hours_per_value", hours_per_value, 1e-9, 1e6)
    try:
        rows = [(int(c), float(mw), float(q)) for c, mw, q in units]
    except (TypeError, ValueError):
        raise ArgumentError("units must be (count, unit_mw, forced_outage_rate) triples") from None
    if any(c < 0 for c, _, _ in rows):
        raise ArgumentError("units: every count must be a whole number >= 0")
    loads = np.ascontiguousarray(load_mw, dtype=np.float64)
    if loads.ndim != 1:
        raise ArgumentError(f"load_mw must be one-dimensional, got shape {loads.shape}")
    lolp, eue, cap = _core.adequacy(rows, loads, capacity_step_mw=float(capacity_step_mw))
    return AdequacyResult(
        lole_h=float(lolp.sum() * hours),
        eue_mwh=float(eue.sum() * hours),
        lolp=lolp,
        eue_mw=eue,
        capacity_mw=cap,
    )
