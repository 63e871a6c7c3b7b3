"""Saved results: exact round trips, and every damaged, edited or hostile file is a DataError."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gridrisk as gr
import numpy as np
import pandas as pd
import pytest

MiB = 2**20


@pytest.fixture(scope="module")
def variant() -> gr.Scenario:
    base = gr.Scenario.preset("pakistan-2000mw")
    return base.replace({"simulation.horizon_months": 12, "bitcoin.vol_annual": 0.8})


@pytest.fixture(scope="module")
def saved(variant: gr.Scenario, tmp_path_factory: pytest.TempPathFactory) -> tuple[gr.Results, bytes]:
    res = gr.simulate(variant, paths=600, seed=8, keep_outputs=True, progress=False)
    path = tmp_path_factory.mktemp("saved") / "run.zip"
    res.save(path)
    return res, path.read_bytes()


@pytest.fixture(scope="module")
def raw(saved: tuple[gr.Results, bytes]) -> bytes:
    return saved[1]


def members_of(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return {name: z.read(name) for name in z.namelist()}


def rezip(
    members: dict[str, bytes],
    *,
    meta: Callable[[dict[str, Any]], None] | None = None,
    rehash: bool = True,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An archive of ``members``; ``meta`` edits meta.json, ``rehash`` refreshes its hashes."""
    members = dict(members)
    if rehash or meta is not None:
        m = json.loads(members["meta.json"])
        if rehash and "sha256" in m:
            m["sha256"] = {
                k: hashlib.sha256(members[k]).hexdigest() if k in members else v for k, v in m["sha256"].items()
            }
        if meta is not None:
            meta(m)
        members["meta.json"] = json.dumps(m).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def load_bytes(data: bytes, tmp_path: Path) -> gr.Results:
    path = tmp_path / "damaged.zip"
    path.write_bytes(data)
    return gr.load(path)


def refused(data: bytes, tmp_path: Path, match: str | None = None) -> gr.DataError:
    with pytest.raises(gr.DataError, match=match) as info:
        load_bytes(data, tmp_path)
    return info.value


# -- round trips -------------------------------------------------------------------------------


def test_round_trip_keeps_the_overrides(saved: tuple[gr.Results, bytes], tmp_path: Path) -> None:
    res, raw = saved
    again = load_bytes(raw, tmp_path)
    assert again.scenario == res.scenario
    assert again.scenario.overrides == res.scenario.overrides
    assert again.scenario.label == "pakistan-2000mw + 2 overrides"
    assert again.stats.to_bytes() == res.stats.to_bytes()
    pd.testing.assert_frame_equal(again.to_pandas(), res.to_pandas())
    meta = json.loads(members_of(raw)["meta.json"])
    assert meta["origin"]["name"] == "pakistan-2000mw"
    assert [f for f, _, _ in meta["origin"]["overrides"]] == ["simulation.horizon_months", "bitcoin.vol_annual"]
    assert meta["fingerprint"] == res.stats.fingerprint


