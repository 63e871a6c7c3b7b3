"""gridrisk against an independent NumPy implementation of docs/model.md (bench/numpy_reference.py).

Different random numbers, same model: the distributions must agree (means within 4 standard
errors of their difference, two-sample KS test). This also checks that docs/model.md says what
the code does.

The reference covers a part of the scenario space (``numpy_reference.check_scope``): one
``fixed_pkr`` tariff regime per load, the gap split by the incidence shares without a budget
envelope, the taxes on the bills and profits, and the exchange rate's drift and the discount
rate derived from ``[economy]`` when absent (as in the preset). The preset is brought into it by replacing its
tariffs (the package, then the industrial tariff) with fixed rupee prices.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
from conftest import capacity_only, fixed_loads
from scipy import stats

_spec = importlib.util.spec_from_file_location(
    "numpy_reference", Path(__file__).resolve().parents[1] / "bench" / "numpy_reference.py"
)
assert _spec is not None
assert _spec.loader is not None
numpy_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(numpy_reference)

N = 6_000
OUTPUTS = list(numpy_reference.OUTPUTS)
#: A family-wise false-alarm rate of 5e-4 over the KS tests.
KS_ALPHA = 5e-4 / len(OUTPUTS)


@pytest.fixture(scope="module")
def scenario(short: gr.Scenario) -> gr.Scenario:
    """Two years of the preset inside the reference's scope, every incidence share non-zero.

    In the capacity-only model (conftest.capacity_only: no ``[shedding]``, no fuel limits) with
    fixed loads and the network's trend model (conftest.fixed_loads), the one docs/model.md's
    reference implements: no latent demand, feeder rules, network limit, liquidity loop,
    energy-limited dispatch, investment, take-up or default.
    """
    sc = capacity_only(fixed_loads(short))
    sc = sc.replace(numpy_reference.scope_overrides(sc.to_dict()))
    sc = sc.replace(
        {"incidence.budget_share": 0.25, "incidence.consumers_share": 0.65, "incidence.circular_debt_share": 0.1}
    )
    d = sc.to_dict()
    # The preset's drift and discount rate are derived from its economy: the reference derives them too.
    assert "drift_annual" not in d["fx"]
    assert "discount_rate_annual" not in d["fiscal"]
    return sc


@pytest.fixture(scope="module")
def both(scenario: gr.Scenario) -> tuple[gr.Results, dict[str, np.ndarray]]:
    res = gr.simulate(scenario, paths=N, seed=11, keep_outputs=True, progress=False)
    ref = numpy_reference.reference(scenario.to_dict(), N, seed=12)
    return res, ref


@pytest.mark.parametrize("output", OUTPUTS)
def test_distributions_agree(both: tuple[gr.Results, dict[str, np.ndarray]], output: str) -> None:
    res, ref = both
    a, b = res.path_output(output), ref[output]
    assert a.std() > 0, output  # a constant output would test nothing
    se = math.hypot(a.std(ddof=1) / math.sqrt(a.size), b.std(ddof=1) / math.sqrt(b.size))
    assert abs(a.mean() - b.mean()) <= 4 * se + 1e-9 * abs(a.mean()), (output, a.mean(), b.mean(), se)
    # Atoms (e.g. the tariff revenue of paths on which the miners never run) are computed in a
    # different order of operations in each: snapped to a relative 1e-10, they coincide again.
    scale = max(np.abs(a).max(), np.abs(b).max())
    assert stats.ks_2samp(np.round(a / scale, 10), np.round(b / scale, 10)).pvalue > KS_ALPHA, output


def test_reference_refuses_what_it_does_not_implement(preset: gr.Scenario, scenario: gr.Scenario) -> None:
    with pytest.raises(ValueError, match=r"mining\.tariff must be one fixed_pkr regime"):
        numpy_reference.reference(preset.to_dict(), 10, seed=1)
    enveloped = scenario.replace({"incidence.budget_envelope_pkr_per_fiscal_year": 1e9})
    with pytest.raises(ValueError, match="budget_envelope"):
        numpy_reference.reference(enveloped.to_dict(), 10, seed=1)


def test_reference_derives_drift_and_discount_rate_as_documented(scenario: gr.Scenario) -> None:
    d = scenario.to_dict()
    e, fx = d["economy"], d["fx"]
    # docs/model.md §4 and §8.6, written out once more.
    k = math.exp(fx["jump_mean"] + fx["jump_sd"] ** 2 / 2) - 1 - fx["jump_mean"]
    mu = (
        math.log((1 + e["inflation_annual"]) / (1 + e["us_inflation_annual"]))
        + e["fx_risk_premium_annual"]
        + fx["vol_annual"] ** 2 / 2
        + fx["jump_intensity_annual"] * k
    )
    assert numpy_reference.fx_drift_annual(d) == pytest.approx(mu, rel=1e-12)
    r = (1 + e["real_discount_rate_annual"]) * (1 + e["inflation_annual"]) - 1
    assert numpy_reference.discount_rate_annual(d) == pytest.approx(r, rel=1e-12)
    declared = scenario.replace({"fx.drift_annual": 0.1, "fiscal.discount_rate_annual": 0.2}).to_dict()
    assert (numpy_reference.fx_drift_annual(declared), numpy_reference.discount_rate_annual(declared)) == (0.1, 0.2)


# The Numba port of the same model (bench/numba_reference.py, issue 17): its own random numbers,
# the NumPy reference's scope. Skipped without numba (``pip install .[bench]``); the first run
# compiles the kernel (about 15 s) into bench/__pycache__.


@pytest.fixture(scope="module")
def numba_reference() -> Any:
    pytest.importorskip("numba")
    spec = importlib.util.spec_from_file_location(
        "numba_reference", Path(__file__).resolve().parents[1] / "bench" / "numba_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs: Numba's cache finds the kernel's namedtuple by module name.
    sys.modules["numba_reference"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def numba_outputs(numba_reference: Any, scenario: gr.Scenario) -> dict[str, np.ndarray]:
    return numba_reference.reference(scenario.to_dict(), N, seed=13)


@pytest.mark.parametrize("output", OUTPUTS)
def test_numba_port_agrees_with_gridrisk(
    both: tuple[gr.Results, dict[str, np.ndarray]], numba_outputs: dict[str, np.ndarray], output: str
) -> None:
    a, b = both[0].path_output(output), numba_outputs[output]
    assert b.std() > 0, output
    se = math.hypot(a.std(ddof=1) / math.sqrt(a.size), b.std(ddof=1) / math.sqrt(b.size))
    assert abs(a.mean() - b.mean()) <= 4 * se + 1e-9 * abs(a.mean()), (output, a.mean(), b.mean(), se)
    scale = max(np.abs(a).max(), np.abs(b).max())
    assert stats.ks_2samp(np.round(a / scale, 10), np.round(b / scale, 10)).pvalue > KS_ALPHA, output


def test_numba_port_is_reproducible_whatever_the_threads(numba_reference: Any, scenario: gr.Scenario) -> None:
    d, many = scenario.to_dict(), min(2, numba_reference.numba.config.NUMBA_NUM_THREADS)
    one = numba_reference.reference(d, 300, seed=5, threads=1)
    two = numba_reference.reference(d, 300, seed=5, threads=many)
    first = numba_reference.reference(d, 100, seed=5, threads=many)  # each path seeds its own stream
    other = numba_reference.reference(d, 100, seed=6, threads=1)
    assert list(one) == OUTPUTS
    for k in OUTPUTS:
        np.testing.assert_array_equal(one[k], two[k], err_msg=k)
        np.testing.assert_array_equal(one[k][:100], first[k], err_msg=k)
    assert not np.array_equal(one["npv_pkr"][:100], other["npv_pkr"])
