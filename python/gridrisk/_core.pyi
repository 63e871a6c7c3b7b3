"""Type stubs of the compiled module ``gridrisk._core`` (mirrors ``src/bindings/mod.rs``)."""

from collections.abc import Callable, Mapping
from typing import Any, Final, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "CHUNK_PATHS",
    "HEADLINE_FANS",
    "SKETCH_RELATIVE_ACCURACY",
    "RunStats",
    "__version__",
    "_panic_in_call",
    "_panic_in_worker",
    "adequacy",
    "default_threads",
    "explain_month",
    "fingerprint",
    "hashprice_usd_per_ph_day",
    "keep_paths_bytes",
    "metric_names",
    "output_names",
    "rates",
    "scenario_from_toml",
    "scenario_to_toml",
    "schedule",
    "simulate",
    "uncertain_support",
    "validate_scenario",
]

__version__: Final[str]
#: Paths per leaf chunk of the merge tree; path ranges must start at a multiple of it.
CHUNK_PATHS: Final[int]
#: Relative accuracy of every sketch quantile (0.002 = 0.2 %).
SKETCH_RELATIVE_ACCURACY: Final[float]
#: Metrics whose quantiles every run keeps in every month (``simulate(fans=...)`` adds more).
HEADLINE_FANS: Final[tuple[str, ...]]

