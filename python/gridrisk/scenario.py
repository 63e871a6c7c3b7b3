"""Scenarios: the world (drivers, fleet, demand) a simulation runs in.

A :class:`Scenario` is immutable and always valid: every constructor validates in the Rust
core, which reports all problems at once as a :class:`~gridrisk.ScenarioError`. Change one
with :meth:`Scenario.replace`, which returns a new, re-validated scenario.
"""

from __future__ import annotations

import copy
import functools
import math
import numbers
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from gridrisk import _core
from gridrisk._files import atomic_write
from gridrisk._validate import choice, close_match, declared_fields
from gridrisk.errors import ArgumentError, ScenarioError
from gridrisk.uncertainty import Distribution, JointNormal, Scenarios

if TYPE_CHECKING:
    import pandas

__all__ = ["Scenario", "presets"]

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def presets() -> list[str]:
    """Names of the scenarios shipped inside the package, for :meth:`Scenario.preset`."""
    files = (resources.files("gridrisk") / "presets").iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def _preset_text(name: str) -> str:
    return (resources.files("gridrisk") / "presets" / f"{name}.toml").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=16)
def _preset_data(name: str) -> dict[str, Any]:
    """A preset's canonical data, shared (never modified): the origin of scenarios named after it."""
    data: dict[str, Any] = _core.scenario_from_toml(_preset_text(name))
    return data


def _default_origin(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The origin of canonical data first loaded from a file or dict: ``meta.name`` and the data.

    When ``meta.name`` is a preset's name but the data differ from that preset, the preset is
    the origin, so the changes show as overrides instead of passing for the preset itself.
    """
    name = str(data["meta"]["name"])
    if name in presets():
        base = _preset_data(name)
        if base != data:
            return name, base
    return name, data


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
        parts.append(int(index) if index is not None else int(name) if name.isdecimal() else name)
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


#: Largest scenario or hourly-profile file read, bytes (the preset is ~20 KiB, a profile ~100 KiB).
MAX_FILE_BYTES = 64 * 2**20


def _read_text(path: str | os.PathLike[str], what: str, field: str) -> str:
    """The text of a small UTF-8 file; :class:`ScenarioError` if it is binary, not UTF-8 or huge.

    A leading byte-order mark is dropped. ``OSError`` (missing file, a folder...) propagates.
    """
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)
    where = os.fspath(path)
    msg = ""
    if len(raw) > MAX_FILE_BYTES:
        msg = f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB: not a {what}"
    elif b"\x00" in raw:
        msg = f"the file holds NUL bytes: a binary file, not a {what} (text)"
    else:
        try:
            return raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            column = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
            msg = (
                f"the file is not UTF-8 text: byte {raw[e.start]:#04x} at line {line}, column {column} "
                f"({e.reason}); save it as UTF-8"
            )
    raise ScenarioError(f"{where}: {msg}", [{"field": field, "value": where, "message": msg}])


def _printable(text: str) -> str:
    """``text`` with lone surrogates shown as escapes, safe to print or encode."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: Nesting below this depth is left to the core, which reports it.
_MAX_DEPTH = 64


def _text_problems(data: Any, out: list[dict[str, str]]) -> None:
    """Append a problem for every empty key and every string that is not valid Unicode text.

    The core stores text as UTF-8, which cannot hold a lone surrogate such as U+D800
    (what ``os.fsdecode`` makes of undecodable bytes in a file name or command line).
    Containers are walked once each (a list that contains itself is fine here) down to
    :data:`_MAX_DEPTH`.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            if _has_surrogate(node):
                msg = "the text is not valid Unicode (it holds a lone surrogate)"
                out.append({"field": path or "(scenario)", "value": ascii(node), "message": msg})
            continue
        if not isinstance(node, (Mapping, list, tuple)) or id(node) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(node))
        children: list[tuple[Any, str, int]] = []
        if isinstance(node, Mapping):
            for key, value in node.items():
                if not isinstance(key, str):
                    continue  # the core names keys that are not strings
                shown = _printable(key) if key.strip() else repr(key)
                here = f"{path}.{shown}" if path else shown
                if not key.strip():
                    out.append({"field": here, "value": repr(key), "message": "empty key: every key needs a name"})
                elif _has_surrogate(key):
                    msg = "the key is not valid Unicode text (it holds a lone surrogate)"
                    out.append({"field": here, "value": ascii(key), "message": msg})
                children.append((value, here, depth + 1))
        else:
            children = [(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node)]
        stack.extend(reversed(children))


def _problems_error(problems: list[dict[str, str]]) -> ScenarioError:
    n = len(problems)
    lines = [f"  - {p['field']}: {p['message']} (got {p['value']})" for p in problems]
    return ScenarioError(f"invalid scenario: {n} problem{'s' if n != 1 else ''}\n" + "\n".join(lines), problems)


_KNOWN_KEYS = re.compile(r"\(known keys here: ([^)]*)\)")


def _with_key_hints(error: ScenarioError) -> ScenarioError:
    """``error`` with a did-you-mean hint for every unknown key the core found none for.

    The core suggests spellings that are close; :func:`close_match` also suggests the only key
    a name begins (``bitcoin.vol`` -> ``vol_annual``). Every other problem is kept as it is.
    """
    text = str(error)
    errors = []
    for problem in error.errors:
        message = problem.get("message", "")
        known = _KNOWN_KEYS.search(message)
        if message.startswith("unknown key (") and known is not None:
            last = re.split(r"[.\[\]]", problem.get("field", ""))
            word = next((w for w in reversed(last) if w), "")
            hint = close_match(word, known.group(1).split(", "))
            if hint is not None and hint != word:
                better = message.replace("unknown key", f"unknown key; did you mean {hint!r}?", 1)
                text = text.replace(f"{problem['field']}: {message}", f"{problem['field']}: {better}", 1)
                problem = {**problem, "message": better}
        errors.append(problem)
    if errors == error.errors:
        return error
    new = ScenarioError(text, errors)
    for note in getattr(error, "__notes__", ()):
        new.add_note(note)
    return new


def _validated(data: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical data of ``data``; :class:`ScenarioError` listing every problem."""
    problems: list[dict[str, str]] = []
    _text_problems(data, problems)
    if problems:
        raise _problems_error(problems)
    try:
        canonical: dict[str, Any] = _core.validate_scenario(data)
    except ScenarioError as e:
        raise _with_key_hints(e) from None
    return canonical


def _dotted(parts: Sequence[str | int]) -> str:
    """``["fleet", 2, "unit_mw"]`` -> ``"fleet[2].unit_mw"``."""
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else p)
    return text


