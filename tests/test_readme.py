"""The README's policy examples use fields that change the answer in the preset.

A sweep or a break-even over a field that changes nothing (a mining tariff when no fleet is
built on the preset's paths) prints identical rows or fails; the README's examples must not.
"""

from __future__ import annotations

import re
from pathlib import Path

import gridrisk as gr
import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.split(r"[,\s]+", text.strip()) if x]


def _examples() -> list[tuple[str, str, list[float]]]:
    found = []
    for field, values in re.findall(r'gr\.sweep\(sc, \{"([^"]+)": \[([^\]]+)\]', README):
        found.append(("gr.sweep", field, _numbers(values)))
    for field, bracket in re.findall(r'gr\.breakeven\(sc, "([^"]+)", bracket=\(([^)]+)\)', README):
        found.append(("gr.breakeven", field, _numbers(bracket)))
    for command in re.findall(r"gridrisk sweep((?: --grid \S+)+)", README):
        for field, values in re.findall(r"--grid (\S+?)=(\S+)", command):
            found.append(("gridrisk sweep", field, _numbers(values.replace(",", " "))))
    return found


def test_the_readme_has_policy_examples() -> None:
    assert {kind for kind, _, _ in _examples()} == {"gr.sweep", "gr.breakeven", "gridrisk sweep"}


@pytest.mark.parametrize(("kind", "field", "values"), _examples(), ids=lambda x: str(x))
def test_each_example_field_changes_the_answer(preset: gr.Scenario, kind: str, field: str, values: list[float]) -> None:
    ends = [min(values), max(values)]
    sw = gr.sweep(preset, {field: ends}, paths=512, seed=7, progress=False)
    assert sw.inert_fields == [], f"{kind} over {field} changes no figure in the preset"
