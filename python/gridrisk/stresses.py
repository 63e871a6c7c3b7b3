"""Dated stress tests shipped with gridrisk, and how to apply them to any scenario.

A stress pins named drivers to declared paths from a given month (``[[stress]]``,
docs/model.md §1.1): prices and the exchange rate move, along a straight line in logs, to a
relative change or a level over the window and follow their own dynamics afterwards; demand and
hydro are scaled for the window; ``lng_supply`` scales the RLNG classes' monthly volumes (lost
cargoes). :func:`apply` appends a shipped stress (or your own list) to a
scenario, dated from a month you choose, so stresses compose with any scenario and with each
other; the results say which applied (:attr:`gridrisk.Results.stresses`).

Shipped (magnitudes and their sources in docs/calibration.md, "Stress tests"):

- ``"fx_fuel_crisis_2022"``: the rupee +35 % in six months, Brent to $110 in four, LNG to
  $30/MMBtu (a spot cargo's price) in three, coal +150 % in nine;
- ``"drought_heatwave"``: hydro -25 % for a year, demand +8 % for the same year;
- ``"bitcoin_crash"``: Bitcoin -70 % in six months;
- ``"lng_interruption"``: three quarters of the RLNG cargoes lost for three months (March 2026:
  two of eight Qatari cargoes arrived) and LNG to $40/MMBtu within two months and there for four
  more (the price of replacing cargoes on the spot market).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gridrisk.errors import ArgumentError

__all__ = ["STRESSES", "apply"]

#: Each shipped stress: a list of ``(driver, months after its first month, window months, field,
#: value)`` with ``field`` ``"change"`` (relative) or ``"to"`` (a level in the driver's unit).
STRESSES: dict[str, list[tuple[str, int, int, str, float]]] = {
    "fx_fuel_crisis_2022": [
        ("fx", 0, 6, "change", 0.35),
        ("oil", 0, 4, "to", 110.0),
        ("lng", 0, 3, "to", 30.0),
        ("coal", 0, 9, "change", 1.50),
    ],
    "drought_heatwave": [
        ("hydro", 0, 12, "change", -0.25),
        ("demand", 0, 12, "change", 0.08),
    ],
    "bitcoin_crash": [("bitcoin", 0, 6, "change", -0.70)],
    "lng_interruption": [
        ("lng_supply", 0, 3, "change", -0.75),
        ("lng", 0, 2, "to", 40.0),
        ("lng", 2, 4, "to", 40.0),
    ],
}


def _month_plus(month: str, k: int) -> str:
    y, m = (int(v) for v in month.split("-"))
    idx = y * 12 + (m - 1) + k
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def apply(scenario: Any, stress: str | Sequence[Mapping[str, Any]], start: str | None = None) -> Any:
    """The scenario with a stress added to its ``[[stress]]`` list.

    Parameters
    ----------
    scenario : gridrisk.Scenario
        Any scenario; its own stresses are kept.
    stress : str or list of dict
        A shipped stress's name (:data:`STRESSES`), or your own list of ``[[stress]]`` tables
        (``{"driver": "fx", "from": "2027-01", "months": 6, "change": 0.35}``).
    start : str, optional
        ``"YYYY-MM"``: the month a shipped stress starts (default: the scenario's fourth month,
        so that the drivers have moved from their starting values first). Ignored for a list.

    Returns
    -------
    gridrisk.Scenario
        A new scenario, validated (overlapping windows on one driver are refused).

    Raises
    ------
    ArgumentError
        For an unknown stress name.
    ScenarioError
        If the stressed scenario is invalid (e.g. the stress starts after the horizon).
    """
    if isinstance(stress, str):
        if stress not in STRESSES:
            raise ArgumentError(f"stress must be one of {', '.join(sorted(STRESSES))}; got {stress!r}")
        first = start if start is not None else _month_plus(str(scenario["simulation.start"]), 3)
        tables = [
            {"driver": d, "from": _month_plus(first, after), "months": months, field: value, "name": stress}
            for d, after, months, field, value in STRESSES[stress]
        ]
    else:
        tables = [dict(t) for t in stress]
    current = scenario.to_dict().get("stress", [])
    return scenario.replace({"stress": [*current, *tables]})
