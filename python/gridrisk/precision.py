"""Running until a target precision holds: targets, the stopping rule and the path schedule.

``simulate(..., target=...)`` runs the paths ``[0, n₁)``, then ``[n₁, n₂)``... of one run, merging
as it goes, and stops at the first ``n_k`` where every target holds (or at the budget). Because
parts of a run merge into exactly the run over their union, the result is bit for bit the
fixed-size run of ``n_k`` paths; and because the next ``n`` is a function of the statistics so
far, which the seed alone determines, the same seed and targets always stop at the same ``n``.

A target is a standard error: of an output's mean, absolute (in the output's base unit, e.g.
``1e9`` PKR) or relative to the mean's size (``"1%"``), or of the probability that the allocation
makes an output worse (``p_adverse``, e.g. ``0.005`` for half a percentage point).

With ``control_variates=True`` the errors are those of the control-variate estimates
(:meth:`Results.control_variates`), also functions of the merged statistics alone, so stopping
stays as reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gridrisk._validate import choice
from gridrisk.errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from gridrisk.results import Results

__all__ = ["Target", "next_paths", "parse_targets", "unmet"]

#: Statistics a target may bound.
STATS: tuple[str, ...] = ("mean", "p_adverse")

#: Paths of the first step (before rounding to whole chunks): enough for a standard error to be
#: a fair guide to the next step, few enough that an easy target stops early.
FIRST_PATHS = 4_096

#: The next step asks for this much more than the square-root law predicts, so that a target
#: just missed is met by the next step rather than the one after.
MARGIN = 1.1

#: A step at most multiplies the paths by this: the prediction from a few thousand paths can be
#: far off (a tail event not yet seen), and a run should not overshoot its need by much.
GROWTH = 4


@dataclass(frozen=True)
class Target:
    """A standard error to reach: of ``stat`` of ``output``, absolute or relative to the mean."""

    output: str
    stat: str
    value: float
    relative: bool

    def __str__(self) -> str:
        what = "P(worse)" if self.stat == "p_adverse" else "mean"
        bound = f"{100 * self.value:g} % of the mean" if self.relative else f"{self.value:g}"
        return f"{self.output} {what}: standard error <= {bound}"


def _value(output: str, stat: str, raw: Any) -> Target:
    where = f"target[{output!r}]" + (f"[{stat!r}]" if stat != "mean" else "")
    if isinstance(raw, str):
        text = raw.strip()
        if stat != "mean" or not text.endswith("%"):
            raise ArgumentError(
                f"{where} must be a positive number (a standard error in the output's unit)"
                + (" or a share of the mean such as '1%'" if stat == "mean" else "")
                + f", got {raw!r}"
            )
        try:
            share = float(text[:-1]) / 100
        except ValueError:
            raise ArgumentError(f"{where} must be a share of the mean such as '1%', got {raw!r}") from None
        if not (math.isfinite(share) and 0 < share < 1):
            raise ArgumentError(f"{where} must be a share in (0 %, 100 %), got {raw!r}")
        return Target(output, stat, share, True)
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ArgumentError(f"{where} must be a positive number or, for a mean, a share such as '1%', got {raw!r}")
    value = float(raw)
    if not (math.isfinite(value) and value > 0) or (stat == "p_adverse" and value >= 0.5):
        bound = "in (0, 0.5)" if stat == "p_adverse" else "> 0 and finite"
        raise ArgumentError(f"{where} must be a standard error {bound}, got {raw!r}")
    return Target(output, stat, value, False)


def parse_targets(target: Any, outputs: list[str], adverse: frozenset[str]) -> list[Target]:
    """The targets of ``simulate(..., target=...)``, checked.

    Parameters
    ----------
    target : mapping
        Output name -> a standard error for its mean (a number in the output's base unit, or a
        share of the mean such as ``"1%"``), or -> a mapping of ``"mean"`` and/or
        ``"p_adverse"`` to such values (``p_adverse`` takes a probability, e.g. ``0.005``).
    outputs : list of str
        The per-path outputs of the run.
    adverse : frozenset of str
        The outputs that have a ``p_adverse`` (a natural zero).

    Raises
    ------
    ArgumentError
        For an unknown output or statistic, or a value that is not a positive standard error.
    """
    if not isinstance(target, Mapping) or not target:
        raise ArgumentError(
            "target must be a non-empty mapping such as {'npv_pkr': '1%'} or "
            f"{{'npv_pkr': {{'mean': 1e9, 'p_adverse': 0.005}}}}, got {target!r}"
        )
    found: list[Target] = []
    for key, raw in target.items():
        output = choice("target output", str(key), outputs)
        items = raw.items() if isinstance(raw, Mapping) else [("mean", raw)]
        for stat, value in items:
            stat = choice(f"target[{output!r}] statistic", str(stat), list(STATS))
            if stat == "p_adverse" and output not in adverse:
                raise ArgumentError(
                    f"{output} has no probability of being worse (no natural zero): target its mean instead"
                )
            found.append(_value(output, stat, value))
    return found


def achieved(summary: pd.DataFrame, t: Target, control_variates: bool = False) -> float:
    """The standard error ``t`` bounds, in ``t``'s terms (relative to the mean when it is).

    ``summary`` is :meth:`Results.summary` of the run so far, or with ``control_variates``
    :meth:`Results.control_variates` (whose adjusted columns are then read).
    """
    row = summary.loc[t.output]
    cv = "_cv" if control_variates else ""
    if t.stat == "p_adverse":
        se = float(row["p_adverse_se" + cv])
    else:
        se = float(row["se" + cv])
        if t.relative:
            mean = abs(float(row["mean" + cv]))
            se = se / mean if mean > 0 else (0.0 if se == 0 else math.inf)
    return se if math.isfinite(se) else math.inf


def unmet(results: Results, targets: list[Target], control_variates: bool = False) -> list[tuple[Target, float]]:
    """The targets the results do not yet meet, each with the standard error reached.

    With ``control_variates``, the errors of the control-variate estimates.
    """
    # Once for every target: the summary reads every output's sketch.
    summary = results.control_variates() if control_variates else results.summary()
    out = []
    for t in targets:
        se = achieved(summary, t, control_variates)
        if se > t.value:
            out.append((t, se))
    return out


def first_paths(budget: int, chunk: int) -> int:
    """Paths of the first step: :data:`FIRST_PATHS` in whole chunks, at most the budget."""
    return min(budget, -(-FIRST_PATHS // chunk) * chunk)


def next_paths(n: int, missing: list[tuple[Target, float]], budget: int, chunk: int) -> int:
    """The total paths of the next step, from the square-root law of the errors still too large.

    A standard error falls as ``1/√n``, so a target ``v`` reached at ``se`` after ``n`` paths needs
    about ``n (se / v)²``; the step asks :data:`MARGIN` times that, at least one chunk more and at
    most :data:`GROWTH` times ``n``, in whole chunks, and never more than the budget.
    """
    need = max((n * (se / t.value) ** 2 if math.isfinite(se) else math.inf) for t, se in missing)
    want = min(MARGIN * need, GROWTH * n)
    total = max(n + chunk, -(-math.ceil(want) // chunk) * chunk)
    return min(total, budget)
