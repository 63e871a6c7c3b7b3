"""Property-based fuzzing: whatever a user passes, gridrisk answers with its own error or a finite result.

Scenarios, function arguments and saved result files are perturbed at random (hypothesis). The
property is the same everywhere: a :class:`gridrisk.GridRiskError` (or ``MemoryError`` for an
allocation the machine cannot make), or a result whose numbers are finite -- never a crash, a
panic, a hang or a NaN where a number is promised. The budget is fixed so the suite stays fast;
``HYPOTHESIS_PROFILE=deep`` runs a longer campaign by hand.
"""

from __future__ import annotations

import copy
import io
import math
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import gridrisk as gr
import numpy as np
import pytest
from gridrisk.results import sketched_mask

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every CI run: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    database=None,
)
settings.register_profile(
    "deep",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

#: Short enough that any scenario the validator accepts simulates in well under a second.
HORIZON = 14
PATHS = 24

BASE = gr.Scenario.preset("pakistan-2000mw").replace({"simulation.horizon_months": HORIZON}).to_dict()


def _fields(x: Any, prefix: str = "") -> list[str]:
    """Every dotted field of a scenario dict, list items of tables as ``name[i]``."""
    out: list[str] = []
    if isinstance(x, dict):
        for k, v in x.items():
            out += _fields(v, f"{prefix}.{k}" if prefix else k)
    elif isinstance(x, list) and x and isinstance(x[0], dict):
        for i, v in enumerate(x):
            out += _fields(v, f"{prefix}[{i}]")
    else:
        out.append(prefix)
    return out


FIELDS = _fields(BASE)

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=10),
    st.sampled_from([0.0, -0.0, 1e-320, 5e-324, 3e-323, 1e-12, 1 - 1e-16, 1.0, 1e308, -1e308, 2.0**63, 2.0**64]),
)
ints = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-5, max_value=700),
    st.sampled_from([2**31, 2**32, 2**63 - 1, 2**64]),
)
numpy_scalars = st.one_of(
    floats.map(np.float64),
    st.floats(allow_nan=False, width=32).map(np.float32),
    st.floats(min_value=-1e6, max_value=1e6).map(np.longdouble),
    st.floats(min_value=-1e6, max_value=1e6).map(lambda x: np.clongdouble(complex(x, 1))),
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(np.int32),
    st.booleans().map(np.bool_),
)
text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "\ud800", "NaN", "2026-13", "0000-01", "9999-12", "households", "mining", "fixed_pkr"]),
)
scalars = st.one_of(st.none(), st.booleans(), floats, ints, text, numpy_scalars)


def _deep(depth: int) -> Any:
    value: Any = 1.0
    for _ in range(depth):
        value = [value]
    return value


def _self_containing() -> list[Any]:
    x: list[Any] = []
    x.append(x)
    return x


values = st.one_of(
    scalars,
    st.lists(scalars, max_size=4),
    st.lists(st.lists(floats, max_size=3), max_size=3),
    st.dictionaries(text, scalars, max_size=3),
    st.sampled_from([[], {}, (), [[]]]),
    st.builds(_deep, st.sampled_from([70, 10_000])),
    st.builds(_self_containing),
    st.builds(lambda: np.zeros((2, 2))),
    st.builds(lambda: object()),
)


