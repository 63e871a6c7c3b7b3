from __future__ import annotations

from typing import Any

import gridrisk as gr
import pytest


def capacity_only_dict(sc: gr.Scenario, months: int | None = None) -> dict[str, Any]:
    """``sc`` (over ``months`` months if given) as a dict without ``[shedding]`` and without any
    fleet class's ``fuel_limit``: the capacity-only model, in which all load-shedding is capacity
    shortfall of the outage table (docs/model.md before load-shedding was modelled).

    Tests of properties of that model (merit orders and costs computed by hand, LOLE formulas,
    the NumPy reference, the load shape read back from ``explain_month``'s ``load_mw``) run on it,
    so that they do not follow the preset's shedding calibration.
    """
    if months is not None:
        sc = sc.replace({"simulation.horizon_months": months})
    d = sc.to_dict()
    d.pop("shedding", None)
    for f in d["fleet"]:
        f.pop("fuel_limit", None)
    return d


def capacity_only(sc: gr.Scenario) -> gr.Scenario:
    """``sc`` without ``[shedding]`` and fuel limits (see :func:`capacity_only_dict`)."""
    return gr.Scenario.from_dict(capacity_only_dict(sc))


#: The network's trend model as the preset had it before the equilibrium model (issue 14).
TREND_NETWORK = {
    "network.model": "trend",
    "network.growth_annual": 0.15,
    "network.revenue_elasticity": 0.5,
    "network.equilibrium": None,
}


def fixed_loads(sc: gr.Scenario) -> gr.Scenario:
    """``sc`` with the new loads as fixed quantities: the whole allocation arrives on its ramps at
    no capital cost, the miners always pay, and the network follows its trend model (no
    ``[mining.investment]``, ``[mining.credit]``, ``[datacenters.takeup]``).

    Tests of mechanisms that do not depend on whether the loads come (tariffs, accounts, the
    grid's treatment of a given load) run on it, so that the loads are there to test them.
    """
    return sc.replace({"mining.investment": None, "mining.credit": None, "datacenters.takeup": None, **TREND_NETWORK})


@pytest.fixture(scope="module")
def preset(request: pytest.FixtureRequest) -> gr.Scenario:
    """The default preset at its point values (``Scenario.fixed()``: each mechanism's tests check
    what it does with given parameters), with its parameter uncertainty in the modules that set
    ``UNCERTAIN = True``; with the new loads as fixed quantities (:func:`fixed_loads`) in the
    modules that set ``FIXED_LOADS = True``, which test what happens to loads that are there."""
    sc = gr.Scenario.preset("pakistan-2000mw")
    if not getattr(request.module, "UNCERTAIN", False):
        sc = sc.fixed()
    return fixed_loads(sc) if getattr(request.module, "FIXED_LOADS", False) else sc


@pytest.fixture(scope="module")
def capacity_only_preset(preset: gr.Scenario) -> gr.Scenario:
    """The preset in the capacity-only model (no ``[shedding]``, no fuel limits)."""
    return capacity_only(preset)


@pytest.fixture(scope="module")
def short(preset: gr.Scenario) -> gr.Scenario:
    """The preset over two years: quick to simulate, every driver still active."""
    return preset.replace({"simulation.horizon_months": 24})