def test_round_trip_of_kept_paths_and_an_unchanged_scenario(tmp_path: Path) -> None:
    study = gr.Scenario.preset("pakistan-2000mw").replace({"simulation.horizon_months": 6, "meta.name": "my-study"})
    sc = gr.Scenario.from_dict(study.to_dict())  # its own origin: no overrides
    assert sc.overrides == []
    res = gr.simulate(sc, paths=300, seed=2, keep_paths=True, progress=False)
    again = gr.load(res.save(tmp_path / "k.zip"))
    assert again.scenario.overrides == []
    assert again.scenario.label == "my-study"
    assert "origin.toml" not in members_of((tmp_path / "k.zip").read_bytes())
    for metric in res.metrics:
        assert np.array_equal(again.path_array(metric), res.path_array(metric))
        assert again.path_array(metric).flags.writeable


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_the_control_values_round_trip_and_files_without_them_still_load(
    saved: tuple[gr.Results, bytes], tmp_path: Path
) -> None:
    res, raw = saved
    again = load_bytes(raw, tmp_path)
    pd.testing.assert_frame_equal(again.control_values(), res.control_values())
    assert set(again.outputs) <= set(again._paths or {})  # the controls are not taken for outputs
    pd.testing.assert_frame_equal(again.control_variates(), res.control_variates())
    # A file written before the control values were saved: the outputs alone.
    members = members_of(raw)
    with np.load(io.BytesIO(members["paths.npz"])) as z:
        arrays = {k: z[k] for k in z.files}
    assert {k for k in arrays if k.startswith("control:")} == {f"control:{c}" for c in gr.results.CONTROLS}
    outputs = {k: v for k, v in arrays.items() if not k.startswith("control:")}
    older = load_bytes(rezip({**members, "paths.npz": _npz(outputs)}), tmp_path)
    assert np.array_equal(older.path_output("npv_pkr"), res.path_output("npv_pkr"))
    with pytest.raises(gr.ArgumentError, match="not kept"):
        older.control_values()
    # Some controls but not all: the file was edited.
    del arrays["control:fx_mean"]
    refused(rezip({**members, "paths.npz": _npz(arrays)}), tmp_path, "every control value or none")


def _legacy(m: dict[str, Any]) -> None:
    """meta.json as files written before the hashes, the fingerprint and the origin."""
    for key in ("fingerprint", "sha256", "origin"):
        del m[key]


def test_files_of_the_earlier_format_still_load(raw: bytes, saved: tuple[gr.Results, bytes], tmp_path: Path) -> None:
    members = members_of(raw)
    del members["origin.toml"]
    again = load_bytes(rezip(members, meta=_legacy), tmp_path)
    assert again.stats.to_bytes() == saved[0].stats.to_bytes()
    assert again.scenario == saved[0].scenario
    # The earlier format did not record the origin: the scenario is named after the preset
    # but differs from it, so the preset is taken as its origin and the changes are listed.
    assert again.scenario.overrides == saved[0].scenario.overrides
    assert again.scenario.label == "pakistan-2000mw + 2 overrides"


# -- the seed and the scenario must be those of the statistics ---------------------------------


def test_fingerprint_is_that_of_the_statistics(variant: gr.Scenario) -> None:
    from gridrisk import _core

    for antithetic in (False, True):
        res = gr.simulate(variant, paths=300, seed=5, antithetic=antithetic, progress=False)
        assert _core.fingerprint(variant.to_dict(), 5, antithetic) == res.stats.fingerprint
        assert _core.fingerprint(variant.to_dict(), 6, antithetic) != res.stats.fingerprint
        assert _core.fingerprint(variant.to_dict(), 5, not antithetic) != res.stats.fingerprint
    seeds = [5] * 6 + [9] * 8
    stats, _ = _core.simulate(
        variant.to_dict(), seed=5, path_lo=0, path_hi=300, threads=1, keep_paths=False, stream_seeds=seeds
    )
    assert _core.fingerprint(variant.to_dict(), 0, False, seeds) == stats.fingerprint
    assert stats.stream_seeds == seeds
    with pytest.raises(gr.ArgumentError, match="stream_seeds"):
        _core.fingerprint(variant.to_dict(), 5, False, [1, 2])


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "earlier-format"])
def test_an_edited_seed_is_a_data_error(raw: bytes, tmp_path: Path, legacy: bool) -> None:
    members = members_of(raw)

    def edit(m: dict[str, Any]) -> None:
        m["seed"] = 9
        if legacy:
            _legacy(m)

    refused(rezip(members, meta=edit), tmp_path, "seed")


@pytest.mark.parametrize("legacy", [False, True], ids=["current", "earlier-format"])
def test_an_edited_scenario_with_its_hash_updated_is_a_data_error(
    raw: bytes, variant: gr.Scenario, tmp_path: Path, legacy: bool
) -> None:
    members = members_of(raw)
    members["scenario.toml"] = variant.replace({"bitcoin.vol_annual": 0.9}).to_toml().encode()
    if legacy:
        del members["origin.toml"]
    err = refused(rezip(members, meta=_legacy if legacy else None), tmp_path, "scenario")
    assert "fingerprints differ" in str(err)


