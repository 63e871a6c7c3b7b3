"""Saving and loading results: one file that round-trips exactly."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from gridrisk import _core
from gridrisk._files import atomic_write
from gridrisk.errors import DataError
from gridrisk.results import Results
from gridrisk.scenario import Scenario

__all__ = ["load", "save"]

_FORMAT = "gridrisk-results-1"


def save(results: Results, path: str | os.PathLike[str]) -> Path:
    """Write results to a single ``.zip`` file, atomically (never a half-written file).

    The archive holds ``meta.json`` (format, gridrisk version, seed, path range, wall time),
    ``scenario.toml``, ``stats.bin`` (the mergeable statistics, bit for bit) and, if per-path
    values were kept, ``paths.npz``. Returns the path written.
    """
    target = Path(path)
    meta = {
        "format": _FORMAT,
        "gridrisk_version": results.version,
        "seed": results.seed,
        "path_range": list(results.path_range),
        "wall_time_s": results.wall_time_s,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.json", json.dumps(meta, indent=2))
        z.writestr("scenario.toml", results.scenario.to_toml())
        z.writestr("stats.bin", results.stats.to_bytes())
        if results._paths is not None:
            arrays_buf = io.BytesIO()
            arrays: dict[str, Any] = dict(results._paths)
            np.savez(arrays_buf, **arrays)
            z.writestr("paths.npz", arrays_buf.getvalue())
    atomic_write(target, buf.getvalue())
    return target


def load(path: str | os.PathLike[str]) -> Results:
    """Read results written by :func:`save` (or :meth:`Results.save`).

    Raises
    ------
    DataError
        If the file is not a gridrisk results file or is from an incompatible version.
    """
    try:
        with zipfile.ZipFile(path) as z:
            meta = json.loads(z.read("meta.json"))
            if meta.get("format") != _FORMAT:
                raise DataError(f"{os.fspath(path)} is not a gridrisk results file (format {meta.get('format')!r})")
            text = z.read("scenario.toml").decode("utf-8")
            stats = _core.RunStats.from_bytes(z.read("stats.bin"))
            paths = None
            if "paths.npz" in z.namelist():
                with np.load(io.BytesIO(z.read("paths.npz"))) as npz:
                    paths = {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as e:
        raise DataError(f"{os.fspath(path)} is not a readable gridrisk results file: {e}") from None
    scenario = Scenario._from_canonical(_core.scenario_from_toml(text))
    return Results(
        scenario=scenario,
        seed=int(meta["seed"]),
        path_range=(int(meta["path_range"][0]), int(meta["path_range"][1])),
        version=str(meta["gridrisk_version"]),
        wall_time_s=float(meta["wall_time_s"]),
        stats=stats,
        _paths=paths,
    )
