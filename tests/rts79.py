"""IEEE Reliability Test System 1979 (RTS-79): generating system and load model.

Plain data module for tests: a transcription of the RTS-79 generating units and
its chronological load model, the published adequacy indices, and an
independent NumPy capacity-outage-probability-table (COPT) calculation of
those indices. Imports only NumPy and the standard library.

Primary source
--------------
IEEE Reliability Test System Task Force of the Application of Probability
Methods Subcommittee, "IEEE Reliability Test System", IEEE Trans. Power
Apparatus and Systems, PAS-98(6), Nov./Dec. 1979, pp. 2047-2054.
Table 1 weekly peaks, Table 2 daily peaks, Table 3 hourly peaks; generating
unit reliability data in the generating-unit tables (unit size, MTTF, MTTR,
scheduled maintenance, forced outage rate).

The paper itself could not be retrieved in this session. Every number below
was cross-checked against independent public transcriptions instead:
  [A] simontindemans/gen_adequacy, gen_adequacy/ieee_rts.py (commit c9c04f82):
      all unit data (count, MW, availability = 1 - FOR) and all load tables.
  [B] Matrixeigs/PowerSystemsReliabilityAssessment, Montecarlo_seq/
      case24_loadprofile.m (weekly/daily/hourly tables with column headings
      "winter weeks 1-8 & 44-52 / summer 18-30 / spring-fall 9-17 & 31-43",
      rows labelled by hour "0 - 1" ... "23 - 24") and
      Montecarlo_seq/case24_failrate.m (per-unit MTTF, MTTR, maintenance weeks).
  [C] rwl/pylon, examples/pyreto/thesis/common.py (load tables).
  [D] a copy of "forecast_load" code citing the UW PSTCA RTS page
      (www.ee.washington.edu/research/pstca/rts/rts96/); the file has no
      repository name in the index. Weekly, daily and hourly tables.
  [E] power-grid-lib/pglib-opf, pglib_opf_case24_ieee_rts.m (unit Pmax and bus
      of every unit; bus loads sum to 2850 MW).
Discrepancies found between sources (and how they were resolved):
  * [B] gives week 40 as 72.3 %; [A], [C], [D] and two other indexed copies
    give 72.4 %. With 72.4 the hourly LOLE is 9.394175 h/yr, which rounds to
    the published 9.3942 (9.39418). With 72.3 it is 9.394096 (9.3941), which
    does not. 72.4 is used.
  * [C] has weeks 13-19 and 32-34 permuted (70.4 placed after 80.0, etc.).
    That is a transcription error; the order used here is the one in [A], [B], [D].
  * All sources agree on the daily table, the six hourly columns, the unit
    sizes and counts, and the forced outage rates.
    (FOR = MTTR / (MTTF + MTTR) from [B] matches 1 - availability from [A].)

Conventions (these matter at the 0.01 % level)
----------------------------------------------
* Year: 52 weeks x 7 days x 24 h = 8736 hours (364 days). No 365th day.
* Week 1 starts on a Monday: Table 2 runs Monday..Sunday, and day index
  0 of every week is Monday. Days 5 and 6 (Sat, Sun) use the weekend column
  of Table 3.
* Hour index 0 is 00:00-01:00 (midnight to 1 am), as in Table 3.
* Seasons (Table 3 columns, 1-based week numbers): winter weeks 1-8 and 44-52,
  summer weeks 18-30, spring/fall weeks 9-17 and 31-43.
* Hourly load = annual peak x weekly % x daily % x hourly % (product of the
  three tables). The daily peak equals annual peak x weekly % x daily %,
  because every Table 3 column contains a 100 %.
* Tie rule: loss of load in an hour iff available capacity < load (strictly).
  Every unit size is a whole MW, so available capacity is a whole number of
  MW. 94 of the 8736 hourly loads are also whole numbers (e.g. 2850 x 1.00 x
  1.00 x 1.00). So ties are NOT negligible: counting "capacity == load" as a
  loss gives LOLE = 9.41825 h/yr (+0.26 %). Only the strict rule reproduces
  the published 9.39418. EENS is unaffected, because the shortfall is 0 at a
  tie.
* Loads are computed here with exact integer arithmetic (see
  `_hourly_load_e7`), so integer-valued hours are exact. Ordinary floating
  point can put such an hour 1 ulp above the integer. For example,
  2850*((w/100)*(d/100)*(h/100)) does so for 29 hours and gives LOLE
  9.394190 instead of 9.394175, a +1.5e-6 relative error. Compare engines with
  a relative tolerance of at least ~1e-5, or build loads the same way as here.

Reproduction (`reference_indices()`, exact two-state COPT, 1 MW grid = exact)
----------------------------------------------------------------------------
  LOLE hourly   9.394175 h/yr   (published 9.39418)    rel. diff ~ -5e-7
  LOEE/EENS  1176.2985 MWh/yr   (published 1176)       rel. diff ~ +3e-4 (rounding of the published figure)
  LOLE daily    1.368863 d/yr   (published 1.36886)    rel. diff ~ +2e-6
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------
# Generating system (RTS-79 generating unit reliability data table).
# (number of units, unit size MW, forced outage rate). 32 units, 3405 MW.
# Sources: [A] (count, MW, availability), [B] (FOR = MTTR/(MTTF+MTTR)),
# [E] (sizes and count by bus).
# ---------------------------------------------------------------------------
UNITS: list[tuple[int, float, float]] = [
    (5, 12.0, 0.02),
    (4, 20.0, 0.10),
    (6, 50.0, 0.01),
    (4, 76.0, 0.02),
    (3, 100.0, 0.04),
    (4, 155.0, 0.04),
    (3, 197.0, 0.05),
    (1, 350.0, 0.08),
    (2, 400.0, 0.12),
]
INSTALLED_MW = 3405.0

# Extra per-unit-group data (keyed by unit size, MW). MTTF/MTTR in hours and
# scheduled maintenance in weeks/year are from [B] and also agree with another
# indexed copy of the RTS generator data. Buses are from [E]. The unit-type
# labels are the customary RTS-79 descriptions; they could not be
# cross-checked against a retrieved copy of the paper, so do not build tests
# on them.
UNIT_DETAILS: dict[float, dict] = {
    12.0: {"type": "oil/steam", "mttf_h": 2940, "mttr_h": 60, "maint_weeks": 2, "buses": [15] * 5},
    20.0: {"type": "oil/combustion turbine", "mttf_h": 450, "mttr_h": 50, "maint_weeks": 2, "buses": [1, 1, 2, 2]},
    50.0: {"type": "hydro", "mttf_h": 1980, "mttr_h": 20, "maint_weeks": 2, "buses": [22] * 6},
    76.0: {"type": "coal/steam", "mttf_h": 1960, "mttr_h": 40, "maint_weeks": 3, "buses": [1, 1, 2, 2]},
    100.0: {"type": "oil/steam", "mttf_h": 1200, "mttr_h": 50, "maint_weeks": 3, "buses": [7, 7, 7]},
    155.0: {"type": "coal/steam", "mttf_h": 960, "mttr_h": 40, "maint_weeks": 4, "buses": [15, 16, 23, 23]},
    197.0: {"type": "oil/steam", "mttf_h": 950, "mttr_h": 50, "maint_weeks": 4, "buses": [13, 13, 13]},
    350.0: {"type": "coal/steam", "mttf_h": 1150, "mttr_h": 100, "maint_weeks": 5, "buses": [23]},
    400.0: {"type": "nuclear", "mttf_h": 1100, "mttr_h": 150, "maint_weeks": 6, "buses": [18, 21]},
}

# ---------------------------------------------------------------------------
# Load model.
# ---------------------------------------------------------------------------
ANNUAL_PEAK_MW = 2850.0
WEEKS, DAYS_PER_WEEK, HOURS_PER_DAY = 52, 7, 24
HOURS_PER_YEAR = WEEKS * DAYS_PER_WEEK * HOURS_PER_DAY  # 8736
DAYS_PER_YEAR = WEEKS * DAYS_PER_WEEK  # 364

# Table 1: weekly peak load, % of annual peak; index 0 = week 1 (first week of
# January). Identical in [A], [C] (apart from its permutation), [D]. [B] has
# 72.3 for week 40 (see module docstring).
# fmt: off
WEEKLY_PEAK_PCT: list[float] = [
    86.2, 90.0, 87.8, 83.4, 88.0, 84.1, 83.2, 80.6, 74.0, 73.7,  # weeks 1-10
    71.5, 72.7, 70.4, 75.0, 72.1, 80.0, 75.4, 83.7, 87.0, 88.0,  # weeks 11-20
    85.6, 81.1, 90.0, 88.7, 89.6, 86.1, 75.5, 81.6, 80.1, 88.0,  # weeks 21-30
    72.2, 77.6, 80.0, 72.9, 72.6, 70.5, 78.0, 69.5, 72.4, 72.4,  # weeks 31-40
    74.3, 74.4, 80.0, 88.1, 88.5, 90.9, 94.0, 89.0, 94.2, 97.0,  # weeks 41-50
    100.0, 95.2,                                                 # weeks 51-52
]
# fmt: on

# Table 2: daily peak load, % of weekly peak; Monday first.
DAILY_PEAK_PCT: list[float] = [93.0, 100.0, 98.0, 96.0, 94.0, 77.0, 75.0]
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Table 3: hourly load, % of daily peak; index 0 = 00:00-01:00.
# Keys: (season, 'weekday'|'weekend'); season in {'winter','summer','spring_fall'}.
# fmt: off
HOURLY_PCT: dict[tuple[str, str], list[float]] = {
    # winter: weeks 1-8 & 44-52
    ("winter", "weekday"): [67, 63, 60, 59, 59, 60, 74, 86, 95, 96, 96, 95,
                            95, 95, 93, 94, 99, 100, 100, 96, 91, 83, 73, 63],
    ("winter", "weekend"): [78, 72, 68, 66, 64, 65, 66, 70, 80, 88, 90, 91,
                            90, 88, 87, 87, 91, 100, 99, 97, 94, 92, 87, 81],
    # summer: weeks 18-30
    ("summer", "weekday"): [64, 60, 58, 56, 56, 58, 64, 76, 87, 95, 99, 100,
                            99, 100, 100, 97, 96, 96, 93, 92, 92, 93, 87, 72],
    ("summer", "weekend"): [74, 70, 66, 65, 64, 62, 62, 66, 81, 86, 91, 93,
                            93, 92, 91, 91, 92, 94, 95, 95, 100, 93, 88, 80],
    # spring/fall: weeks 9-17 & 31-43
    ("spring_fall", "weekday"): [63, 62, 60, 58, 59, 65, 72, 85, 95, 99, 100, 99,
                                 93, 92, 90, 88, 90, 92, 96, 98, 96, 90, 80, 70],
    ("spring_fall", "weekend"): [75, 73, 69, 66, 65, 65, 68, 74, 83, 89, 92, 94,
                                 91, 90, 90, 86, 85, 88, 92, 100, 97, 95, 90, 85],
}
# fmt: on
HOURLY_PCT = {k: [float(v) for v in vals] for k, vals in HOURLY_PCT.items()}


def season(week_index: int) -> str:
    """Table 3 season of a 0-based week index (0 = week 1 ... 51 = week 52)."""
    if not 0 <= week_index < WEEKS:
        raise ValueError(f"week_index must be in 0..51, got {week_index}")
    week = week_index + 1
    if week <= 8 or week >= 44:
        return "winter"
    if 18 <= week <= 30:
        return "summer"
    return "spring_fall"


def day_type(day_index: int) -> str:
    """'weekday' for Mon-Fri (0..4), 'weekend' for Sat/Sun (5, 6)."""
    if not 0 <= day_index < DAYS_PER_WEEK:
        raise ValueError(f"day_index must be in 0..6, got {day_index}")
    return "weekday" if day_index < 5 else "weekend"


# Loads in exact integers, in units of 1e-7 MW:
# 2850 * (weekly % x 10) * daily % * hourly %  /  (1000 * 100 * 100).
_SCALE = 10**7


def _hourly_load_e7() -> list[int]:
    peak = int(ANNUAL_PEAK_MW)
    out = []
    for w in range(WEEKS):
        w10 = round(WEEKLY_PEAK_PCT[w] * 10)
        for d in range(DAYS_PER_WEEK):
            dp = int(DAILY_PEAK_PCT[d])
            for hp in HOURLY_PCT[(season(w), day_type(d))]:
                out.append(peak * w10 * dp * int(hp))
    return out


def hourly_load_mw() -> list[float]:
    """The 8736 hourly loads (MW) in chronological order, starting Monday of
    week 1, 00:00-01:00. Each value is the correctly rounded double of the
    exact product of the tables."""
    return [n / _SCALE for n in _hourly_load_e7()]


def daily_peak_load_mw() -> list[float]:
    """The 364 daily peak loads (MW): annual peak x weekly % x daily %."""
    loads = np.array(hourly_load_mw()).reshape(DAYS_PER_YEAR, HOURS_PER_DAY)
    return loads.max(axis=1).tolist()


# ---------------------------------------------------------------------------
# Published indices.
# ---------------------------------------------------------------------------
PUBLISHED = {
    # LOLE and LOEE with the hourly (8736 h) load model and the full
    # generating system (no scheduled maintenance). Source: R.N. Allan, R.
    # Billinton, N.M.K. Abdel-Gawad, "The IEEE Reliability Test System -
    # Extensions to and Evaluation of the Generating System", IEEE Trans. Power
    # Systems PWRS-1(4), Nov. 1986, pp. 1-7. These values are also reproduced in
    # Billinton & Li, "Reliability Assessment of Electric Power Systems Using
    # Monte Carlo Methods" (Plenum, 1994), where the IEEE-RTS analytical
    # results are 9.39418 h/yr and 1176 MWh/yr.
    # NOT RETRIEVED: no copy of either text was reachable through the search
    # tools in this session. The digits are the commonly cited ones. The code
    # here reproduces 9.394175 / 1176.30, which agrees with them.
    "lole_hours_per_year": 9.39418,
    "eens_mwh_per_year": 1176.0,
    # LOLE with the 364 daily peak loads, same generating system. Source: same
    # 1986 paper; also Billinton & Allan, "Reliability Evaluation of Power
    # Systems" (2nd ed., Plenum 1996), IEEE-RTS generating-capacity results:
    # 1.36886 d/yr. Not retrieved in this session either.
    # NOTE: the value 0.1469 d/yr given in the brief for this module is not
    # reproduced by this data. This model gives 1.368863 d/yr with the strict
    # tie rule and 1.380681 with the non-strict rule. No source for 0.1469
    # could be found.
    "lole_days_per_year_daily_peak": 1.36886,
}


# ---------------------------------------------------------------------------
# Independent reference calculation (analytical COPT, no sampling).
# ---------------------------------------------------------------------------
def copt() -> np.ndarray:
    """Exact probability mass of available capacity: p[k] = P(available = k MW),
    k = 0..3405. Every unit is two-state (full capacity with prob 1-FOR, zero
    with prob FOR). Unit sizes are whole MW, so the 1 MW grid is exact."""
    total = int(sum(n * c for n, c, _ in UNITS))
    p = np.zeros(total + 1)
    p[0] = 1.0
    for n, c, q in UNITS:
        ci = int(c)
        if ci != c:
            raise ValueError("unit sizes must be whole MW for the exact 1 MW grid")
        for _ in range(n):
            new = q * p
            new[ci:] += (1.0 - q) * p[:-ci]
            p = new
    return p


def reference_indices(loss_if_equal: bool = False) -> dict[str, float]:
    """LOLE (h/yr), EENS (MWh/yr) for the 8736 hourly loads and LOLE (d/yr) for
    the 364 daily peaks, computed with the exact COPT.

    loss_if_equal=False (default, the published convention): an hour is a loss
    iff available capacity < load. True counts capacity == load as a loss too.
    """
    p = copt()
    k = np.arange(p.size, dtype=float)
    F = np.concatenate(([0.0], np.cumsum(p)))  # F[m] = P(cap < m) = sum_{k<m} p[k]
    G = np.concatenate(([0.0], np.cumsum(k * p)))  # G[m] = sum_{k<m} k p[k]

    n = np.array(_hourly_load_e7(), dtype=np.int64)  # load = n / 1e7 MW, exact
    # m = number of capacity levels k that count as loss: k < L (or k <= L).
    m = (n // _SCALE + 1) if loss_if_equal else ((n - 1) // _SCALE + 1)
    m = np.minimum(m, p.size)
    load = n / _SCALE
    lole_h = float(F[m].sum())
    # E[max(L - cap, 0)] = sum_{k < L} (L - k) p[k]  (ties contribute 0 either way)
    m_strict = np.minimum((n - 1) // _SCALE + 1, p.size)
    eens = float((load * F[m_strict] - G[m_strict]).sum())

    nd = n.reshape(DAYS_PER_YEAR, HOURS_PER_DAY).max(axis=1)
    md = (nd // _SCALE + 1) if loss_if_equal else ((nd - 1) // _SCALE + 1)
    lole_d = float(F[np.minimum(md, p.size)].sum())
    return {
        "lole_hours_per_year": lole_h,
        "eens_mwh_per_year": eens,
        "lole_days_per_year_daily_peak": lole_d,
    }


def _self_check() -> None:
    assert sum(n for n, _, _ in UNITS) == 32
    assert sum(n * c for n, c, _ in UNITS) == INSTALLED_MW
    for n, c, q in UNITS:
        d = UNIT_DETAILS[c]
        assert len(d["buses"]) == n
        assert abs(d["mttr_h"] / (d["mttf_h"] + d["mttr_h"]) - q) < 1e-12
    assert len(WEEKLY_PEAK_PCT) == WEEKS
    assert max(WEEKLY_PEAK_PCT) == 100.0
    assert len(DAILY_PEAK_PCT) == DAYS_PER_WEEK
    assert max(DAILY_PEAK_PCT) == 100.0
    assert all(len(v) == HOURS_PER_DAY and max(v) == 100.0 for v in HOURLY_PCT.values())
    loads = hourly_load_mw()
    assert len(loads) == HOURS_PER_YEAR
    assert max(loads) == ANNUAL_PEAK_MW
    dp = [
        ANNUAL_PEAK_MW * WEEKLY_PEAK_PCT[w] * DAILY_PEAK_PCT[d] / 1e4
        for w in range(WEEKS)
        for d in range(DAYS_PER_WEEK)
    ]
    assert np.allclose(daily_peak_load_mw(), dp, rtol=0, atol=1e-9)
    assert abs(copt().sum() - 1.0) < 1e-12


if __name__ == "__main__":
    _self_check()
    ref = reference_indices()
    for key, pub in PUBLISHED.items():
        print(f"{key:32s} computed {ref[key]:.6f}  published {pub}  rel.diff {ref[key] / pub - 1:+.2e}")
    print("loss_if_equal=True:", reference_indices(loss_if_equal=True))
