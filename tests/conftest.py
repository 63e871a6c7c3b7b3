from __future__ import annotations

import gridrisk as gr
import pytest


@pytest.fixture(scope="session")
def preset() -> gr.Scenario:
    return gr.Scenario.preset("pakistan-2000mw")


@pytest.fixture(scope="session")
def short(preset: gr.Scenario) -> gr.Scenario:
    """The preset over two years: quick to simulate, every driver still active."""
    return preset.replace({"simulation.horizon_months": 24})