def _suggest(data: Any, keys: Sequence[str | int]) -> str | None:
    """The existing dotted field nearest to ``keys``, each name matched ignoring case, or None."""
    node = data
    found: list[str | int] = []
    for key in keys:
        if isinstance(node, dict) and isinstance(key, str):
            name = key if key in node else close_match(key, [k for k in node if isinstance(k, str)])
            if name is None:
                return None
            found.append(name)
            node = node[name]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            found.append(key)
            node = node[key]
        else:
            return None
    return _dotted(found)


def _missing(path: str, where: Any, key: str | int, hint: str | None = None, verb: str = "set") -> ScenarioError:
    shown = _printable(path)
    if isinstance(where, list):
        msg = f"index {key} is out of range: there are {len(where)} items (0 to {len(where) - 1})"
    elif isinstance(where, dict):
        if hint is None and isinstance(key, str):
            hint = close_match(key, [k for k in where if isinstance(k, str)])
        did = f"; did you mean {hint!r}?" if hint else ""
        msg = f"unknown key {_printable(str(key))!r}{did} (known keys here: {', '.join(where)})"
    else:
        msg = "this field has no sub-fields"
    return ScenarioError(f"cannot {verb} {shown!r}: {msg}", [{"field": shown, "value": "", "message": msg}])


_MISSING: Any = object()

#: The fields :meth:`Scenario.counterfactual` sets to zero: the allocation's two loads and the
#: state's Bitcoin purchases (a cash outflow the reserve policy adds; the levy and the initial
#: holding need no change: with no miners there is nothing to levy, and the initial holding is
#: never counted as the policy's).
COUNTERFACTUAL: tuple[str, ...] = (
    "allocation.mining_mw",
    "allocation.datacenter_mw",
    "reserve.purchase_usd_per_month",
)
_COUNTERFACTUAL_SUFFIX = " without the allocation"


