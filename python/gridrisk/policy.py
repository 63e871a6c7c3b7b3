"""Break-even values of policy parameters, found on common random numbers.

:func:`breakeven` finds the value of one numeric scenario field (a tariff, a markup, an
allocation) at which a statistic of a per-path output reaches a target: the expected value
(``E[npv_pkr] = 0``) or the probability of an adverse outcome (``P(npv_pkr < 0) = 0.05``).
Every run uses the same seed, so the estimated statistic is a fixed, smooth function of the
parameter (the same simulated worlds, priced under each value) and a root finder can work on it
as on a deterministic function; the Monte Carlo error of the root follows by the delta method.
"""

from __future__ import annotations

import dataclasses
import html
import math
import numbers
import re
import secrets
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from gridrisk import _core, _progress
from gridrisk._progress import ProgressCallback
from gridrisk._validate import choice, short_repr, whole
from gridrisk.errors import ArgumentError, ScenarioError
from gridrisk.results import HIGHER, OUTPUT_BETTER, OUTPUT_UNITS
from gridrisk.scenario import Scenario
from gridrisk.simulation import MAX_PATHS, simulate
from gridrisk.units import Z95

__all__ = ["SLOPE_AGREEMENT", "STOP_SE_FRACTION", "BreakEven", "breakeven", "field_unit"]


#: The search stops once the statistic is within this fraction of its Monte Carlo standard
#: error of the target: the error left by stopping then adds at most
#: ``sqrt(1 + 0.25**2) - 1`` = 3 % to the root's standard error.
STOP_SE_FRACTION = 0.25

#: The runs nearest the root on either side give its slope when the secants from the root to
#: each differ by at most this fraction (the statistic runs straight between them); otherwise
#: runs about two standard errors of the root either side of it measure the slope.
SLOPE_AGREEMENT = 0.1

#: Values within this distance of the threshold count as at it, as in :meth:`Results.summary`.
_ZERO = 1e-12

#: Unit tokens of field names (``tariff_pkr_per_kwh`` -> ``PKR/kWh``).
_UNIT_TOKENS: dict[str, str] = {
    "pkr": "PKR",
    "usd": "USD",
    "btc": "BTC",
    "kwh": "kWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "kw": "kW",
    "mw": "MW",
    "gw": "GW",
    "th": "TH",
    "ph": "PH",
    "eh": "EH",
    "ehs": "EH/s",
    "j": "J",
    "mmbtu": "MMBtu",
    "bbl": "bbl",
    "t": "t",
    "h": "h",
    "day": "day",
    "days": "days",
    "month": "month",
    "months": "months",
    "year": "yr",
    "years": "years",
    "yr": "yr",
}


def field_unit(field: str) -> str:
    """The unit of a scenario field, read off the end of its name.

    Parameters
    ----------
    field : str
        A dotted field name, e.g. ``"mining.tariff_pkr_per_kwh"`` or ``"fleet[2].unit_mw"``.

    Returns
    -------
    str
        E.g. ``"PKR/kWh"``, ``"MW"``, ``"months"``, ``"J/TH"``; ``""`` for a field whose name
        ends in no unit (shares, rates, markups, counts).

    Examples
    --------
    >>> field_unit("mining.tariff_pkr_per_kwh"), field_unit("allocation.mining_mw")
    ('PKR/kWh', 'MW')
    >>> field_unit("mining.cost_plus_markup")
    ''
    """
    leaf = re.sub(r"\[\d+\]", "", field.rsplit(".", 1)[-1]).lower()
    tokens = leaf.split("_")
    tail: list[str] = []
    for tok in reversed(tokens):
        if tok in _UNIT_TOKENS or tok == "per":
            tail.insert(0, tok)
        else:
            break
    while tail and tail[0] == "per":
        tail.pop(0)
    while tail and tail[-1] == "per":
        tail.pop()
    if not tail:
        return ""
    out, after_per = "", False
    for tok in tail:
        if tok == "per":
            after_per = True
            continue
        unit = _UNIT_TOKENS[tok]
        out = unit if not out else out + ("/" if after_per else "·") + unit
    return out