def validate_scenario(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a scenario dict; return its canonical dict. Raises ScenarioError."""

def uncertain_support(declaration: Mapping[str, Any]) -> list[tuple[float, float]]:
    """The smallest and largest value of each field of one ``[[uncertain]]`` declaration."""

def scenario_from_toml(text: str) -> dict[str, Any]:
    """Parse and validate TOML text; return the canonical dict. Raises ScenarioError."""

def scenario_to_toml(scenario: Mapping[str, Any]) -> str:
    """Validate a scenario dict and render it as TOML text."""

def rates(scenario: Mapping[str, Any]) -> tuple[float, float]:
    """``(fx_drift_annual, discount_rate_annual)`` the engine uses: declared or derived."""

def schedule(scenario: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Month, days, height_start, blocks and subsidy_btc of every simulated month."""

def metric_names() -> list[str]:
    """Names of the per-path monthly metrics, in array order."""

def output_names() -> list[str]:
    """Names of the per-path outputs, in array order."""

def adequacy(
    units: list[tuple[int, float, float]],
    load_mw: npt.ArrayLike,
    *,
    capacity_step_mw: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """Per-period LOLP and expected unserved power of unit classes, and the rounded capacity.

    ``load_mw`` is the load of each period, MW. Raises ArgumentError naming the element
    (``units[2][1]``, ``load_mw[7]``) for a bad step, unit size, outage rate or load, or a
    table above 4,000,000 rows.
    """

def fingerprint(scenario: Mapping[str, Any], seed: int, antithetic: bool, stream_seeds: list[int] | None = None) -> int:
    """The fingerprint the statistics of a run of ``scenario`` carry (``RunStats.fingerprint``).

    A hash of the scenario's canonical TOML and the seed of every stream (``stream_seeds`` when
    given, else ``seed`` for all), with ``antithetic`` in the lowest bit. Raises ScenarioError
    for an invalid scenario, ArgumentError for a wrong number of stream seeds.
    """

def explain_month(scenario: Mapping[str, Any], *, seed: int, path: int, month: int) -> dict[str, Any]:
    """Blocks, merit order and drivers of one path-month (see ``gridrisk.explain_month``)."""

def hashprice_usd_per_ph_day(price_usd: float, reward_btc: float, network_hashrate_ehs: float) -> float:
    """Hashprice, USD per PH/s per day: price x reward x 144 / (hashrate in PH/s)."""

def default_threads() -> int:
    """Threads used when none are given: GRIDRISK_NUM_THREADS or the available cores."""

def keep_paths_bytes(paths: int, months: int) -> int:
    """Bytes that keeping ``paths`` paths of ``months`` months would allocate."""

def simulate(
    scenario: Mapping[str, Any],
    *,
    seed: int,
    path_lo: int,
    path_hi: int,
    threads: int,
    keep_paths: bool,
    progress: Callable[[int, int], object] | None = None,
    keep_outputs: bool = False,
    stream_seeds: list[int] | None = None,
    antithetic: bool = False,
    param_seeds: dict[str, int] | None = None,
    fans: str | list[str] | None = None,
) -> tuple[RunStats, dict[str, npt.NDArray[np.float64]] | None]:
    """Run paths ``[path_lo, path_hi)`` with the GIL released; see ``gridrisk.simulate``.

    ``fans``: ``None`` for the headline metrics' sketches, ``"all"``, or metric names to add.

    ``param_seeds`` gives groups of uncertain parameters seeds of their own; kept paths hold
    each uncertain field's draws under ``"parameter:<field>"``.
    """

def _panic_in_worker() -> None:
    """Panic inside a pool worker (tests that panics surface as ``gridrisk.errors.InternalError``)."""

def _panic_in_call() -> None:
    """Panic inside a binding call (tests that panics surface as ``gridrisk.errors.InternalError``)."""

@final
class RunStats:
    """Mergeable statistics of a range of paths: moments and quantile sketches per cell."""

    @property
    def paths(self) -> int: ...
    @property
    def path_lo(self) -> int: ...
    @property
    def path_hi(self) -> int: ...
    @property
    def months(self) -> int: ...
    @property
    def metrics(self) -> list[str]: ...
    @property
    def outputs(self) -> list[str]: ...
    @property
    def sketched_cells(self) -> list[int]:
        """Cells with a quantile sketch, increasing: ``metric * months + month``, then outputs."""
    @property
    def antithetic(self) -> bool: ...
    def output_pair_moments(
        self,
    ) -> tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
        """Antithetic runs: ``(pairs, mean, variance)`` of the pair means of the outputs."""
    @property
    def fingerprint(self) -> int:
        """Identifies (scenario, seeds, antithetic); see :func:`fingerprint`."""
    @property
    def stream_seeds(self) -> list[int] | None:
        """The seed of each random stream when known (runs and ``from_bytes(data, seeds)``)."""
    def moments(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(mean, variance)``, each of shape (metrics, months); variance uses n - 1 (NaN for one path)."""
    def quantiles(self, q: list[float]) -> npt.NDArray[np.float64]:
        """Sketch quantiles of the monthly metrics, shape (metrics, months, len(q)); q in [0, 1].

        NaN in the cells without a sketch (see ``sketched_cells``).
        """
    def output_moments(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(mean, variance)`` of the per-path outputs, each of shape (outputs,)."""
    @property
    def conditions(self) -> list[tuple[str, str, str, str, float]]:
        """The run's path conditions: ``(name, description, output, operator, threshold)``.

        The operator is one of ``">"``, ``">="``, ``"<"``, ``"<="``.
        """
    def output_condition_moments(
        self,
    ) -> list[tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
        """Per condition, ``(paths, mean, variance)`` of the outputs over the paths meeting it.

        Mean zero with no path; variance (n - 1) NaN with fewer than two paths.
        """
    def output_negative_share(self) -> npt.NDArray[np.float64]:
        """Share of paths on which each output is negative (exact), shape (outputs,)."""
    @property
    def controls(self) -> list[str]:
        """The control variates' names, in co-moment order."""
    def control_variates(
        self,
    ) -> tuple[
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
        npt.NDArray[np.bool_],
    ]:
        """Control-variate estimates: ``(plain_mean, plain_se, mean, se, r2, used)``.

        Rows: the outputs, then their below-zero and above-zero indicators (3 x outputs);
        ``used`` has shape (3 x outputs, controls).
        """
    def metric_share_at_or_below(self, metric: int, month: int, x: float) -> float:
        """Share of paths on which metric ``metric`` is at most ``x`` in month ``month``."""
    def output_share_at_or_below(self, index: int, x: float) -> float:
        """Share of paths on which output ``index`` is at most ``x`` (sketch resolution).

        ArgumentError for an index out of range or a NaN ``x`` (likewise the partial moments).
        """
    def output_lower_partial_moments(self, index: int, x: float) -> tuple[float, float]:
        """``(E[max(x - X, 0)], E[max(x - X, 0)**2])`` of output ``index`` over all paths."""
    def output_upper_partial_moments(self, index: int, x: float) -> tuple[float, float]:
        """``(E[max(X - x, 0)], E[max(X - x, 0)**2])`` of output ``index`` over all paths."""
    def output_quantiles(self, q: list[float]) -> npt.NDArray[np.float64]:
        """Sketch quantiles of the per-path outputs, shape (outputs, len(q)); q in [0, 1]."""
    def merge(self, other: RunStats) -> RunStats:
        """Statistics of the union with an adjacent range of the same run."""
    def to_bytes(self) -> bytes:
        """Compact binary encoding."""
    @staticmethod
    def from_bytes(data: bytes, stream_seeds: list[int] | None = None) -> RunStats:
        """Decode ``to_bytes``; raises DataError for foreign, corrupt or inconsistent bytes.

        ``stream_seeds`` are recorded as :attr:`stream_seeds` (not checked).
        """
    def __reduce__(self) -> tuple[Any, tuple[bytes, list[int] | None]]: ...