def _without_allocation(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of canonical ``data`` with the :data:`COUNTERFACTUAL` fields at zero (and certain)."""
    out = copy.deepcopy(dict(data))
    for field in COUNTERFACTUAL:
        table, key = field.split(".")
        if isinstance(out.get(table), dict):
            _drop_uncertain(out, field)
            out[table][key] = 0.0
    return out


def _brief(v: Any) -> str:
    """A number or a (nested) list of numbers in short form, for tables."""
    if isinstance(v, list):
        return "[" + ", ".join(_brief(x) for x in v) + "]"
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _drop_uncertain(data: dict[str, Any], field: str) -> None:
    """Remove the distributions of ``field`` and of every field under it from ``data``.

    A value set in place of a field, a table or a list makes what it covers certain. From a
    joint distribution, the covered fields' rows and columns go (the others keep their marginal).
    """

    def covered(f: Any) -> bool:
        return isinstance(f, str) and (f == field or f.startswith((field + ".", field + "[")))

    kept = []
    for d in data.get("uncertain", []):
        fields = declared_fields(d)
        while any(covered(f) for f in fields) and "fields" in d and len(fields) > 1:
            d = _drop_joint(d, fields, next(i for i, f in enumerate(fields) if covered(f)))
            fields = list(d["fields"])
        if not any(covered(f) for f in fields):
            kept.append(d)
    if kept:
        data["uncertain"] = kept
    else:
        data.pop("uncertain", None)


def _drop_joint(d: dict[str, Any], fields: list[Any], k: int) -> dict[str, Any]:
    """Joint declaration ``d`` without its ``k``-th field (its marginal over the others)."""
    d = dict(d)
    d["fields"] = fields[:k] + fields[k + 1 :]
    for key in ("mean", "lower", "upper"):
        if isinstance(d.get(key), list):
            d[key] = d[key][:k] + d[key][k + 1 :]
    if "cov" in d:
        d["cov"] = [row[:k] + row[k + 1 :] for i, row in enumerate(d["cov"]) if i != k]
    if d.get("dist") == "scenarios":
        d["values"] = [row[:k] + row[k + 1 :] for row in d["values"]]
    return d


def _diff(old: Any, new: Any, path: str, out: list[tuple[str, Any, Any]]) -> None:
    """Append ``(field, old, new)`` for every leaf that differs; an absent value shows as ``None``.

    Tables are compared key by key, lists of equal length item by item (``fleet[2].unit_mw``);
    a list whose length changed is one difference, the whole list.
    """
    old_table = isinstance(old, dict) or old is _MISSING
    new_table = isinstance(new, dict) or new is _MISSING
    if old_table and new_table and (isinstance(old, dict) or isinstance(new, dict)):
        a: dict[str, Any] = {} if old is _MISSING else old
        b: dict[str, Any] = {} if new is _MISSING else new
        for key in [*a, *(k for k in b if k not in a)]:
            _diff(a.get(key, _MISSING), b.get(key, _MISSING), f"{path}.{key}" if path else str(key), out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (x, y) in enumerate(zip(old, new, strict=True)):
            _diff(x, y, f"{path}[{i}]", out)
    elif old is _MISSING or new is _MISSING or type(old) is not type(new) or old != new:
        before = None if old is _MISSING else copy.deepcopy(old)
        after = None if new is _MISSING else copy.deepcopy(new)
        out.append((path, before, after))


class Scenario:
    """A validated, immutable gridrisk scenario.

    Build one with :meth:`preset`, :meth:`from_toml` or :meth:`from_dict`; derive variants with
    :meth:`replace`. Units are part of every field name (``_mw``, ``_usd``, ``_annual`` ...);
    ``docs/model.md`` explains each parameter.

    Every scenario remembers its *origin*, the scenario as first loaded (the preset, the file or
    the dict), so a variant says what was changed: :attr:`overrides` lists the changed fields and
    :attr:`label` names the origin and counts them. A file or dict whose ``meta.name`` is a
    preset's name but whose data differ from that preset has the preset as its origin, so it
    never passes for the preset. Equality and hashing look at the data only.

    Examples
    --------
    >>> import gridrisk as gr
    >>> sc = gr.Scenario.preset("pakistan-2000mw")
    >>> sc.replace({"bitcoin.vol_annual": 0.8})["bitcoin.vol_annual"]
    0.8
    >>> sc.replace({"bitcoin.vol_annual": 0.8}).label
    'pakistan-2000mw + 1 override'
    """

    __slots__ = ("_data", "_origin")
    _data: dict[str, Any]
    #: (name, canonical data) of the scenario as first loaded; the data may be ``_data`` itself.
    _origin: tuple[str, dict[str, Any]]

    def __init__(self, data: Mapping[str, Any]) -> None:
        canonical = _validated(data)
        object.__setattr__(self, "_data", canonical)
        object.__setattr__(self, "_origin", _default_origin(canonical))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Scenario is immutable; use .replace({...}) to derive a new one")

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def preset(cls, name: str) -> Scenario:
        """Load a scenario shipped with gridrisk (see :func:`gridrisk.presets`).

        Parameters
        ----------
        name : str
            Preset name, e.g. ``"pakistan-2000mw"``; it becomes the scenario's origin name.
        """
        name = choice("preset", name, presets())
        data = _core.scenario_from_toml(_preset_text(name))
        return cls._from_canonical(data, (name, None))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read and validate a TOML scenario file (UTF-8 text).

        Its ``meta.name`` becomes the scenario's origin name; if that is a preset's name and
        the file differs from the preset, the preset is the origin and the differences are
        :attr:`overrides` (``"pakistan-2000mw + 1 override"``).

        Raises
        ------
        ScenarioError
            For a file that is not UTF-8 text (binary, another encoding: the first bad byte's
            line and column are given), a syntax error (with line and column) or invalid
            fields; the file name is attached as a note.
        OSError
            If the file cannot be read (``FileNotFoundError``, ``IsADirectoryError`` ...).
        """
        try:
            text = _read_text(path, "TOML scenario", "(file)")
            try:
                data = _core.scenario_from_toml(text)
            except ScenarioError as e:
                raise _with_key_hints(e) from None
            return cls._from_canonical(data)
        except ScenarioError as e:
            e.add_note(f"in scenario file {_printable(os.fspath(path))}")
            raise

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Validate a nested mapping with the same structure as the TOML file.

        Its ``meta.name`` becomes the scenario's origin name (a preset's name with other data:
        the preset is the origin, as for :meth:`from_toml`).

        Raises
        ------
        ScenarioError
            For every invalid field, empty key or string that is not valid Unicode text.
        """
        return cls(data)

    @classmethod
    def _from_canonical(cls, data: dict[str, Any], origin: tuple[str, dict[str, Any] | None] | None = None) -> Scenario:
        """Wrap canonical (already validated) data; ``origin`` is ``(name, data or None for data)``.

        Without ``origin``, the origin of data first loaded (see :func:`_default_origin`).
        """
        obj = object.__new__(cls)
        object.__setattr__(obj, "_data", data)
        if origin is None:
            object.__setattr__(obj, "_origin", _default_origin(data))
        else:
            name, base = origin
            object.__setattr__(obj, "_origin", (name, data if base is None else base))
        return obj

    def _derive(self, data: Mapping[str, Any]) -> Scenario:
        """A new validated scenario from ``data`` with this scenario's origin."""
        return Scenario._from_canonical(_validated(data), self._origin)

    # -- conversions ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the scenario as plain Python objects; ``from_dict`` reads it back."""
        return copy.deepcopy(self._data)

    def to_toml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The scenario as TOML text; also written to ``path`` (atomically) when given.

        The file is created with the permissions of the user's umask. The folder must exist.

        Raises
        ------
        FileNotFoundError
            If the folder of ``path`` does not exist (the error names the folder).
        """
        text: str = _core.scenario_to_toml(self._data)
        if path is not None:
            atomic_write(path, text)
        return text

    # -- origin and overrides ---------------------------------------------------------------
    @property
    def overrides(self) -> list[tuple[str, Any, Any]]:
        """The fields that differ from the origin, as ``(field, origin value, value)`` tuples.

        The origin is the scenario as first loaded by :meth:`preset`, :meth:`from_toml` or
        :meth:`from_dict`; :meth:`replace` and the command line's ``--set`` derive variants
        that keep it. Fields are dotted names as in :meth:`replace` (``"bitcoin.vol_annual"``,
        list items as ``"fleet[2].unit_mw"``); a list whose length changed is one entry with
        the whole list; a field absent on one side shows ``None`` there. A field set back to
        its origin value is not an override. Values are in the field's unit (see its name).

        Returns
        -------
        list of (str, object, object)
            In the order of the fields in the origin (added fields last); empty for an
            unchanged scenario.
        """
        base = self._origin[1]
        if base is self._data:
            return []
        out: list[tuple[str, Any, Any]] = []
        _diff(base, self._data, "", out)
        return out

    @property
    def origin(self) -> str:
        """The origin's name: the preset name, or ``meta.name`` of the file or dict first loaded."""
        return self._origin[0]

    @property
    def label(self) -> str:
        """The origin's name and the number of overrides, e.g. ``"pakistan-2000mw + 2 overrides"``.

        Just the origin's name (the preset name, or ``meta.name`` of a file or dict) for an
        unchanged scenario; see :attr:`overrides`.
        """
        n = len(self.overrides)
        name = self._origin[0]
        return name if n == 0 else f"{name} + {n} override{'s' if n != 1 else ''}"

    # -- access and variants ----------------------------------------------------------------
    def __getitem__(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``sc["fleet[0].unit_mw"]`` (a copy)."""
        keys = _parse_path(path)
        node: Any = self._data
        for key in keys:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                raise KeyError(str(_missing(path, node, key, _suggest(self._data, keys), "read"))) from None
        return copy.deepcopy(node)

    def replace(self, overrides: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Scenario:
        """A new scenario with the given dotted-path fields changed, validated as a whole.

        The new scenario keeps this one's origin, so its :attr:`overrides` list every field
        changed since the preset, file or dict it came from.

        Parameters
        ----------
        overrides : mapping of str to value
            ``{"bitcoin.vol_annual": 0.8, "fleet[0].units": 12}``. Keys use the same dotted
            names as error messages; list items are addressed as ``name[i]`` or ``name.i``.
            ``None`` removes an optional field or table: ``{"datacenters.takeup": None}`` makes
            the whole data-centre allocation arrive on its ramp. A distribution
            (:mod:`gridrisk.uncertainty`: ``gr.Normal(0.045, 0.01)``) makes a numeric field
            uncertain: each path draws its own value. A number in place of an uncertain field
            makes it certain again (the other fields of a joint distribution keep their marginal).
        **kwargs
            Top-level fields, for convenience (``sc.replace(meta={...})``).

        Raises
        ------
        ArgumentError
            If ``overrides`` is not a mapping.
        ScenarioError
            If a key is not a dotted field name, a path does not exist or names an unknown
            field (with a did-you-mean hint: the same name in another case, a close spelling,
            or the one field the name begins, ``bitcoin.vol`` -> ``bitcoin.vol_annual``), or
            the result is invalid.
        """
        if overrides is None:
            overrides = {}
        elif not isinstance(overrides, Mapping):
            raise ArgumentError(
                "replace takes a mapping of dotted field names to values, e.g. "
                f"{{'bitcoin.vol_annual': 0.8}}; got {type(overrides).__name__} {_printable(repr(overrides))[:80]}"
            )
        data = copy.deepcopy(self._data)
        for path, value in [*overrides.items(), *kwargs.items()]:
            keys = _parse_path(path)
            if isinstance(value, Distribution):
                value = value.declaration()
            if keys and keys[0] != "uncertain":
                _drop_uncertain(data, _dotted(keys))
            node: Any = data
            for key in keys[:-1]:
                try:
                    node = node[key]
                except (KeyError, IndexError, TypeError):
                    raise _missing(path, node, key, _suggest(self._data, keys)) from None
            last = keys[-1]
            if isinstance(node, list):
                if not isinstance(last, int) or not 0 <= last < len(node):
                    raise _missing(path, node, last)
            elif not isinstance(node, dict):
                raise _missing(path, node, last)
            elif last not in node:
                # A new key may be an optional field; one that differs from a known key only
                # by case is a typo (every field name is lower case).
                hint = close_match(str(last), [k for k in node if isinstance(k, str)])
                if hint is not None and hint.lower() == str(last).lower():
                    raise _missing(path, node, last, _suggest(self._data, keys))
            if value is None:
                # None removes an optional field or table (a required one is then reported
                # missing by the validator).
                if isinstance(node, list):
                    raise ScenarioError(
                        f"{path}: a list item cannot be removed with None",
                        [{"field": path, "value": "None", "message": "a list item cannot be removed"}],
                    )
                node.pop(last, None)
            else:
                node[last] = value
        return self._derive(data)

    def with_uncertain(self, *declarations: JointNormal | Scenarios | Mapping[str, Any]) -> Scenario:
        """A new scenario with joint distributions over several fields added.

        Parameters
        ----------
        *declarations : JointNormal, Scenarios or mapping
            :class:`gridrisk.JointNormal` (e.g. a calibration's estimates,
            :meth:`gridrisk.calibrate.Fit.uncertainty`), :class:`gridrisk.Scenarios` (weighted
            rows of values), or an ``[[uncertain]]`` table as a dict. Declarations already on
            any of their fields are replaced.

        Raises
        ------
        ScenarioError
            If a field does not exist or is not a number, or a value the distribution can take
            makes the scenario invalid.
        """
        data = copy.deepcopy(self._data)
        for d in declarations:
            table = dict(d) if isinstance(d, Mapping) else d.declaration()
            for f in declared_fields(table):
                if isinstance(f, str):
                    _drop_uncertain(data, f)
            data.setdefault("uncertain", []).append(table)
        return self._derive(data)

    def counterfactual(self) -> Scenario:
        """The same scenario without the allocation: the world the policy is measured against.

        Every field of :data:`COUNTERFACTUAL` is set to zero (no mining, no data centres, no
        reserve purchases); the drivers, the fleet, the stresses and the parameter uncertainty
        are kept, so on common random numbers (:func:`gridrisk.compare`) each path is the same
        world with and without the policy. The model's outputs are already the effects of the
        allocation (the state's NPV *of the allocation*, the *increase* in load-shedding...), so
        the counterfactual's outputs are zero, or equal to the figures "without the allocation"
        that every run reports; a policy's difference against it is the policy's own effect.

        Returns
        -------
        Scenario
            Its :attr:`origin` is this scenario's origin without the allocation, named
            ``"<origin> without the allocation"``, so its :attr:`label` says what it is and its
            :attr:`overrides` are this scenario's other changes (e.g. from ``--set``).

        Examples
        --------
        >>> import gridrisk as gr
        >>> gr.Scenario.preset("pakistan-2000mw").counterfactual().label
        'pakistan-2000mw without the allocation'
        """
        name, base = self._origin
        data = _validated(_without_allocation(self._data))
        if name.endswith(_COUNTERFACTUAL_SUFFIX):
            origin = base
        else:
            name += _COUNTERFACTUAL_SUFFIX
            origin = data if base is self._data else _validated(_without_allocation(base))
        return Scenario._from_canonical(data, (name, None if origin == data else origin))

    def fixed(self) -> Scenario:
        """Return the scenario without parameter uncertainty: every field at its point value."""
        if "uncertain" not in self._data:
            return self
        data = copy.deepcopy(self._data)
        del data["uncertain"]
        return self._derive(data)

    @property
    def uncertain_fields(self) -> list[str]:
        """The uncertain fields' names, in declaration order (empty when every field is certain)."""
        return [f for d in self._data.get("uncertain", []) for f in declared_fields(d)]

    @property
    def uncertain(self) -> pandas.DataFrame:
        """The uncertain fields, one row each; empty when every field is certain.

        Columns: the distribution, the field's point ``value``, its support (``low`` and
        ``high``, the smallest and largest value a path can draw), the distribution's
        ``parameters``, its ``group`` and ``source``. Values are in the field's unit.
        """
        import pandas as pd

        rows = []
        for d in self._data.get("uncertain", []):
            fields = declared_fields(d)
            for k, (f, (lo, hi)) in enumerate(zip(fields, _core.uncertain_support(d), strict=True)):
                params = ", ".join(
                    f"{key} {_brief(v[k] if key in ('mean', 'lower', 'upper') and 'fields' in d else v)}"
                    for key, v in d.items()
                    if key not in ("field", "fields", "dist", "group", "source", "cov")
                )
                rows.append(
                    {
                        "field": f,
                        "dist": d["dist"],
                        "value": self[f],
                        "low": lo,
                        "high": hi,
                        "parameters": params,
                        "group": d.get("group", f),
                        "source": d.get("source", ""),
                    }
                )
        cols = ["dist", "value", "low", "high", "parameters", "group", "source"]
        return pd.DataFrame(rows, columns=["field", *cols]).set_index("field")

    def with_hourly_shape(self, source: str | os.PathLike[str] | Iterable[float]) -> Scenario:
        """A new scenario whose load follows a chronological hourly profile of a whole year.

        Parameters
        ----------
        source : path or iterable of float
            A CSV file (UTF-8) with one numeric column (a header line is allowed) or the values
            themselves (a list, a NumPy array ...): 8760 or 8736 (52 weeks) relative loads from
            1 January 00:00, dimensionless. Within each calendar month the profile is normalised
            to mean one; the demand driver sets the level. An 8736-hour profile repeats its last
            day to fill the calendar year.

        Raises
        ------
        ScenarioError
            If ``source`` is neither a path nor an iterable of numbers, the file is not UTF-8
            text, or the profile has the wrong length or a value that is not a number, negative
            or not finite (the row is named).
        """
        field = "grid.hourly_shape"
        values: list[float] = []

        def fail(msg: str, value: str, where: str = field) -> ScenarioError:
            return ScenarioError(f"{field}: {msg}", [{"field": where, "value": value, "message": msg}])

        if isinstance(source, (str, os.PathLike)):
            where = f" in {_printable(os.fspath(source))}"
            lines = [ln.strip() for ln in _read_text(source, "CSV profile", field).splitlines()]
            rows = [ln.split(",")[0].strip() for ln in lines if ln]
            if rows and not _is_number(rows[0]):
                rows = rows[1:]  # header
            for i, r in enumerate(rows):
                if not _is_number(r):
                    raise fail(f"row {i + 1}: {r!r} is not a number{where}", r)
                values.append(float(r))
        else:
            where = ""
            if isinstance(source, (bytes, bytearray, memoryview, Mapping)):
                raise fail(f"expected a CSV file or a sequence of numbers, got {type(source).__name__}", "")
            try:
                items = iter(source)
            except TypeError:
                raise fail(
                    f"expected a CSV file or a sequence of numbers, got {type(source).__name__}",
                    _printable(repr(source))[:80],
                ) from None
            for i, x in enumerate(items):
                if i >= 8760:
                    raise fail("expected 8760 or 8736 hourly values, got more than 8760", "> 8760")
                if isinstance(x, bool) or not isinstance(x, numbers.Real):
                    msg = f"hour {i} is {_printable(repr(x))[:80]}, not a number"
                    raise fail(msg, _printable(repr(x))[:80], f"{field}[{i}]")
                values.append(float(x))
        if len(values) not in (8760, 8736):
            raise fail(f"expected 8760 or 8736 hourly values, got {len(values)}{where}", str(len(values)))
        for i, x in enumerate(values):
            if not math.isfinite(x) or x < 0:
                msg = f"hour {i} (row {i + 1}{where}) is {x!r}; every value must be finite and >= 0"
                raise fail(msg, repr(x), f"{field}[{i}]")
        return self.replace({"grid.load_shape": "hourly", field: values})

    # -- dunder -----------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._data == other._data

    def __hash__(self) -> int:
        return hash(self.to_toml())

    def __reduce__(self) -> tuple[Any, ...]:
        name, base = self._origin
        return (Scenario._from_canonical, (self._data, (name, None if base is self._data else base)))

    def __repr__(self) -> str:
        if not hasattr(self, "_data") or not hasattr(self, "_origin"):  # failed construction (debuggers)
            return "Scenario(<invalid>)"
        sim = self._data["simulation"]
        return (
            f"Scenario({self.label!r}, start={sim['start']}, "
            f"horizon_months={sim['horizon_months']}, fleet={len(self._data['fleet'])} classes)"
        )

    @property
    def name(self) -> str:
        """The scenario's ``meta.name``."""
        return str(self._data["meta"]["name"])

    @property
    def fx_drift_annual(self) -> float:
        """The exchange rate's expected depreciation the engine uses, per year.

        ``fx.drift_annual`` when declared; otherwise the inflation differential of ``economy``
        plus its premium, plus the convexity of the rate's volatility and jumps
        (``docs/model.md``, the exchange rate).
        """
        return float(_core.rates(self._data)[0])

    @property
    def discount_rate_annual(self) -> float:
        """The NPV's nominal discount rate the engine uses, per year.

        ``fiscal.discount_rate_annual`` when declared; otherwise ``economy``'s real rate
        compounded with inflation, ``(1 + real)(1 + inflation) - 1``.
        """
        return float(_core.rates(self._data)[1])

    @property
    def months(self) -> int:
        """Number of simulated months (``simulation.horizon_months``)."""
        return int(self._data["simulation"]["horizon_months"])
