"""gridrisk against an independent NumPy implementation of docs/model.md (bench/numpy_reference.py).

Different random numbers, same model: the distributions must agree (means within 4 standard
errors of their difference, two-sample KS test). This also checks that docs/model.md says what
the code does.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import gridrisk as gr
import numpy as np
import pytest
from scipy import stats

_spec = importlib.util.spec_from_file_location(
    "numpy_reference", Path(__file__).resolve().parents[1] / "bench" / "numpy_reference.py"
)
assert _spec is not None
assert _spec.loader is not None
numpy_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(numpy_reference)

N = 6_000
#: Five outputs are tested; a family-wise false-alarm rate of 5e-4 gives 1e-4 for each KS test.
KS_ALPHA = 1e-4


@pytest.fixture(scope="module")
def both(short: gr.Scenario) -> tuple[gr.Results, dict[str, np.ndarray]]:
    res = gr.simulate(short, paths=N, seed=11, keep_outputs=True, progress=False)
    ref = numpy_reference.reference(short.to_dict(), N, seed=12)
    return res, ref


@pytest.mark.parametrize(
    "output",
    [
        "npv_pkr",
        "circular_debt_change_pkr",
        "eue_with_mwh_per_year",
        "eue_households_increase_mwh_per_year",
        "miner_uptime_share",
    ],
)
def test_distributions_agree(both: tuple[gr.Results, dict[str, np.ndarray]], output: str) -> None:
    res, ref = both
    a, b = res.path_output(output), ref[output]
    se = math.hypot(a.std(ddof=1) / math.sqrt(a.size), b.std(ddof=1) / math.sqrt(b.size))
    assert abs(a.mean() - b.mean()) <= 4 * se + 1e-9 * abs(a.mean()), (output, a.mean(), b.mean(), se)
    assert stats.ks_2samp(a, b).pvalue > KS_ALPHA, output
