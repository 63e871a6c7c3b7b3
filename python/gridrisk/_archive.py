"""Writing a results file (the format :mod:`gridrisk.io` describes and reads).

Apart from :mod:`gridrisk.io` so that :meth:`Results.save` can write without importing the
reader, which builds ``Results`` and so imports :mod:`gridrisk.results`: no import cycle.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gridrisk import _core
from gridrisk._files import atomic_write
from gridrisk.errors import ArgumentError

if TYPE_CHECKING:
    from gridrisk.results import Results
    from gridrisk.scenario import Scenario

__all__ = ["save"]

_FORMAT = "gridrisk-results-1"


def _json_value(x: Any) -> Any:
    """A scenario value as JSON data (tuples as lists)."""
    if isinstance(x, dict):
        return {str(k): _json_value(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_value(v) for v in x]
    return x


def _overrides_json(scenario: Scenario) -> list[list[Any]]:
    return [[field, _json_value(old), _json_value(new)] for field, old, new in scenario.overrides]


def _stream_seeds(results: Results) -> list[int] | None:
    """The streams' seeds to record: None for an ordinary run (every stream on ``results.seed``).

    Raises :class:`ArgumentError` if the statistics are not those of ``results.scenario`` and
    ``results.seed`` (or of the streams' own seeds, which the statistics of a run know): such a
    file would not load.
    """
    stats = results.stats
    known = stats.stream_seeds
    # One seed for every stream is an ordinary run: it must be results.seed.
    seeds = None if known is None or len(set(known)) == 1 else list(known)
    if _core.fingerprint(results.scenario.to_dict(), results.seed, stats.antithetic, seeds) != stats.fingerprint:
        raise ArgumentError(
            "these results' statistics do not come from their scenario and seed "
            f"(seed {results.seed}{'' if seeds is None else f', stream seeds {seeds}'}): "
            "a Results whose scenario or seed was replaced cannot be saved"
        )
    return seeds


def save(results: Results, path: str | os.PathLike[str]) -> Path:
    """Write results to a single ``.zip`` file, atomically (never a half-written file).

    The archive holds ``meta.json`` (format, gridrisk version, seed, the seed of every random
    stream when the run gave the streams their own seeds (:func:`gridrisk.sensitivity`'s
    runs), path range, wall time in seconds, the fingerprint of the statistics, the SHA-256 of
    every other member, and the scenario's origin name and overrides as
    ``[field, origin value, value]`` triples), ``scenario.toml``, ``origin.toml`` (the
    scenario's origin, when it has overrides), ``stats.bin`` (the mergeable statistics, bit for
    bit) and, if per-path values were kept, ``paths.npz`` (with the paths' control values of
    :meth:`Results.control_values`). The file has the permissions of the
    user's umask.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    FileNotFoundError
        If the folder of ``path`` does not exist (the error names the folder).
    ArgumentError
        If the statistics do not come from ``results.scenario`` and ``results.seed`` (a
        ``Results`` edited with ``dataclasses.replace``): :func:`load` would refuse the file.
    """
    target = Path(path)
    stream_seeds = _stream_seeds(results)
    scenario = results.scenario
    origin_name, origin_data = scenario._origin
    overrides = _overrides_json(scenario)
    members: dict[str, bytes] = {
        "scenario.toml": scenario.to_toml().encode("utf-8"),
        "stats.bin": results.stats.to_bytes(),
    }
    if overrides:
        members["origin.toml"] = _core.scenario_to_toml(origin_data).encode("utf-8")
    if results._paths is not None:
        arrays_buf = io.BytesIO()
        arrays: dict[str, Any] = results._kept_arrays()
        np.savez(arrays_buf, **arrays)
        members["paths.npz"] = arrays_buf.getvalue()
    meta = {
        "format": _FORMAT,
        "gridrisk_version": results.version,
        "seed": results.seed,
        **({} if stream_seeds is None else {"stream_seeds": stream_seeds}),
        "path_range": list(results.path_range),
        "wall_time_s": results.wall_time_s,
        "fingerprint": int(results.stats.fingerprint),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
        "origin": {"name": origin_name, "overrides": overrides},
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.json", json.dumps(meta, indent=2))
        for name, data in members.items():
            z.writestr(name, data)
    atomic_write(target, buf.getvalue())
    return target