def test_results_of_a_run_with_stream_seeds_load_and_are_checked(variant: gr.Scenario, tmp_path: Path) -> None:
    from gridrisk._engine import run_core

    seeds = [11] * 4 + [12] * 10  # what gr.sensitivity runs (pick-freeze)
    res = run_core(variant, seed=seeds[0], lo=0, hi=300, threads=1, keep_outputs=True, stream_seeds=seeds)
    path = res.save(tmp_path / "s.zip")
    raw = path.read_bytes()
    assert json.loads(members_of(raw)["meta.json"])["stream_seeds"] == seeds
    again = gr.load(path)
    assert again.stats.to_bytes() == res.stats.to_bytes()
    assert again.stats.stream_seeds == seeds
    assert again.save(tmp_path / "again.zip").read_bytes() != b""  # and saves again
    for edited in ([12] * 4 + [11] * 10, [11] * 14):
        refused(rezip(members_of(raw), meta=lambda m, e=edited: m.update(stream_seeds=e)), tmp_path, "stream seeds")
    refused(rezip(members_of(raw), meta=lambda m: m.update(stream_seeds=[11, 12])), tmp_path, "stream_seeds")
    refused(rezip(members_of(raw), meta=lambda m: m.pop("stream_seeds")), tmp_path, "seed")
    # Ordinary runs record no stream seeds.
    plain = gr.simulate(variant, paths=300, seed=11, progress=False)
    assert "stream_seeds" not in json.loads(members_of(plain.save(tmp_path / "p.zip").read_bytes())["meta.json"])


def test_results_whose_seed_was_replaced_are_not_saved(saved: tuple[gr.Results, bytes], tmp_path: Path) -> None:
    import dataclasses

    with pytest.raises(gr.ArgumentError, match="do not come from their scenario and seed"):
        dataclasses.replace(saved[0], seed=9).save(tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("key", ["fingerprint", "origin"])
def test_hashes_are_required_in_files_of_this_format(raw: bytes, tmp_path: Path, key: str) -> None:
    def strip(m: dict[str, Any]) -> None:
        del m["sha256"]
        m.pop("fingerprint" if key == "origin" else "origin")  # either one alone marks the format

    members = members_of(raw)
    data = members["stats.bin"]
    members["stats.bin"] = data[:-9] + bytes([data[-9] ^ 0x01]) + data[-8:]
    refused(rezip(members, meta=strip), tmp_path, "SHA-256")
    refused(rezip(members_of(raw), meta=strip), tmp_path, "SHA-256")


def test_a_member_without_a_hash_is_a_data_error(raw: bytes, tmp_path: Path) -> None:
    def unlist(m: dict[str, Any]) -> None:
        del m["sha256"]["stats.bin"]

    refused(rezip(members_of(raw), meta=unlist), tmp_path, "stats.bin is not listed")
    refused(rezip({**members_of(raw), "extra.txt": b"hello"}), tmp_path, "extra.txt")


def test_saved_files_honour_the_umask(saved: tuple[gr.Results, bytes], tmp_path: Path) -> None:
    res = saved[0]
    for umask, mode in [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)]:
        old = os.umask(umask)
        try:
            path = res.save(tmp_path / f"u{umask:o}.zip")
        finally:
            os.umask(old)
        assert path.stat().st_mode & 0o777 == mode


def test_saving_into_a_missing_folder_names_the_folder(saved: tuple[gr.Results, bytes], tmp_path: Path) -> None:
    folder = tmp_path / "no-such-folder"
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        saved[0].save(folder / "run.zip")
    assert info.value.filename == str(folder)
    assert not folder.exists()


# -- damaged archives --------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0, 1, 22, 100, 1000, -1000, -22, -1])
def test_a_truncated_file_is_a_data_error(raw: bytes, tmp_path: Path, keep: int) -> None:
    refused(raw[:keep], tmp_path)