def _set(data: dict[str, Any], field: str, value: Any) -> None:
    node: Any = data
    parts = field.replace("[", ".").replace("]", "").split(".")
    for key in parts[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _scale(value: Any, factor: float) -> Any:
    """A plausible perturbation: numbers scaled, the rest left alone."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return type(value)(value * factor) if math.isfinite(value * factor) else value
    if isinstance(value, list):
        return [_scale(v, factor) for v in value]
    return value


def _check_finite(res: gr.Results) -> None:
    s = res.summary()
    defined = [o for o in s.index if o not in res._undefined()]
    cols = ["mean", "p1", "p50", "p99", "adverse_var95", "adverse_cvar95"]
    assert np.isfinite(s.loc[defined, cols].to_numpy(dtype=float)).all(), s.loc[defined, cols]
    # A single path has no standard deviation or standard error: NaN says so.
    spread = s.loc[defined, ["sd", "se"]].to_numpy(dtype=float)
    assert np.isfinite(spread).all() if res.paths > 1 else np.isnan(spread).all()
    snap = res.snapshot()
    assert np.isfinite(snap["mean"].to_numpy(dtype=float)).all()
    # Quantiles of every metric sketched that month (the headline fans; June's fiscal-year totals).
    sketched = sketched_mask(res.stats)[:, -1]
    assert np.isfinite(snap["p50"].to_numpy(dtype=float)[sketched]).all()
    assert np.isnan(snap["p50"].to_numpy(dtype=float)[~sketched]).all()
    r = res.risk()
    assert np.isfinite(r.drop(index=r.index[1]).loc[:, "value"].to_numpy(dtype=float)).all()


def _run(scenario: dict[str, Any], **kwargs: Any) -> None:
    """Validate and simulate; a gridrisk error is an answer, anything else a failure."""
    try:
        sc = gr.Scenario.from_dict(scenario)
        if sc.months > HORIZON:  # keep every example fast; the horizon's range is fuzzed by validation
            sc = sc.replace({"simulation.horizon_months": HORIZON})
        res = gr.simulate(sc, paths=kwargs.pop("paths", PATHS), seed=kwargs.pop("seed", 1), progress=False, **kwargs)
    except (gr.GridRiskError, MemoryError):
        return
    _check_finite(res)


@settings(settings.get_profile(PROFILE))
@given(st.lists(st.tuples(st.sampled_from(FIELDS), values), min_size=1, max_size=3))
def test_any_field_set_to_anything(changes: list[tuple[str, Any]]) -> None:
    data = copy.deepcopy(BASE)
    for field, value in changes:
        _set(data, field, value)
    _run(data)


@settings(settings.get_profile(PROFILE))
@given(
    st.lists(
        st.tuples(
            st.sampled_from(FIELDS),
            st.sampled_from([0.0, 1e-9, 1e-3, 0.5, 0.999, 1.001, 2.0, 10.0, 1e3, 1e6, 1e12, -1.0]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_plausible_scenarios_scaled(changes: list[tuple[str, float]]) -> None:
    data = copy.deepcopy(BASE)
    for field, factor in changes:
        node: Any = gr.Scenario.from_dict(BASE)[field]
        _set(data, field, _scale(node, factor))
    _run(data)


@settings(settings.get_profile(PROFILE))
@given(
    paths=st.one_of(st.integers(min_value=-2, max_value=600), st.sampled_from([0, 1, 2, 2**60 + 1, 2**64])),
    seed=st.one_of(st.integers(min_value=-1, max_value=2**64), st.none()),
    threads=st.one_of(st.none(), st.integers(min_value=-1, max_value=8), st.sampled_from([1025, 2**40])),
    keep=st.sampled_from(["none", "outputs", "paths"]),
    antithetic=st.booleans(),
    cap=st.sampled_from([0.0, 1e-9, 2.0, 1e6, -1.0, math.nan]),
    threshold=st.one_of(floats, st.sampled_from([0, 1e9])),
    month=st.one_of(st.integers(min_value=-20, max_value=20), text),
)
def test_arguments(
    paths: int,
    seed: int | None,
    threads: int | None,
    keep: str,
    antithetic: bool,
    cap: float,
    threshold: Any,
    month: Any,
) -> None:
    sc = gr.Scenario.from_dict(BASE)
    try:
        res = gr.simulate(
            sc,
            paths=paths,
            seed=seed,
            threads=threads,
            keep_outputs=keep == "outputs",
            keep_paths=keep == "paths",
            keep_paths_max_gib=cap,
            antithetic=antithetic,
            progress=False,
        )
    except (gr.GridRiskError, MemoryError):
        return
    _check_finite(res)
    for call in (
        lambda: res.summary(loss_threshold_pkr=threshold),
        lambda: res.risk(loss_threshold_pkr=threshold),
        lambda: res.snapshot(month),
        lambda: res.fan("fx.pkr_per_usd", quantiles=[threshold] if isinstance(threshold, float) else [0.5]),
    ):
        try:
            out = call()
        except gr.GridRiskError:
            continue
        assert out is not None


@pytest.fixture(scope="module")
def original() -> gr.Results:
    return gr.simulate(gr.Scenario.from_dict(BASE), paths=300, seed=3, keep_outputs=True, progress=False)


@pytest.fixture(scope="module")
def saved(original: gr.Results, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("saved") / "run.zip"
    original.save(path)
    return path.read_bytes()


def _members(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return {name: z.read(name) for name in z.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


damage = st.one_of(
    st.tuples(st.just("flip"), st.integers(min_value=0), st.integers(min_value=0, max_value=7)),
    st.tuples(st.just("truncate"), st.integers(min_value=0), st.just(0)),
    st.tuples(st.just("member-flip"), st.integers(min_value=0), st.integers(min_value=0)),
    st.tuples(st.just("member-truncate"), st.integers(min_value=0), st.integers(min_value=0)),
    st.tuples(st.just("member-drop"), st.integers(min_value=0), st.just(0)),
    st.tuples(st.just("member-garbage"), st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
)


@settings(settings.get_profile(PROFILE))
@given(st.lists(damage, min_size=1, max_size=3))
def test_damaged_result_files(
    original: gr.Results, saved: bytes, tmp_path_factory: pytest.TempPathFactory, cuts: list[Any]
) -> None:
    raw = saved
    for kind, a, b in cuts:
        if not raw:  # truncated to nothing: no further damage to do
            break
        if kind == "flip":
            i = a % len(raw)
            raw = raw[:i] + bytes([raw[i] ^ (1 << b)]) + raw[i + 1 :]
        elif kind == "truncate":
            raw = raw[: a % len(raw)]
        else:
            try:
                members = _members(raw)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, KeyError, NotImplementedError):
                continue
            if not members:
                continue
            name = sorted(members)[a % len(members)]
            data = members[name]
            if kind == "member-flip" and data:
                i = b % len(data)
                members[name] = data[:i] + bytes([data[i] ^ 0x10]) + data[i + 1 :]
            elif kind == "member-truncate":
                members[name] = data[: b % (len(data) + 1)]
            elif kind == "member-drop":
                del members[name]
            else:
                members[name] = bytes([b]) * (len(data) or 1)
            raw = _zip(members)
    path = Path(tmp_path_factory.mktemp("damaged")) / "run.zip"
    path.write_bytes(raw)
    try:
        res = gr.load(path)
    except gr.DataError:
        return
    # Whatever loads is the original: damage that survives (in the wall time, say) changes
    # nothing a result depends on.
    assert res.stats.to_bytes() == original.stats.to_bytes()
    assert res.seed == original.seed
    assert res.scenario == original.scenario
    assert res.scenario.overrides == original.scenario.overrides
    assert res.path_range == original.path_range
    pd_equal = res.path_output("npv_pkr") == original.path_output("npv_pkr")
    assert bool(pd_equal.all())
    _check_finite(res)
