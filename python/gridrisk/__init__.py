"""gridrisk: Monte Carlo fiscal and reliability risk of grid power for Bitcoin mining and AI.

>>> import gridrisk as gr
>>> sc = gr.Scenario.preset("pakistan-2000mw")
>>> res = gr.simulate(sc, paths=2_000, seed=7, progress=False)
>>> res.fan("bitcoin.price_usd").shape
(120, 5)
"""

from gridrisk._core import CHUNK_PATHS, HEADLINE_FANS, SKETCH_RELATIVE_ACCURACY, __version__
from gridrisk.adequacy import AdequacyResult, adequacy
from gridrisk.compare import Comparison, Sweep, compare, sweep
from gridrisk.errors import (
    ArgumentError,
    DataError,
    GridRiskError,
    InternalError,
    MergeError,
    PrecisionWarning,
    ScenarioError,
)
from gridrisk.explain import MonthDetail, explain_month
from gridrisk.io import load
from gridrisk.policy import BreakEven, breakeven
from gridrisk.results import (
    ADVERSE_FROM_ZERO,
    CONTROLS,
    FAN_QUANTILES,
    METRIC_BETTER,
    METRIC_UNITS,
    OUTPUT_BETTER,
    OUTPUT_UNITS,
    SUMMARY_QUANTILES,
    Results,
    fiscal_years,
)
from gridrisk.scenario import Scenario, presets
from gridrisk.sensitivity import DRIVER_GROUPS, Sensitivity, sensitivity
from gridrisk.simulation import MAX_PATHS, merge, simulate, thread_pool_size
from gridrisk.uncertainty import Discrete, JointNormal, LogNormal, Normal, Scenarios, Triangular, Uniform

__all__ = [
    "ADVERSE_FROM_ZERO",
    "CHUNK_PATHS",
    "CONTROLS",
    "DRIVER_GROUPS",
    "FAN_QUANTILES",
    "HEADLINE_FANS",
    "MAX_PATHS",
    "METRIC_BETTER",
    "METRIC_UNITS",
    "OUTPUT_BETTER",
    "OUTPUT_UNITS",
    "SKETCH_RELATIVE_ACCURACY",
    "SUMMARY_QUANTILES",
    "AdequacyResult",
    "ArgumentError",
    "BreakEven",
    "Comparison",
    "DataError",
    "Discrete",
    "GridRiskError",
    "InternalError",
    "JointNormal",
    "LogNormal",
    "MergeError",
    "MonthDetail",
    "Normal",
    "PrecisionWarning",
    "Results",
    "Scenario",
    "ScenarioError",
    "Scenarios",
    "Sensitivity",
    "Sweep",
    "Triangular",
    "Uniform",
    "__version__",
    "adequacy",
    "breakeven",
    "compare",
    "explain_month",
    "fiscal_years",
    "load",
    "merge",
    "presets",
    "sensitivity",
    "simulate",
    "sweep",
    "thread_pool_size",
]


def __getattr__(name: str) -> object:
    # Modules imported when first used: the fitting tools need scipy (optional), and the report,
    # findings and backcast are not needed to run a simulation.
    if name in ("backcast", "calibrate", "datasets", "findings", "report", "stresses"):
        import importlib

        return importlib.import_module(f"gridrisk.{name}")
    raise AttributeError(f"module 'gridrisk' has no attribute {name!r}")