def test_an_empty_file_and_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    refused(b"", tmp_path)
    refused(b"not a zip at all" * 100, tmp_path)


def _data_span(raw: bytes, name: str) -> tuple[int, int]:
    """Offsets of a member's compressed bytes in the archive."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        info = z.getinfo(name)
    n, m = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + n + m
    return start, start + info.compress_size


@pytest.mark.parametrize("name", ["meta.json", "scenario.toml", "origin.toml", "stats.bin", "paths.npz"])
@pytest.mark.parametrize("where", [0.0, 0.5, 0.9])
def test_a_bit_flip_in_any_member_is_a_data_error(
    raw: bytes, tmp_path: Path, name: str, where: float, variant: gr.Scenario
) -> None:
    if name == "paths.npz":  # the fixture keeps outputs; make a file with paths
        res = gr.simulate(variant, paths=300, seed=1, keep_paths=True, progress=False)
        raw = res.save(tmp_path / "p.zip").read_bytes()
    start, end = _data_span(raw, name)
    i = start + min(int((end - start) * where), end - start - 1)
    flipped = raw[:i] + bytes([raw[i] ^ 0x04]) + raw[i + 1 :]
    refused(flipped, tmp_path)
    # The same flip in the uncompressed bytes, archived again with a valid CRC: the hash catches it.
    members = members_of(raw)
    data = members[name]
    j = min(int(len(data) * where), len(data) - 1)
    members[name] = data[:j] + bytes([data[j] ^ 0x04]) + data[j + 1 :]
    refused(rezip(members, rehash=False), tmp_path)


@pytest.mark.parametrize("name", ["meta.json", "scenario.toml", "origin.toml", "stats.bin"])
def test_a_missing_member_is_a_data_error(raw: bytes, tmp_path: Path, name: str) -> None:
    members = members_of(raw)
    del members[name]
    if name == "meta.json":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for k, v in members.items():
                z.writestr(k, v)
        refused(buf.getvalue(), tmp_path, "no meta.json")
    else:
        refused(rezip(members), tmp_path, name)


def test_a_member_listed_twice_is_a_data_error(raw: bytes, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate, which is the point
        with zipfile.ZipFile(buf, "w") as z:
            for name, data in members_of(raw).items():
                z.writestr(name, data)
            z.writestr("stats.bin", b"other")
    refused(buf.getvalue(), tmp_path, "twice")


def test_an_unsupported_compression_is_a_data_error(raw: bytes, tmp_path: Path) -> None:
    refused(rezip(members_of(raw), compression=zipfile.ZIP_BZIP2), tmp_path, "compression")


def test_a_valid_zip_that_is_not_gridrisk(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hello")
    refused(buf.getvalue(), tmp_path, "not a gridrisk results file")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("meta.json", json.dumps({"format": "something-else"}))
        z.writestr("scenario.toml", "")
        z.writestr("stats.bin", b"")
    refused(buf.getvalue(), tmp_path, "format")


def test_open_errors_stay_os_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        gr.load(tmp_path / "missing.zip")
    with pytest.raises(IsADirectoryError):
        gr.load(tmp_path)
    with pytest.raises(gr.ArgumentError):
        gr.load(3)  # type: ignore[arg-type]


# -- meta.json ---------------------------------------------------------------------------------

META_EDITS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("seed as text", lambda m: m.update(seed="8")),
    ("negative seed", lambda m: m.update(seed=-1)),
    ("seed of 2**64", lambda m: m.update(seed=2**64)),
    ("seed true", lambda m: m.update(seed=True)),
    ("path_range of one number", lambda m: m.update(path_range=[0])),
    ("path_range as text", lambda m: m.update(path_range=["0", "600"])),
    ("path_range null", lambda m: m.update(path_range=None)),
    ("empty path_range", lambda m: m.update(path_range=[600, 600])),
    ("wall time as text", lambda m: m.update(wall_time_s="fast")),
    ("negative wall time", lambda m: m.update(wall_time_s=-1.0)),
    ("version as a number", lambda m: m.update(gridrisk_version=1)),
    ("fingerprint as text", lambda m: m.update(fingerprint="abc")),
    ("sha256 as a list", lambda m: m.update(sha256=[])),
    ("origin as text", lambda m: m.update(origin="pakistan")),
    ("origin without overrides", lambda m: m.update(origin={"name": "x"})),
    ("origin overrides edited", lambda m: m["origin"]["overrides"].pop()),
    ("format missing", lambda m: m.pop("format")),
]


@pytest.mark.parametrize("edit", [e[1] for e in META_EDITS], ids=[e[0] for e in META_EDITS])
def test_meta_json_with_wrong_values_is_a_data_error(
    raw: bytes, tmp_path: Path, edit: Callable[[dict[str, Any]], Any]
) -> None:
    refused(rezip(members_of(raw), meta=edit), tmp_path)


@pytest.mark.parametrize(
    "text", [b"[1, 2]", b"{", b"\xff\xfe{}", b"NaN", b"[" * 100_000 + b"]" * 100_000, b'{"format": NaN}']
)
def test_meta_json_that_is_not_a_json_object_is_a_data_error(raw: bytes, tmp_path: Path, text: bytes) -> None:
    members = members_of(raw)
    members["meta.json"] = text
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    refused(buf.getvalue(), tmp_path)


def test_an_edited_path_range_never_shrinks_standard_errors(
    raw: bytes, saved: tuple[gr.Results, bytes], tmp_path: Path
) -> None:
    lo, hi = saved[0].path_range
    for edited in ([lo, hi * 100], [lo, hi - 1], [lo + 256, hi]):
        err = refused(rezip(members_of(raw), meta=lambda m, e=edited: m.update(path_range=e)), tmp_path)
        assert "path range" in str(err)


def test_statistics_of_another_run_are_a_data_error(raw: bytes, variant: gr.Scenario, tmp_path: Path) -> None:
    other = gr.simulate(variant, paths=600, seed=9, keep_outputs=True, progress=False)
    members = members_of(raw)
    members["stats.bin"] = other.stats.to_bytes()
    refused(rezip(members), tmp_path, "fingerprint")


def test_a_scenario_of_another_horizon_is_a_data_error(raw: bytes, variant: gr.Scenario, tmp_path: Path) -> None:
    members = members_of(raw)
    members["scenario.toml"] = variant.replace({"simulation.horizon_months": 13}).to_toml().encode()
    refused(rezip(members), tmp_path, "13 months")


@pytest.mark.parametrize("name", ["scenario.toml", "origin.toml"])
def test_a_scenario_that_is_not_utf8_or_not_valid_is_a_data_error(raw: bytes, tmp_path: Path, name: str) -> None:
    members = members_of(raw)
    members[name] = members[name].replace(b'name = "', b'name = "\xe9', 1)
    refused(rezip(members), tmp_path, "UTF-8")
    members[name] = b"[meta]\nname = 1\n"
    refused(rezip(members), tmp_path, "not a valid scenario")


def test_an_undecodable_statistics_member_names_the_file_once(raw: bytes, tmp_path: Path) -> None:
    members = members_of(raw)
    members["stats.bin"] = b"gridrisk-stats-v5\x00" + b"\xff" * 64
    err = refused(rezip(members), tmp_path, "stats.bin cannot be decoded")
    assert str(err).count(str(tmp_path)) == 1, str(err)
    # A member refused by its size is named once too.
    bomb = _bomb(raw, "stats.bin", 100)
    err = refused(bomb, tmp_path, "declares")
    assert str(err).count(str(tmp_path)) == 1, str(err)
    assert "cannot be decoded" not in str(err)


def test_garbage_statistics_with_a_valid_hash_are_a_data_error(raw: bytes, tmp_path: Path) -> None:
    members = members_of(raw)
    for garbage in (
        b"",
        b"gridrisk-stats-v5\x00" + b"\xff" * 64,
        members["stats.bin"][: len(members["stats.bin"]) // 2],
    ):
        members["stats.bin"] = garbage
        refused(rezip(members), tmp_path)


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def test_kept_arrays_must_have_the_right_names_shapes_and_dtype(
    saved: tuple[gr.Results, bytes], raw: bytes, tmp_path: Path
) -> None:
    res = saved[0]
    # Parameter draws are kept with the outputs (the preset's uncertain fields).
    good = {name: res.path_output(name) for name in res.outputs}
    good.update({f"parameter:{k}": v.to_numpy() for k, v in res.parameters.items()})
    assert len(good) > len(res.outputs)
    first = res.outputs[0]
    bad_arrays = {
        "short": {**good, first: good[first][:-1]},
        "2-d": {**good, first: good[first].reshape(-1, 1)},
        "float32": {**good, first: good[first].astype(np.float32)},
        "big-endian": {**good, first: good[first].astype(">f8")},
        "missing": {k: v for k, v in good.items() if k != first},
        "extra": {**good, "extra": good[first]},
        "objects": {**good, first: np.array([None] * len(good[first]), dtype=object)},
    }
    members = members_of(raw)
    assert load_bytes(rezip({**members, "paths.npz": _npz(good)}), tmp_path).paths == res.paths
    for what, arrays in bad_arrays.items():
        with pytest.raises(gr.DataError, match=r"paths\.npz"):
            load_bytes(rezip({**members, "paths.npz": _npz(arrays)}), tmp_path)
        assert what


# -- zip bombs ---------------------------------------------------------------------------------


def _bomb(raw: bytes, name: str, mib: int) -> bytes:
    """The archive with ``name`` replaced by ``mib`` MiB of zeros, streamed (never in memory)."""
    members = members_of(raw)
    members.pop(name, None)
    if name != "meta.json":
        m = json.loads(members["meta.json"])
        m["sha256"].pop(name, None)
        members["meta.json"] = json.dumps(m).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items():
            z.writestr(k, v)
        with z.open(name, "w", force_zip64=True) as w:
            chunk = bytes(MiB)
            for _ in range(mib):
                w.write(chunk)
    return buf.getvalue()


@pytest.mark.parametrize("name", ["stats.bin", "meta.json", "scenario.toml", "paths.npz"])
def test_a_zip_bomb_is_refused_before_it_is_inflated(raw: bytes, tmp_path: Path, name: str) -> None:
    bomb = _bomb(raw, name, 200)
    assert len(bomb) < 2 * MiB  # 200 MiB of zeros deflate to about 200 KiB
    path = tmp_path / "bomb.zip"
    path.write_bytes(bomb)
    tracemalloc.start()
    try:
        with pytest.raises(gr.DataError, match="declares"):
            gr.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB, f"loading a bomb allocated {peak / MiB:.0f} MiB"


def _central_entry(archive: bytes, name: str) -> int:
    """Offset of ``name``'s record in the central directory."""
    at = archive.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack("<H", archive[at + 28 : at + 30])[0]
        if archive[at + 46 : at + 46 + n] == name.encode():
            return at
        at = archive.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} is not in the central directory")


def test_a_header_that_understates_the_size_cannot_inflate_beyond_it(raw: bytes, tmp_path: Path) -> None:
    bomb = bytearray(_bomb(raw, "stats.bin", 100))
    at = _central_entry(bytes(bomb), "stats.bin")
    assert struct.unpack("<I", bomb[at + 24 : at + 28])[0] == 100 * MiB  # no zip64 record below 4 GiB
    bomb[at + 24 : at + 28] = struct.pack("<I", 1024)  # the directory now claims 1 KiB
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(bomb))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("stats.bin").file_size == 1024
    tracemalloc.start()
    try:
        with pytest.raises(gr.DataError):
            gr.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * MiB, f"a lying header made load allocate {peak / MiB:.0f} MiB"