def _num(x: float) -> str:
    """A number for a sentence: 6 significant digits, billions as ``bn`` (``12.5 bn``)."""
    if math.isfinite(x) and abs(x) >= 1e9:
        return f"{x / 1e9:,.6g} bn"
    if math.isfinite(x) and x == round(x):
        return f"{x:,.0f}"
    return f"{x:,.6g}"


def _with_error(value: float, se: float, unit: str = "") -> str:
    """``value ± se unit``, both rounded to the precision of ``se``.

    ``se`` keeps two significant digits when they start below 35, else one; values of a
    billion or more are written in billions (``-732 ± 12 bn PKR``).
    """
    tail = f" {unit}" if unit else ""
    if abs(value) >= 1e9 and math.isfinite(value):
        value, se, tail = value / 1e9, se / 1e9, " bn" + tail
    if not (math.isfinite(se) and se > 0) or not math.isfinite(value):
        return f"{value:,.6g} ± {se:.2g}{tail}"
    e = math.floor(math.log10(se))
    digits = 2 if se / 10 ** (e - 1) < 35 else 1
    q = 10.0 ** (e - digits + 1)
    dec = max(0, -round(math.log10(q)))
    return f"{round(value / q) * q:,.{dec}f} ± {round(se / q) * q:,.{dec}f}{tail}"


@dataclasses.dataclass(frozen=True, eq=False)
class BreakEven:
    """The break-even value of a policy parameter, with its Monte Carlo error.

    Attributes
    ----------
    field : str
        The dotted scenario field searched, e.g. ``"allocation.mining_mw"``.
    criterion : str
        What holds at the break-even value, e.g. ``"E[npv_pkr] = 0"`` or
        ``"P(npv_pkr < 0) = 0.05"``.
    value : float
        The break-even value, in the field's unit. For a whole-number field it may fall between
        two whole numbers (interpolated between them).
    se : float
        Its Monte Carlo standard error, in the field's unit (delta method:
        ``se(statistic) / |slope|``).
    ci95 : tuple of float
        The normal 95 % confidence interval ``value ± 1.96 se``.
    unit : str
        The field's unit from its name (:func:`field_unit`), e.g. ``"PKR/kWh"``; ``""`` if none.
    evaluations : DataFrame
        One row per simulation, in the order run (index ``run``, from 1): ``value`` (the
        parameter, in ``unit``), ``statistic`` (the expected output, in the output's unit, or the
        probability), ``se`` (its Monte Carlo standard error) and ``role``: ``"bracket"`` (the
        two ends), ``"search"`` (the root finder's runs) or ``"slope"`` (runs placed about two
        standard errors of ``value`` on either side of it to measure :attr:`slope` where the
        statistic bends).
    output : str
        The per-path output (see :data:`gridrisk.OUTPUT_UNITS`).
    target : float
        The target of the expected value, or the threshold of an adverse outcome for the
        probability criterion, in the output's unit.
    probability : float or None
        The target probability, or ``None`` for the expected-value criterion.
    slope : float
        Change of the statistic per unit of the field at the break-even value (statistic unit
        per field unit): a secant between two runs on either side of ``value`` (see
        :func:`breakeven`).
    paths : int
        Paths of every run.
    seed : int
        The seed shared by every run.
    converged : bool
        False if the search stopped at ``max_evals`` before locating the root to its precision
        (``value`` is then interpolated in the last bracket and a ``RuntimeWarning`` was issued).
    stop : str
        Why the search stopped.
    bracket : tuple of float
        The last bracket: two evaluated values on either side of the target.
    scenario : Scenario
        The scenario searched (the field at its original value).
    """

    field: str
    criterion: str
    value: float
    se: float
    ci95: tuple[float, float]
    unit: str
    evaluations: pd.DataFrame = dataclasses.field(repr=False)
    output: str
    target: float
    probability: float | None
    slope: float
    paths: int
    seed: int
    converged: bool
    stop: str
    bracket: tuple[float, float]
    scenario: Scenario = dataclasses.field(repr=False)

    @property
    def runs(self) -> int:
        """Number of simulations made."""
        return len(self.evaluations)

    def headline(self) -> str:
        """One line: the field, the value with its error and unit, the criterion and the runs."""
        note = "" if self.converged else f"; not converged: last bracket [{self.bracket[0]:g}, {self.bracket[1]:g}]"
        return (
            f"break-even {self.field} = {_with_error(self.value, self.se, self.unit)} "
            f"({self.criterion}; {self.paths:,} paths, seed {self.seed}, {self.runs} runs{note})"
        )

    def __repr__(self) -> str:
        return self.headline()

    def _repr_html_(self) -> str:
        head = f"<p><b>{html.escape(self.headline())}</b></p>"
        try:
            unit = f" {self.unit}" if self.unit else ""
            lo, hi = self.ci95
            info = (
                f"<p>95 % interval {lo:,.6g} to {hi:,.6g}{html.escape(unit)}; slope {self.slope:,.6g} per "
                f"{html.escape(self.unit or 'unit')}; scenario {html.escape(self.scenario.label)}; "
                f"{html.escape(self.stop)}.</p>"
            )
            table: str = self.evaluations.to_html(float_format=lambda x: f"{x:,.6g}")
            return head + info + table
        except Exception:  # a display hook must never raise in a notebook
            return head


