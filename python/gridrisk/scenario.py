"""Scenarios: the world (drivers, fleet, demand) a simulation runs in.

A :class:`Scenario` is immutable and always valid: every constructor validates in the Rust
core, which reports all problems at once as a :class:`~gridrisk.ScenarioError`. Change one
with :meth:`Scenario.replace`, which returns a new, re-validated scenario.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from gridrisk import _core
from gridrisk._files import atomic_write
from gridrisk._validate import choice
from gridrisk.errors import ScenarioError

__all__ = ["Scenario", "presets"]

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def presets() -> list[str]:
    """Names of the scenarios shipped inside the package, for :meth:`Scenario.preset`."""
    files = (resources.files("gridrisk") / "presets").iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def _parse_path(path: str) -> list[str | int]:
    """Split ``"fleet[2].unit_mw"`` or ``"fleet.2.unit_mw"`` into ``["fleet", 2, "unit_mw"]``."""
    if not isinstance(path, str) or not path:
        raise ScenarioError(
            f"override keys must be dotted field names such as 'bitcoin.vol_annual', got {path!r}",
            [{"field": repr(path), "value": "", "message": "not a dotted field name"}],
        )
    parts: list[str | int] = []
    pos = 0
    for m in _TOKEN.finditer(path):
        gap = path[pos : m.start()]
        if gap not in ("", "."):
            break
        name, index = m.groups()
        parts.append(int(index) if index is not None else int(name) if name.isdigit() else name)
        pos = m.end()
    if pos != len(path) or not parts:
        raise ScenarioError(
            f"cannot parse the field name {path!r}",
            [{"field": path, "value": "", "message": "expected names separated by dots"}],
        )
    return parts


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _missing(path: str, where: Any, key: str | int) -> ScenarioError:
    if isinstance(where, list):
        msg = f"index {key} is out of range: there are {len(where)} items (0 to {len(where) - 1})"
    elif isinstance(where, dict):
        hint = difflib.get_close_matches(str(key), list(where), n=1)
        did = f"; did you mean {hint[0]!r}?" if hint else ""
        msg = f"unknown key {key!r}{did} (known keys here: {', '.join(where)})"
    else:
        msg = "this field has no sub-fields"
    return ScenarioError(f"cannot set {path!r}: {msg}", [{"field": path, "value": "", "message": msg}])


class Scenario:
    """A validated, immutable gridrisk scenario.

    Build one with :meth:`preset`, :meth:`from_toml` or :meth:`from_dict`; derive variants with
    :meth:`replace`. Units are part of every field name (``_mw``, ``_usd``, ``_annual`` ...);
    ``docs/model.md`` explains each parameter.

    Examples
    --------
    >>> import gridrisk as gr
    >>> sc = gr.Scenario.preset("pakistan-2000mw")
    >>> sc.replace({"bitcoin.vol_annual": 0.8})["bitcoin.vol_annual"]
    0.8
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", _core.validate_scenario(data))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Scenario is immutable; use .replace({...}) to derive a new one")

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def preset(cls, name: str) -> Scenario:
        """Load a scenario shipped with gridrisk (see :func:`gridrisk.presets`).

        Parameters
        ----------
        name : str
            Preset name, e.g. ``"pakistan-2000mw"``.
        """
        name = choice("preset", name, presets())
        text = (resources.files("gridrisk") / "presets" / f"{name}.toml").read_text(encoding="utf-8")
        return cls._from_canonical(_core.scenario_from_toml(text))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read and validate a TOML scenario file.

        Raises
        ------
        ScenarioError
            For a syntax error (with line and column) or invalid fields; the file name is
            attached as a note.
        """
        text = Path(path).read_text(encoding="utf-8")
        try:
            return cls._from_canonical(_core.scenario_from_toml(text))
        except ScenarioError as e:
            e.add_note(f"in scenario file {os.fspath(path)}")
            raise

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Validate a nested mapping with the same structure as the TOML file."""
        return cls(data)

    @classmethod
    def _from_canonical(cls, data: dict[str, Any]) -> Scenario:
        obj = object.__new__(cls)
        object.__setattr__(obj, "_data", data)
        return obj

    # -- conversions ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the scenario as plain Python objects; ``from_dict`` reads it back."""
        return copy.deepcopy(self._data)

    def to_toml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The scenario as TOML text; also written to ``path`` (atomically) when given."""
        text: str = _core.scenario_to_toml(self._data)
        if path is not None:
            atomic_write(path, text)
        return text

    # -- access and variants ----------------------------------------------------------------
    def __getitem__(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``sc["fleet[0].unit_mw"]`` (a copy)."""
        node: Any = self._data
        for key in _parse_path(path):
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                raise KeyError(str(_missing(path, node, key))) from None
        return copy.deepcopy(node)

    def replace(self, overrides: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Scenario:
        """A new scenario with the given dotted-path fields changed, validated as a whole.

        Parameters
        ----------
        overrides : mapping of str to value
            ``{"bitcoin.vol_annual": 0.8, "fleet[0].units": 12}``. Keys use the same dotted
            names as error messages; list items are addressed as ``name[i]`` or ``name.i``.
        **kwargs
            Top-level fields, for convenience (``sc.replace(meta={...})``).

        Raises
        ------
        ScenarioError
            If a path does not exist (with a did-you-mean hint) or the result is invalid.
        """
        data = copy.deepcopy(self._data)
        for path, value in {**(overrides or {}), **kwargs}.items():
            keys = _parse_path(path)
            node: Any = data
            for key in keys[:-1]:
                try:
                    node = node[key]
                except (KeyError, IndexError, TypeError):
                    raise _missing(path, node, key) from None
            last = keys[-1]
            if isinstance(node, list):
                if not isinstance(last, int) or not 0 <= last < len(node):
                    raise _missing(path, node, last)
            elif not isinstance(node, dict):
                raise _missing(path, node, last)
            node[last] = value
        return Scenario(data)

    def with_hourly_shape(self, source: str | os.PathLike[str] | Sequence[float] | Any) -> Scenario:
        """A new scenario whose load follows a chronological hourly profile of a whole year.

        Parameters
        ----------
        source : path or sequence of float
            A CSV file with one numeric column (a header line is allowed) or the values
            themselves: 8760 or 8736 (52 weeks) relative loads from 1 January 00:00. Within
            each calendar month the profile is normalised to mean one; the demand driver sets
            the level. An 8736-hour profile repeats its last day to fill the calendar year.

        Raises
        ------
        ScenarioError
            If the profile has the wrong length or a negative or non-finite value (the row
            is named).
        """
        field = "grid.hourly_shape"
        if isinstance(source, (str, os.PathLike)):
            where = f" in {os.fspath(source)}"
            lines = [ln.strip() for ln in Path(source).read_text(encoding="utf-8").splitlines()]
            rows = [ln.split(",")[0].strip() for ln in lines if ln]
            if rows and not _is_number(rows[0]):
                rows = rows[1:]  # header
            values: list[float] = []
            for i, r in enumerate(rows):
                if not _is_number(r):
                    msg = f"row {i + 1}: {r!r} is not a number"
                    raise ScenarioError(f"{field}: {msg}{where}", [{"field": field, "value": r, "message": msg}])
                values.append(float(r))
        else:
            where = ""
            values = [float(x) for x in source]
        if len(values) not in (8760, 8736):
            msg = f"expected 8760 or 8736 hourly values, got {len(values)}{where}"
            raise ScenarioError(f"{field}: {msg}", [{"field": field, "value": str(len(values)), "message": msg}])
        for i, x in enumerate(values):
            if not math.isfinite(x) or x < 0:
                msg = f"hour {i} (row {i + 1}{where}) is {x!r}; every value must be finite and >= 0"
                raise ScenarioError(f"{field}: {msg}", [{"field": f"{field}[{i}]", "value": repr(x), "message": msg}])
        return self.replace({"grid.load_shape": "hourly", field: values})

    # -- dunder -----------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._data == other._data

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __reduce__(self) -> tuple[Any, ...]:
        return (Scenario._from_canonical, (self._data,))

    def __repr__(self) -> str:
        if not hasattr(self, "_data"):  # failed construction, seen by debuggers and tracebacks
            return "Scenario(<invalid>)"
        sim = self._data["simulation"]
        return (
            f"Scenario({self._data['meta']['name']!r}, start={sim['start']}, "
            f"horizon_months={sim['horizon_months']}, fleet={len(self._data['fleet'])} classes)"
        )

    @property
    def name(self) -> str:
        """The scenario's ``meta.name``."""
        return str(self._data["meta"]["name"])

    @property
    def months(self) -> int:
        """Number of simulated months (``simulation.horizon_months``)."""
        return int(self._data["simulation"]["horizon_months"])
