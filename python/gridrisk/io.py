"""Saving and loading results: one file that round-trips exactly and is checked when read.

A results file is a zip archive:

``meta.json``
    format, gridrisk version, seed (and the seed of every random stream, for runs that gave the
    streams their own seeds), path range, wall time, the statistics' fingerprint, the SHA-256
    of every other member, and the scenario's origin (name and overrides).
``scenario.toml``
    the scenario simulated.
``origin.toml``
    the scenario it was derived from, when it has overrides (so they are restored exactly).
``stats.bin``
    the mergeable statistics, bit for bit.
``paths.npz``
    the per-path values, if they were kept, and the paths' control values
    (:meth:`Results.control_values`; files written before gridrisk saved them have none).

:func:`load` trusts nothing in the file: sizes are capped before anything is inflated, every
member is checked against its hash, and meta.json, the scenario and the statistics must agree
(the statistics' own path range and fingerprint are authoritative; the fingerprint must be
that of the scenario and seed). Anything else raises :class:`~gridrisk.DataError`. Files
written before the hashes and the origin were recorded (same format name) still load, with the
checks their content allows (see :func:`load`).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import zipfile
from typing import IO, Any

import numpy as np

from gridrisk import _core
from gridrisk._archive import _FORMAT, _overrides_json, save
from gridrisk.errors import ArgumentError, DataError, ScenarioError
from gridrisk.results import CONTROL_PREFIX, CONTROLS, PARAMETER_PREFIX, Results, sketched_mask
from gridrisk.scenario import Scenario

__all__ = ["load", "save"]


#: Largest declared size of meta.json, scenario.toml and origin.toml, bytes.
_TEXT_MAX = 16 * 2**20
#: stats.bin may always declare this much, bytes ...
_STATS_FLOOR = 64 * 2**20
#: ... and beyond it at most this many times its compressed size (deflate reaches ~1030 on
#: zeros; real statistics compress 2 to 40 times) ...
_STATS_MAX_RATIO = 250
#: ... and never more than this, bytes.
_STATS_MAX = 16 * 2**30
#: Allowance for the header of one array in paths.npz and its zip entry, bytes.
_NPY_OVERHEAD = 4096
#: Largest read from a member at once, bytes.
_STEP = 2**20
#: Largest number of members an archive may list.
_MAX_MEMBERS = 64

_REQUIRED = ("meta.json", "scenario.toml", "stats.bin")
#: Every member a results file may hold.
_KNOWN = frozenset({*_REQUIRED, "origin.toml", "paths.npz"})
_F8 = np.dtype("<f8")


def load(path: str | os.PathLike[str]) -> Results:
    """Read results written by :func:`save` (or :meth:`Results.save`), checking them whole.

    Before anything is inflated, every member's declared size is checked against a cap (from
    what the member can legitimately hold and its compressed size), and reads are bounded by
    it, so a zip bomb is refused at once. Then every member must be listed in ``meta.json``
    with its SHA-256 and match it; the statistics must carry the fingerprint of the scenario
    and the seed (or the streams' seeds) recorded, and the one ``meta.json`` records, so an
    edited seed or scenario is refused even with its hash updated; they must cover exactly the
    path range (an edited ``path_range`` is refused, never believed); the scenario's horizon
    must equal the statistics' months; and kept per-path arrays must have the right names,
    shapes and dtype (float64).

    A ``meta.json`` with a ``fingerprint`` or an ``origin`` (every file gridrisk writes now)
    must have the hashes. Files of the earlier format, with none of the three, still load:
    their scenario and seed are checked against the statistics' fingerprint, and damage to the
    archive is caught by the zip's CRC-32 of every member and the statistics' own consistency
    checks. What such a file cannot show is statistics that were edited and archived again
    with values a run could have produced: without the hashes they cannot be told from the
    original. (``seed`` is not checked for a run that recorded per-stream seeds: the streams'
    seeds are, and they alone determine the numbers.)

    Returns
    -------
    Results
        With the scenario's origin restored, so ``scenario.overrides`` and ``scenario.label``
        are those of the results saved.

    Raises
    ------
    DataError
        For any damaged, truncated, edited or foreign file (never a low-level error from
        inside the archive).
    OSError
        If the file cannot be opened (``FileNotFoundError``, ``IsADirectoryError`` ...).
    ArgumentError
        If ``path`` is not a path.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentError(f"path must be a file path, got {type(path).__name__}")
    shown = os.fspath(path)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        try:
            return _Reader(f, size, shown).results()
        except (DataError, MemoryError):
            raise
        except Exception as e:
            raise DataError(f"{shown} is damaged or not a gridrisk results file ({type(e).__name__}: {e})") from e
        except BaseException as e:  # a panic of the compiled core on hostile bytes
            if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
                raise
            raise DataError(f"{shown} is damaged: its statistics cannot be decoded ({type(e).__name__}: {e})") from e


class _Reader:
    """One pass over an untrusted results archive."""

    def __init__(self, file: IO[bytes], size: int, shown: str) -> None:
        self.file = file
        self.size = size
        self.shown = shown

    def fail(self, problem: str) -> DataError:
        return DataError(f"{self.shown}: {problem}")

    # -- the archive ------------------------------------------------------------------------
    def _members(self, z: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
        infos = z.infolist()
        if len(infos) > _MAX_MEMBERS:
            raise self.fail(f"the archive lists {len(infos)} members: not a gridrisk results file")
        by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in by_name:
                raise self.fail(f"the archive holds {info.filename!r} twice")
            by_name[info.filename] = info
        if "meta.json" not in by_name:
            raise self.fail("not a gridrisk results file (it has no meta.json)")
        missing = [n for n in _REQUIRED if n not in by_name]
        if missing:
            raise self.fail(f"the archive lacks {', '.join(missing)}: it is incomplete")
        return by_name

    def _check_info(self, info: zipfile.ZipInfo, cap: int) -> None:
        """Refuse a member before reading it: encrypted, odd compression, or too large a size."""
        name = info.filename
        if info.flag_bits & 0x1:
            raise self.fail(f"{name} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.fail(f"{name} uses an unsupported compression method ({info.compress_type})")
        if info.compress_size > self.size:
            raise self.fail(f"{name} claims {info.compress_size:_} compressed bytes in a {self.size:_}-byte file")
        if info.file_size > cap:
            raise self.fail(
                f"{name} declares {info.file_size:_} bytes uncompressed, more than the {cap:_} it can hold "
                "(a damaged or malicious archive); nothing was inflated"
            )

    def _read(self, z: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
        """The member's bytes: refused if it declares more than ``cap``, never inflated further.

        Reads go in steps of at most 1 MiB and stop one byte past the declared size, so a
        header that understates the size cannot make zlib inflate more than that.
        """
        self._check_info(info, cap)
        name, want = info.filename, info.file_size
        if self.hashed and name != "meta.json" and name not in self.hashes:
            raise self.fail(f"{name} is not listed with its SHA-256 in meta.json: the archive was edited")
        chunks: list[bytes] = []
        got = 0
        with z.open(info) as f:
            while got <= want:
                chunk = f.read(min(_STEP, want + 1 - got))
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        if got != want:
            raise self.fail(f"{name} holds {'more' if got > want else 'fewer'} bytes than the {want:_} declared")
        data = b"".join(chunks)
        digest = self.hashes.get(name)
        if digest is not None and hashlib.sha256(data).hexdigest() != digest:
            raise self.fail(f"{name} does not match its SHA-256 in meta.json: damaged or edited")
        return data

    # -- meta.json --------------------------------------------------------------------------
    def _meta(self, raw: bytes) -> dict[str, Any]:
        try:
            meta = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise self.fail(f"meta.json is not valid JSON ({e})") from None
        if not isinstance(meta, dict):
            raise self.fail("meta.json is not a JSON object")
        if meta.get("format") != _FORMAT:
            raise self.fail(
                f"not a gridrisk results file, or from an incompatible version (format {meta.get('format')!r})"
            )

        def whole(key: str, value: Any, lo: int, hi: int) -> int:
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise self.fail(f"meta.json: {key} must be a whole number in [{lo}, {hi}], got {value!r}")
            return value

        whole("seed", meta.get("seed"), 0, 2**64 - 1)
        rng = meta.get("path_range")
        if not isinstance(rng, list) or len(rng) != 2:
            raise self.fail(f"meta.json: path_range must be a pair [lo, hi], got {rng!r}")
        lo = whole("path_range[0]", rng[0], 0, 2**60)
        whole("path_range[1]", rng[1], lo + 1, 2**60)
        wall = meta.get("wall_time_s")
        if isinstance(wall, bool) or not isinstance(wall, (int, float)) or not math.isfinite(wall) or wall < 0:
            raise self.fail(f"meta.json: wall_time_s must be a number of seconds >= 0, got {wall!r}")
        if not isinstance(meta.get("gridrisk_version"), str):
            raise self.fail(f"meta.json: gridrisk_version must be text, got {meta.get('gridrisk_version')!r}")
        if "fingerprint" in meta:
            whole("fingerprint", meta["fingerprint"], 0, 2**64 - 1)
        if "stream_seeds" in meta:
            seeds = meta["stream_seeds"]
            if not isinstance(seeds, list) or not seeds:
                raise self.fail(f"meta.json: stream_seeds must be a list of seeds, got {seeds!r}")
            for i, x in enumerate(seeds):
                whole(f"stream_seeds[{i}]", x, 0, 2**64 - 1)
        if ("fingerprint" in meta or "origin" in meta) and "sha256" not in meta:
            raise self.fail("meta.json lacks the members' SHA-256 (sha256): the file was edited or damaged")
        hashes = meta.get("sha256", {})
        if not isinstance(hashes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) == 64 for k, v in hashes.items()
        ):
            raise self.fail("meta.json: sha256 must map member names to hex digests")
        origin = meta.get("origin")
        if origin is not None and not (
            isinstance(origin, dict)
            and isinstance(origin.get("name"), str)
            and origin["name"]
            and isinstance(origin.get("overrides"), list)
            and all(isinstance(o, list) and len(o) == 3 and isinstance(o[0], str) for o in origin["overrides"])
        ):
            raise self.fail("meta.json: origin must be {'name': text, 'overrides': [[field, old, new], ...]}")
        return meta

    # -- the members ------------------------------------------------------------------------
    def _scenario_text(self, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[str, Any]:
        raw = self._read(z, info, _TEXT_MAX)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.fail(f"{info.filename} is not UTF-8 text ({e})") from None
        try:
            data: dict[str, Any] = _core.scenario_from_toml(text)
        except ScenarioError as e:
            raise self.fail(f"{info.filename} is not a valid scenario: {e}") from None
        return data

    def _stats(self, z: zipfile.ZipFile, info: zipfile.ZipInfo, stream_seeds: list[int] | None) -> Any:
        cap = min(_STATS_MAX, max(_STATS_FLOOR, _STATS_MAX_RATIO * info.compress_size))
        raw = self._read(z, info, cap)  # its own errors name the file once
        try:
            return _core.RunStats.from_bytes(raw, stream_seeds)
        except DataError as e:
            raise self.fail(f"stats.bin cannot be decoded: {e}") from None
        except ArgumentError as e:  # the number of stream seeds
            raise self.fail(f"meta.json: {e}") from None

    def _check_stats(self, stats: Any, meta: dict[str, Any], data: dict[str, Any]) -> None:
        lo, hi = meta["path_range"]
        if (stats.path_lo, stats.path_hi) != (lo, hi) or stats.paths != hi - lo:
            raise self.fail(
                f"meta.json gives the path range [{lo}, {hi}) but the statistics cover "
                f"[{stats.path_lo}, {stats.path_hi}): the file was edited or damaged"
            )
        if "fingerprint" in meta and meta["fingerprint"] != stats.fingerprint:
            raise self.fail("the statistics come from another run than meta.json records (fingerprints differ)")
        months = int(data["simulation"]["horizon_months"])
        if stats.months != months:
            raise self.fail(f"the scenario simulates {months} months but the statistics hold {stats.months}")
        seeds = meta.get("stream_seeds")
        if _core.fingerprint(data, meta["seed"], stats.antithetic, seeds) != stats.fingerprint:
            which = "seed" if seeds is None else "stream seeds"
            raise self.fail(
                f"the statistics do not come from scenario.toml and the {which} in meta.json "
                "(fingerprints differ): the scenario or the seed was edited"
            )
        metrics, outputs = list(stats.metrics), list(stats.outputs)
        if metrics != list(_core.metric_names()) or outputs != list(_core.output_names()):
            raise self.fail("the statistics hold other metrics or outputs than this gridrisk version computes")
        # Every statistic Results reads must decode to finite numbers of the right shape.
        mean, _ = stats.moments()
        out_mean, _ = stats.output_moments()
        q = stats.quantiles([0.01, 0.5, 0.99])
        out_q = stats.output_quantiles([0.01, 0.5, 0.99])
        shapes = [np.shape(mean), np.shape(out_mean), np.shape(q), np.shape(out_q)]
        want = [(len(metrics), months), (len(outputs),), (len(metrics), months, 3), (len(outputs), 3)]
        if shapes != want:
            raise self.fail(f"the statistics have the shapes {shapes}, not {want}")
        # Cells without a sketch read as NaN quantiles (Results.fans); the rest must be finite.
        q = q[sketched_mask(stats)]
        if not all(np.all(np.isfinite(a)) for a in (mean, out_mean, q, out_q)):
            raise self.fail("the statistics hold values that are not finite")

    def _paths(self, z: zipfile.ZipFile, info: zipfile.ZipInfo, stats: Any, params: list[str]) -> dict[str, np.ndarray]:
        n, months = int(stats.paths), int(stats.months)
        shapes: dict[str, tuple[int, ...]] = dict.fromkeys(stats.metrics, (n, months))
        shapes.update(dict.fromkeys([*stats.outputs, *params], (n,)))
        controls = [f"{CONTROL_PREFIX}{c}" for c in CONTROLS]
        shapes.update(dict.fromkeys(controls, (n,)))
        cap = sum(8 * math.prod(s) + _NPY_OVERHEAD for s in shapes.values()) + _NPY_OVERHEAD
        raw = self._read(z, info, cap)
        arrays: dict[str, np.ndarray] = {}
        with zipfile.ZipFile(io.BytesIO(raw)) as inner:
            infos = inner.infolist()
            keys = [i.filename.removesuffix(".npy") for i in infos]
            outputs = {*stats.outputs, *params}
            every = outputs | set(stats.metrics)
            # Files written before the control values were saved hold none of them; newer ones
            # hold all, so that Results.control_values and the regressions see every control.
            kinds = [outputs, every, outputs | set(controls), every | set(controls)]
            if len(set(keys)) != len(keys) or set(keys) not in kinds:
                raise self.fail(
                    "paths.npz does not hold one array per output (or per metric and output), "
                    "with every control value or none"
                )
            for key, item in zip(keys, infos, strict=True):
                shape = shapes[key]
                self._check_info(item, 8 * math.prod(shape) + _NPY_OVERHEAD)
                with inner.open(item) as f:
                    arrays[key] = self._array(key, f, shape)
        return arrays

    def _array(self, key: str, f: IO[bytes], shape: tuple[int, ...]) -> np.ndarray:
        """One ``.npy`` array of exactly ``shape`` float64, read straight into its memory."""
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            got, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            got, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise self.fail(f"paths.npz: {key} is stored in an unknown .npy version {version}")
        if tuple(got) != shape or dtype != _F8:
            raise self.fail(f"paths.npz: {key} has shape {tuple(got)} and dtype {dtype}, not {shape} float64")
        array = np.empty(shape, dtype=np.float64, order="F" if fortran else "C")
        flat = array.reshape(-1, order="A").view(np.uint8)  # the array's own memory, as bytes
        done = 0
        while done < flat.size:
            chunk = f.read(min(_STEP, flat.size - done))
            if not chunk:
                raise self.fail(f"paths.npz: {key} is cut short")
            flat[done : done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            done += len(chunk)
        if f.read(1):
            raise self.fail(f"paths.npz: {key} holds more values than its shape {shape}")
        return np.ascontiguousarray(array)

    # -- everything -------------------------------------------------------------------------
    def results(self) -> Results:
        self.hashes: dict[str, str] = {}
        self.hashed = False
        with zipfile.ZipFile(self.file) as z:
            members = self._members(z)
            meta = self._meta(self._read(z, members["meta.json"], _TEXT_MAX))
            self.hashes = dict(meta.get("sha256", {}))
            self.hashed = "sha256" in meta
            missing = [name for name in self.hashes if name not in members]
            if missing:
                raise self.fail(f"the archive lacks {', '.join(missing)}, which meta.json lists")
            if self.hashed:
                unknown = sorted(set(members) - _KNOWN)
                if unknown:
                    raise self.fail(f"the archive holds {', '.join(map(repr, unknown))}, which no results file holds")
            data = self._scenario_text(z, members["scenario.toml"])
            stats = self._stats(z, members["stats.bin"], meta.get("stream_seeds"))
            self._check_stats(stats, meta, data)
            origin = meta.get("origin")
            if origin is None:
                scenario = Scenario._from_canonical(data)
            else:
                base = self._scenario_text(z, members["origin.toml"]) if "origin.toml" in members else None
                scenario = Scenario._from_canonical(data, (origin["name"], base))
                if json.loads(json.dumps(_overrides_json(scenario))) != origin["overrides"]:
                    raise self.fail("the scenario's overrides differ from those meta.json records")
            params = [f"{PARAMETER_PREFIX}{f}" for f in scenario.uncertain_fields]
            paths = self._paths(z, members["paths.npz"], stats, params) if "paths.npz" in members else None
        return Results(
            scenario=scenario,
            seed=int(meta["seed"]),
            path_range=(int(stats.path_lo), int(stats.path_hi)),
            version=str(meta["gridrisk_version"]),
            wall_time_s=float(meta["wall_time_s"]),
            stats=stats,
            _paths=paths,
        )