def _finite(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ArgumentError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _field_kind(scenario: Scenario, field: str, probe: float) -> bool:
    """Check that ``field`` is a numeric field; return True if it holds whole numbers."""
    if not isinstance(field, str) or not field.strip():
        raise ArgumentError(
            f"field must be a dotted scenario field name such as 'mining.tariff_pkr_per_kwh', got {field!r}"
        )
    try:
        current = scenario[field]
    except KeyError as e:
        # Possibly an optional field absent from this scenario: it is valid if it can be set.
        try:
            scenario.replace({field: probe})
        except ScenarioError:
            raise ArgumentError(f"field: {e.args[0]}") from None
        return False
    if isinstance(current, bool) or not isinstance(current, numbers.Real):
        raise ArgumentError(
            f"field {field!r} holds {type(current).__name__} {short_repr(current)}, not a number; "
            "a break-even needs a numeric field such as 'mining.tariff_pkr_per_kwh'"
        )
    return isinstance(current, numbers.Integral)


def breakeven(
    scenario: Scenario,
    field: str,
    *,
    bracket: tuple[float, float],
    output: str = "npv_pkr",
    target: float = 0.0,
    probability: float | None = None,
    paths: int = 20_000,
    seed: int | None = 7,
    threads: int | None = None,
    tol: float | None = None,
    max_evals: int = 20,
    client: Any = None,
    progress: bool | ProgressCallback | None = None,
) -> BreakEven:
    """The value of a policy parameter at which an output's mean or risk reaches a target.

    Two criteria:

    - **expected value** (default): the value of ``field`` at which ``E[output] = target``,
      e.g. the tariff at which the state's expected NPV is zero;
    - **probability** (``probability=p``): the value at which the probability of an adverse
      outcome equals ``p``, e.g. the tariff at which ``P(NPV < 0) = 0.05``. "Adverse" is read
      on the side :data:`gridrisk.OUTPUT_BETTER` calls worse: ``P(output < target)`` for an
      output where higher is better, ``P(output > target)`` where lower is better (values within
      1e-12 of ``target`` count as at it, as in :meth:`Results.summary`).

    Every run uses the same ``seed`` (common random numbers): the statistic is estimated on the
    same simulated worlds at every value, so it is a fixed function of the parameter, smooth
    where the model is, and the root finder treats it as deterministic. The search checks that
    the statistic crosses the target between the ends of ``bracket``, then narrows the bracket
    by the Illinois variant of regula falsi (superlinear, never leaves the bracket). It stops when
    the statistic at a run is within :data:`STOP_SE_FRACTION` (a quarter) of its Monte Carlo
    standard error of the target, or the bracket is no wider than ``tol``.

    The Monte Carlo error of the break-even value comes from the delta method,
    ``se(x*) = se(statistic) / |slope|``: ``se(statistic)`` is the standard error of the mean
    (``se`` of :meth:`Results.summary`) for the expected value and ``sqrt(p (1 - p) / paths)``
    for the probability criterion. The slope is a secant across the root, not the secant of the
    final bracket (regula falsi may keep one end of it far away, where the statistic bends, and
    a secant there can misstate the error several times over): through the nearest runs on
    either side whose statistic is at least one standard error from the target, if the secants
    from the root to each agree within :data:`SLOPE_AGREEMENT` (10 %: the statistic runs
    straight between them); otherwise through runs about two standard errors of the root on
    either side of it (runs of the search between one and four standard errors away are reused;
    otherwise up to two runs are added, with role ``"slope"``). The 95 % interval is
    ``value ± 1.96 se``.

    Parameters
    ----------
    scenario : Scenario
        The base scenario; only ``field`` changes between runs.
    field : str
        A numeric dotted scenario field, as for :meth:`Scenario.replace`: a tariff (e.g.
        ``"mining.tariff_pkr_per_kwh"``, or with dated tariff regimes
        ``"mining.tariff[0].base_pkr_per_kwh"``, PKR/kWh), a markup, ``"allocation.mining_mw"``
        (MW), ``"fiscal.collection_rate"`` (fraction) ... Its unit is read off its name
        (:func:`field_unit`). For a whole-number field (months, units) runs use whole numbers and
        the value is interpolated between the two adjacent whole numbers that bracket the
        target.
    bracket : (float, float)
        Two values of ``field`` (its unit) between which the statistic crosses the target; both
        must give valid scenarios. The statistic may increase or decrease with the field, and
        need not be monotone outside the bracket; if it crosses the target several times
        inside, one crossing is found (narrow the bracket to choose).
    output : str
        A per-path output (:data:`gridrisk.OUTPUT_UNITS`), default ``"npv_pkr"`` (PKR).
    target : float
        Expected-value criterion: the value ``E[output]`` must reach, in the output's unit
        (default 0). Probability criterion: the threshold of an adverse outcome (default 0:
        ``P(NPV < 0)``).
    probability : float, optional
        A target probability in (0, 1): switches to the probability criterion.
    paths : int
        Paths of every run (at least 2; default 20,000).
    seed : int, optional
        The seed shared by every run (default 7); ``None`` draws one, recorded in the result.
    threads : int, optional
        As for :func:`gridrisk.simulate`.
    tol : float, optional
        Stop when the bracket is narrower than this, in the field's unit. Default: 1e-4 of the
        bracket's width (1 for a whole-number field). Usually the statistic comes within its
        Monte Carlo error of the target first.
    max_evals : int
        Most simulations of the search, the two ends of the bracket included (3 to 200;
        default 20). Measuring the slope where the statistic bends may add up to two more.
    client : dask.distributed.Client, optional
        Run every simulation on a Dask cluster, as for :func:`gridrisk.simulate`.
    progress : bool or callable, optional
        As for :func:`gridrisk.simulate`, with one line for the whole search that names the run
        under way and counts its paths; a function receives each run's ``(paths_done, paths)``.

    Returns
    -------
    BreakEven
        The value, its standard error and 95 % interval, and every run.

    Raises
    ------
    ArgumentError
        For an invalid argument; a field that does not exist or is not numeric; or a bracket over
        which the statistic does not cross the target (the message gives the statistic at both
        ends).
    ScenarioError
        If a value in the bracket makes the scenario invalid (a note names the value).

    Warns
    -----
    RuntimeWarning
        If ``max_evals`` runs did not locate the root to its precision (``converged=False``).

    Examples
    --------
    The collection rate at which circular debt is expected not to grow, and the one at which it
    grows on only 5 % of paths:

    >>> import gridrisk as gr
    >>> sc = gr.Scenario.preset("pakistan-2000mw")
    >>> be = gr.breakeven(sc, "fiscal.collection_rate", bracket=(0.5, 1.0), output="circular_debt_change_pkr")
    >>> be  # doctest: +SKIP
    break-even fiscal.collection_rate = ... (E[circular_debt_change_pkr] = 0; 20,000 paths, seed 7, 6 runs)
    >>> risk = gr.breakeven(sc, "fiscal.collection_rate", bracket=(0.5, 1.0), probability=0.05,
    ...                     output="circular_debt_change_pkr")  # doctest: +SKIP
    >>> be.evaluations  # every run: value, statistic, se, role  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        raise ArgumentError(
            f"scenario must be a gridrisk.Scenario (e.g. Scenario.preset(...)), got {type(scenario).__name__}"
        )
    try:
        lo_raw, hi_raw = bracket
    except (TypeError, ValueError):
        raise ArgumentError(f"bracket must be a pair (lo, hi) of values of the field, got {bracket!r}") from None
    lo, hi = sorted((_finite("bracket[0]", lo_raw), _finite("bracket[1]", hi_raw)))
    if lo == hi:
        raise ArgumentError(f"bracket must have two different ends, got {bracket!r}")
    is_int = _field_kind(scenario, field, lo)
    if is_int and (lo != round(lo) or hi != round(hi)):
        raise ArgumentError(f"{field} holds whole numbers: the bracket must be whole numbers too, got {bracket!r}")
    output = choice("output", output, list(_core.output_names()))
    target = _finite("target", target)
    p_target: float | None = None
    if probability is not None:
        p_target = _finite("probability", probability)
        if not 0.0 < p_target < 1.0:
            raise ArgumentError(f"probability must be strictly between 0 and 1, got {probability!r}")
    paths = whole("paths", paths, 2, MAX_PATHS)
    seed = secrets.randbits(63) if seed is None else whole("seed", seed, 0, 2**64 - 1)
    max_evals = whole("max_evals", max_evals, 3, 200)
    if tol is None:
        tol = 1.0 if is_int else (hi - lo) * 1e-4
    else:
        tol = _finite("tol", tol)
        if tol <= 0:
            raise ArgumentError(f"tol must be a positive number (in the field's unit), got {tol!r}")
        if is_int:
            tol = max(tol, 1.0)

    higher = OUTPUT_BETTER.get(output, HIGHER) == HIGHER
    out_unit = OUTPUT_UNITS.get(output, "")
    if p_target is None:
        goal = target
        criterion = f"E[{output}] = {_num(target)}" + (f" {out_unit}" if target and out_unit else "")
    else:
        goal = p_target
        thr = _num(target) + (f" {out_unit}" if target and out_unit else "")
        criterion = f"P({output} {'<' if higher else '>'} {thr}) = {p_target:g}"

    rows: list[tuple[float, float, float]] = []
    roles: list[str] = []
    # One line for the search: at most max_evals runs, then up to two for the slope.
    bar = _progress.Search(progress, max_evals + 2, paths, "gridrisk breakeven")

    def statistic(x: float, role: str) -> tuple[float, float]:
        """(statistic, its se) at ``x``: one simulation on the shared seed."""
        value: float = float(round(x)) if is_int else x
        try:
            sc = scenario.replace({field: int(value) if is_int else value})
        except ScenarioError as e:
            e.add_note(f"in breakeven at {field} = {value:g}")
            raise
        res = simulate(
            sc,
            paths=paths,
            seed=seed,
            threads=threads,
            keep_outputs=p_target is not None,
            progress=bar.run(len(rows)),
            client=client,
        )
        if p_target is None:
            row = res.summary().loc[output]
            stat, se = float(row["mean"]), float(row["se"])
        else:
            stat = _adverse_share(res.path_output(output), target, higher)
            se = math.sqrt(p_target * (1 - p_target) / paths)
        if not math.isfinite(stat):
            raise ArgumentError(
                f"{output} is undefined at {field} = {value:g} for this scenario "
                f"(horizon {scenario.months} months); choose another output"
            )
        rows.append((value, stat, se))
        roles.append(role)
        return stat, se

    def table() -> pd.DataFrame:
        df = pd.DataFrame(rows, columns=["value", "statistic", "se"])
        df["role"] = roles
        df.index = pd.RangeIndex(1, len(df) + 1, name="run")
        return df

    with bar:
        a, b = lo, hi
        fa, sa = statistic(a, "bracket")
        fb, sb = statistic(b, "bracket")
        ga, gb = fa - goal, fb - goal
        if fa == fb:
            raise ArgumentError(_flat_message(field, criterion, a, b, fa, fb))
        if ga != 0.0 and gb != 0.0 and (ga > 0) == (gb > 0):
            raise ArgumentError(_no_crossing_message(field, criterion, a, b, fa, sa, fb, sb, out_unit))

        def close(g: float, se: float) -> bool:
            return abs(g) <= STOP_SE_FRACTION * se

        # Illinois: regula falsi on the (possibly halved) end values ma, mb; ga, gb stay true values.
        ma, mb = ga, gb
        side = 0
        found: tuple[float, float] | None = None  # (value, se of statistic) when stopped at a run
        final = (a, ga, sa, b, gb, sb)
        stop = ""
        if ga == 0.0:
            found, stop = (a, sa), "the statistic equals the target at the bracket's end"
        elif gb == 0.0:
            found, stop = (b, sb), "the statistic equals the target at the bracket's end"
        while found is None:
            if b - a <= tol:
                stop = f"bracket no wider than tol = {tol:g}"
                break
            if len(rows) >= max_evals:
                stop = f"max_evals = {max_evals} runs reached"
                break
            x = b - mb * (b - a) / (mb - ma)
            if not a < x < b:
                x = 0.5 * (a + b)
            if is_int:
                x = min(max(float(round(x)), a + 1), b - 1)
            fx, sx = statistic(x, "search")
            gx = fx - goal
            final = (a, ga, sa, b, gb, sb)
            if gx == 0.0 or close(gx, sx):
                found, stop = (x, sx), f"statistic within {STOP_SE_FRACTION:g} of its standard error of the target"
                break
            if (gx > 0) == (gb > 0):  # root in [a, x]
                b, gb, mb, sb = x, gx, gx, sx
                if side == -1:
                    ma /= 2
                side = -1
            else:  # root in [x, b]
                a, ga, ma, sa = x, gx, gx, sx
                if side == 1:
                    mb /= 2
                side = 1
            final = (a, ga, sa, b, gb, sb)

        xa, ga_, sa_, xb, gb_, sb_ = final
        if found is not None:
            value, se_stat = found
        else:
            w = -ga_ / (gb_ - ga_)
            value = xa + w * (xb - xa)
            se_stat = (1 - w) * sa_ + w * sb_
        if p_target is not None:
            se_stat = math.sqrt(p_target * (1 - p_target) / paths)
        # The slope for the delta method. The nearest runs on either side of the value serve if the
        # statistic runs straight between them; otherwise a secant over about two standard errors of
        # the value on each side (runs already there reused, else run).
        slope = (gb_ - ga_) / (xb - xa)
        left, right = _nearest_beyond(rows, value, goal, se_stat)
        sides = [(goal - r[1]) / (value - r[0]) if r is not None else math.nan for r in (left, right)]
        if left is not None and right is not None and _agree(sides[0], sides[1]):
            slope = (right[1] - left[1]) / (right[0] - left[0])
        else:
            near = [(abs(r[0] - value), k) for k, r in enumerate((left, right)) if r is not None]
            if near:
                slope = sides[min(near)[1]]
            h = 2 * se_stat / abs(slope)
            if is_int:
                h = max(1.0, float(math.ceil(h)))
            ends: list[tuple[float, float, float] | None] = []
            for sign in (-1.0, 1.0):
                within = [r for r in rows if h / 2 <= sign * (r[0] - value) <= 2 * h]
                if within:
                    ends.append(min(within, key=lambda r: abs(abs(r[0] - value) - h)))
                    continue
                x = min(max(value + sign * h, lo), hi)
                if is_int:
                    x = float(math.floor(x) if sign < 0 else math.ceil(x))
                if sign * (x - value) <= 0 or any(r[0] == x for r in rows) or not 0 < h < math.inf:
                    ends.append(None)
                    continue
                statistic(x, "slope")
                ends.append(rows[-1])
            lo_end, hi_end = ends
            if lo_end is not None and hi_end is not None and lo_end[1] != hi_end[1]:
                slope = (hi_end[1] - lo_end[1]) / (hi_end[0] - lo_end[0])
        se = se_stat / abs(slope)
        converged = not stop.startswith("max_evals")
        result = BreakEven(
            field=field,
            criterion=criterion,
            value=float(value),
            se=float(se),
            ci95=(float(value - Z95 * se), float(value + Z95 * se)),
            unit=field_unit(field),
            evaluations=table(),
            output=output,
            target=target,
            probability=p_target,
            slope=float(slope),
            paths=paths,
            seed=seed,
            converged=converged,
            stop=stop,
            bracket=(float(xa), float(xb)),
            scenario=scenario,
        )
    # After the progress line has ended, so that the warning starts a line of its own.
    if not converged:
        warnings.warn(
            f"breakeven did not converge in {max_evals} runs: the root lies in [{xa:g}, {xb:g}]; "
            "raise max_evals or narrow the bracket",
            RuntimeWarning,
            stacklevel=2,
        )
    return result


def _adverse_share(values: np.ndarray, threshold: float, higher_is_better: bool) -> float:
    """Share of ``values`` beyond ``threshold`` on the adverse side (as :meth:`Results.summary`).

    Values within 1e-12 of the threshold count as at it; NaN values count as not adverse, and an
    all-NaN array (an output undefined for the horizon) gives NaN.
    """
    if values.size == 0 or bool(np.isnan(values).all()):
        return math.nan
    bad = values < threshold - _ZERO if higher_is_better else values > threshold + _ZERO
    return float(np.count_nonzero(bad)) / values.size


def _nearest_beyond(
    rows: list[tuple[float, float, float]], value: float, goal: float, se: float
) -> tuple[tuple[float, float, float] | None, tuple[float, float, float] | None]:
    """The nearest run below and above ``value`` whose statistic is at least ``se`` from ``goal``.

    Runs closer than one standard error to the target are passed over: over so short a step the
    discreteness of a probability or a small jump of the estimate could dominate a secant.
    """
    below = [r for r in rows if r[0] < value and abs(r[1] - goal) >= se and r[1] != goal]
    above = [r for r in rows if r[0] > value and abs(r[1] - goal) >= se and r[1] != goal]
    return (max(below, default=None, key=lambda r: r[0]), min(above, default=None, key=lambda r: r[0]))


def _agree(a: float, b: float) -> bool:
    """Two secants of the same sign within :data:`SLOPE_AGREEMENT` of each other."""
    return a * b > 0 and abs(a - b) <= SLOPE_AGREEMENT * max(abs(a), abs(b))


def _no_crossing_message(
    field: str, criterion: str, a: float, b: float, fa: float, sa: float, fb: float, sb: float, unit: str
) -> str:
    stat = criterion.rsplit(" = ", 1)[0]
    fmt: Callable[[float, float], str] = (
        (lambda f, s: f"{f:.4g}") if stat.startswith("P(") else (lambda f, s: _with_error(f, s, unit))
    )
    return (
        f"the bracket does not straddle the break-even ({criterion}): {stat} is {fmt(fa, sa)} at "
        f"{field} = {a:g} and {fmt(fb, sb)} at {field} = {b:g}, both on the same side of the target; "
        "try a wider bracket (the statistic need not be monotone: check it with gridrisk.sweep)"
    )


def _flat_message(field: str, criterion: str, a: float, b: float, fa: float, fb: float) -> str:
    stat = criterion.rsplit(" = ", 1)[0]
    head = f"{stat} is {fa:.6g} at {field} = {a:g} and at {field} = {b:g}: "
    if stat.startswith("P(") and fa in (0.0, 1.0):
        which = "no path is" if fa == 0.0 else "every path is"
        return head + f"{which} adverse at either end; choose a bracket over which the probability changes"
    return head + (
        f"{field} may have no effect on {stat} in this scenario (e.g. a parameter of a tariff design that is not "
        "selected, or of a period outside the horizon)"
    )
