"""The ``gridrisk`` command line.

``gridrisk run`` simulates a scenario (the embedded ``pakistan-2000mw`` preset unless a TOML
file is given) and prints a summary; ``compare`` runs policies on common random numbers (a
single policy against ``no-allocation``, the same scenario without the allocation); ``sweep``
runs a grid of policy parameters; ``sensitivity`` gives Sobol indices by driver group;
``report`` turns saved results into files; ``presets`` lists the shipped scenarios and ``preset
export`` writes one out as TOML, with its calibration comments, to edit. Tables are printed
first; with ``--out DIR`` the files are then written into a staging folder next to DIR and
swapped in whole.

Exit codes: 0 success; 1 the output could not be written (DIR is left as it was); 2 invalid
input (a message, no traceback); 3 internal error (a bug in gridrisk: please report it); 4 out
of memory; 130 interrupted (Ctrl-C); 141 the reader of the printed tables stopped reading
(``gridrisk run | head``: the rest is not printed, files asked for with ``--out`` are written).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import logging
import os
import re
import sys
import textwrap
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gridrisk import __version__, plot, precision
from gridrisk._files import OutputFolder, atomic_write
from gridrisk._validate import choice, close_match, short_repr
from gridrisk.compare import (
    SWEEP_COLUMNS,
    Comparison,
    Sweep,
    _inert_note,
    _label,
    _unit,
    compare,
    sweep,
    text_table,
)
from gridrisk.errors import ArgumentError, GridRiskError, InternalError
from gridrisk.findings import key_findings
from gridrisk.io import load
from gridrisk.report import _png, comparison_report, sensitivity_report, sweep_report, write_outputs
from gridrisk.results import ADVERSE_FROM_ZERO
from gridrisk.scenario import COUNTERFACTUAL, Scenario, _preset_text, presets
from gridrisk.sensitivity import sensitivity
from gridrisk.simulation import simulate
from gridrisk.units import MINUS, format_number, format_pm, format_short, round_to_error

DEFAULT_PRESET = "pakistan-2000mw"
#: The reserved scenario of ``gridrisk compare``: the other policies' scenario without the allocation.
NO_ALLOCATION = "no-allocation"
#: Widest line of the printed tables of compare and sweep.
WIDTH = 100
EXIT_WRITE_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_MEMORY = 4
EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE, as a Unix tool the signal ends: stdout's reader stopped reading.
EXIT_PIPE_CLOSED = 141

_EXIT_CODES = (
    "exit codes: 0 success; 1 the output could not be written (DIR is left as it was); 2 invalid input; "
    "3 internal error (a bug in gridrisk: please report it); 4 out of memory; 130 interrupted; "
    "141 stdout's reader stopped reading (e.g. | head; --out files are still written)"
)


class _Stdout:
    """``sys.stdout`` that goes quiet once its reader has gone (``gridrisk run | head``).

    Python raises ``BrokenPipeError`` on the write after a pipe's reader exits, which would end
    the command as if its input were invalid, before the files of ``--out`` are written. Output
    past that point has no reader: it is dropped, and the command carries on.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                return int(self.stream.write(text))
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.reader_gone = True
        # Python flushes stdout once more at exit: the descriptor then leads to /dev/null, not
        # to the closed pipe (which would print an error after the command has finished).
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


_OUT_HELP = (
    "Tables are printed first; then the files are written into a new staging folder next to DIR and "
    "swapped in whole when complete, with a manifest.json naming the run. An earlier gridrisk output "
    "in DIR is replaced (never mixed with this run's files); a DIR holding other files is refused "
    "before anything runs, as is a read-only DIR. Ctrl-C or an error leaves DIR as it was."
)


class _WriteFailed(Exception):
    """Writing the output folder failed (a full disk...): exit 1."""


def _override(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected FIELD=VALUE (e.g. bitcoin.vol_annual=0.8), got {text!r}")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word is a string
    return key.strip(), value


def _target(text: str) -> tuple[str, str, Any]:
    """``OUTPUT[:STAT]=VALUE`` of ``--target``: a share such as ``1%`` stays text, else a number."""
    key, sep, raw = text.partition("=")
    output, _, stat = key.strip().partition(":")
    if not sep or not output or not raw.strip():
        raise argparse.ArgumentTypeError(f"expected OUTPUT=SE or OUTPUT:p_adverse=SE (e.g. npv_pkr=1%), got {text!r}")
    value: Any = raw.strip()
    if not value.endswith("%"):
        try:
            value = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"the standard error of --target must be a number or a share such as 1%, got {raw!r}"
            ) from None
    return output, stat or "mean", value


def _run_options(p: argparse.ArgumentParser, *, paths: int, paths_help: str) -> None:
    """The options every simulating command shares: paths, seed, threads, overrides, progress."""
    p.add_argument("--paths", type=int, default=paths, help=paths_help)
    p.add_argument("--seed", type=int, default=7, help="master seed, shared by every run of the command (default 7)")
    p.add_argument(
        "--threads", type=int, default=None, help="worker threads (default: all cores or GRIDRISK_NUM_THREADS)"
    )
    p.add_argument(
        "--set",
        dest="overrides",
        type=_override,
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a scenario field, e.g. --set bitcoin.vol_annual=0.8 (repeatable; every scenario of the "
        "command); overrides are printed and recorded in the results",
    )
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress line in a terminal, and no estimated finish time on stderr in a batch job (one line "
        "covers all the command's runs)",
    )


def _progress_of(args: argparse.Namespace) -> bool | None:
    """``progress=`` of the command's runs: as the library's default unless --no-progress."""
    return False if args.no_progress else None


def _out_option(p: argparse.ArgumentParser, files: str, *, required: bool = False) -> None:
    p.add_argument("--out", metavar="DIR", required=required, help=f"write {files} into DIR. {_OUT_HELP}")


_COMPARE_DESCRIPTION = "\n\n".join(
    [
        "Simulate policies on common random numbers (the same seed: every path is the same world under "
        "each policy) and print, for each policy against the baseline, every output's mean under both and "
        "their paired difference (policy minus baseline) with its Monte Carlo standard error, in display "
        "units (PKR bn, GWh, hours, %); outputs that are the same on every path are counted, not shown.",
        f"Each POLICY is NAME=SCENARIO, SCENARIO being a TOML file, a preset or '{NO_ALLOCATION}'; a bare "
        f"SCENARIO is named after the preset or the file. '{NO_ALLOCATION}' is the counterfactual: the "
        f"first other policy's scenario (after --set) without the allocation ({', '.join(COUNTERFACTUAL)} "
        "set to zero; drivers, fleet, stresses and parameter uncertainty unchanged). A single policy (or "
        f"none: the {DEFAULT_PRESET} preset) is compared with '{NO_ALLOCATION}' automatically.",
        "What the counterfactual means: gridrisk's outputs are already the effects of the allocation (the "
        "state's NPV of the allocation, the increase in load-shedding it causes), so under "
        f"'{NO_ALLOCATION}' they are zero, the figures 'without the allocation' (lole_base_h_per_year...) "
        "are the same as the policy's, and a policy's difference against it is the policy's own effect. "
        f"The baseline is --baseline, else '{NO_ALLOCATION}' when it is one of the policies, else the first.",
    ]
)


class _Formatter(argparse.HelpFormatter):
    """Wraps each line of a description or epilog on its own, so that line breaks are kept."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        # A labelled line ("exit codes: ...", "outputs: ...") hangs under its label.
        return "\n".join(
            textwrap.fill(
                line,
                width,
                initial_indent=indent,
                subsequent_indent=indent + ("  " if re.match(r"[a-z][a-z ]*: ", line) else ""),
                break_on_hyphens=False,
            )
            if line
            else ""
            for line in text.splitlines()
        )


def _epilog(outputs: str) -> str:
    return f"{outputs}\n\n{_EXIT_CODES}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gridrisk",
        description=(
            "Monte Carlo fiscal and reliability risk of grid power for Bitcoin mining and AI data centres. "
            f"Every command that simulates takes a scenario (a TOML file or a preset; default {DEFAULT_PRESET}) "
            "and --set FIELD=VALUE overrides; tables are printed, and with --out DIR the files are written "
            "into DIR whole or not at all. 'gridrisk COMMAND --help' describes each command and what it prints."
        ),
        epilog=_EXIT_CODES,
        formatter_class=_Formatter,
    )
    p.add_argument("--version", action="version", version=f"gridrisk {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    scenario_help = (
        f"TOML scenario file or preset name (default: {DEFAULT_PRESET}; presets: {', '.join(presets())}; "
        "'gridrisk presets' describes them)"
    )
    run = sub.add_parser(
        "run",
        help="simulate a scenario and print a summary",
        description=(
            "Simulate a scenario and print, within 100 columns: the scenario (its label, overrides and "
            "uncertain parameters), the key findings in sentences, and the headline tables in PKR bn, GWh "
            "and hours, each mean with its Monte Carlo standard error (outcomes over the horizon with "
            "their 5 %, median and 95 %; the fiscal risk; flows by fiscal year; load-shedding by feeder "
            "class). With --out, the full tables (tables.txt), summary.json, per-path outputs, fan CSVs, "
            "figures and report.html are written too; the report says what drives the risk from a Sobol "
            "analysis of --sensitivity-paths paths per run."
        ),
        epilog=_epilog("outputs: summary.json, tables.txt, paths.parquet, fan_*.csv, *.png, report.html, results.zip"),
        formatter_class=_Formatter,
    )
    run.add_argument("scenario", nargs="?", help=scenario_help)
    _run_options(run, paths=100_000, paths_help="number of Monte Carlo paths (default 100000)")
    run.add_argument(
        "--target",
        dest="targets",
        type=_target,
        action="append",
        default=[],
        metavar="OUTPUT[:p_adverse]=SE",
        help="run until this standard error holds, with --paths as the budget (repeatable): "
        "npv_pkr=1%% (1 %% of the mean), npv_pkr=1e9 (PKR 1 bn), npv_pkr:p_adverse=0.005 (half a "
        "percentage point of P(worse)); the result is the fixed run of the paths it used",
    )
    run.add_argument(
        "--fans",
        metavar="all|METRIC[,METRIC...]",
        help="also keep the monthly quantiles of these metrics (or of all 117: 'all'); by default the "
        "headline ones are kept (gridrisk.HEADLINE_FANS), and every metric keeps its mean",
    )
    run.add_argument(
        "--sensitivity-paths",
        type=int,
        default=1_000,
        metavar="N",
        help="with --out: paths per run of the Sobol analysis the report uses to say what drives the NPV "
        "(default 1000; about a sixth of the main run's time at the default 100000 paths; 0 to leave it out)",
    )
    _out_option(run, "summary.json, per-path outputs, fan CSVs, plots, report.html and results.zip")

    cmp = sub.add_parser(
        "compare",
        help=f"run policies on common random numbers and print paired differences (one policy: against "
        f"{NO_ALLOCATION})",
        description=_COMPARE_DESCRIPTION,
        formatter_class=_Formatter,
        epilog=_epilog(
            f"example: gridrisk compare planned={DEFAULT_PRESET} --set simulation.horizon_months=60 --paths 2000\n"
            f"         gridrisk compare none={NO_ALLOCATION} planned={DEFAULT_PRESET} cheap=cheap.toml\n"
            "outputs: differences.csv/.json (every output: mean, se, 95 % interval, which sign is better; "
            "base units), summary.csv (each policy's statistics) and scenarios.csv (what each policy is)"
        ),
    )
    cmp.add_argument(
        "policies",
        nargs="*",
        metavar="NAME=SCENARIO",
        help=f"a policy: its name and a TOML file, a preset or {NO_ALLOCATION} (a bare SCENARIO is named after it)",
    )
    cmp.add_argument(
        "--baseline",
        metavar="NAME",
        help=f"the policy the others are compared with (default: {NO_ALLOCATION} if given, else the first)",
    )
    _run_options(cmp, paths=10_000, paths_help="paths per policy (default 10000)")
    _out_option(cmp, "differences.csv/.json, summary.csv and scenarios.csv")

    sw = sub.add_parser(
        "sweep",
        help="run a grid of policy parameters and print the risk/return frontier",
        description=(
            "Simulate every combination of the --grid values on common random numbers and print one row "
            "per combination: the swept values, the expected NPV to the state with its Monte Carlo "
            "standard error, P(NPV < 0), the VaR and CVaR 95 % of the NPV loss, the mean change in "
            "circular debt (PKR bn), the loss of load with the allocation (h/yr) and the months the "
            "miners run; then the risk/return frontier (no other combination has both a higher expected "
            "NPV and a lower CVaR). Columns that do not fit in 100 characters are left to sweep.csv."
        ),
        epilog=_epilog(
            "example: gridrisk sweep --grid datacenters.tariff[1].base_pkr_per_kwh=25,30,35 "
            "--grid allocation.datacenter_mw=0,500,1000\n"
            "outputs: sweep.csv/.json (every column, base units: PKR, probabilities as shares), "
            "frontier.csv and frontier.png"
        ),
        formatter_class=_Formatter,
    )
    sw.add_argument("scenario", nargs="?", help=scenario_help)
    sw.add_argument(
        "--grid",
        dest="grid",
        type=_grid_axis,
        action="append",
        required=True,
        metavar="FIELD=V1,V2,...",
        help="a swept field and its values (repeatable)",
    )
    _run_options(sw, paths=5_000, paths_help="paths per combination (default 5000)")
    _out_option(sw, "sweep.csv/.json, frontier.csv and frontier.png")

    sen = sub.add_parser(
        "sensitivity",
        help="Sobol indices of an output by driver and parameter group",
        description=(
            "First- and total-order Sobol indices by pick-freeze on the engine's random streams and on "
            "the scenario's groups of uncertain parameters: print the scenario, then one row per driver "
            "or parameter group with its first-order and total index and their 95 % bootstrap half-widths "
            "(the share of the output's variance each explains alone and with its interactions)."
        ),
        epilog=_epilog("outputs: sensitivity.csv/.json and sobol.png"),
        formatter_class=_Formatter,
    )
    sen.add_argument("scenario", nargs="?", help=scenario_help)
    sen.add_argument("--output", default="npv_pkr", help="per-path output to analyse (default npv_pkr)")
    _run_options(
        sen, paths=2_000, paths_help="paths per run; 2 + one run per driver and parameter group (default 2000)"
    )
    sen.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples for the CIs (default 200)")
    _out_option(sen, "sensitivity.csv/.json and sobol.png")

    rep = sub.add_parser(
        "report",
        help="write the files and HTML report of saved results",
        description=(
            "Read a results file written by Results.save or 'gridrisk run --out' and write the files of "
            "'gridrisk run --out' from it; nothing is simulated and nothing printed but the files written "
            "(on stderr). There is no --set: the results are those of the scenario they were simulated "
            "with (recorded in them, overrides included); to change a field, run the scenario again."
        ),
        epilog=_epilog("outputs: summary.json, per-path outputs, fan CSVs, plots, report.html and results.zip"),
        formatter_class=_Formatter,
    )
    rep.add_argument("results", help="results.zip")
    _out_option(rep, "the files of 'gridrisk run --out'", required=True)

    sub.add_parser(
        "presets",
        help="list the scenarios shipped with gridrisk",
        description=(
            "Print each preset's name and a one-line description (the first line of its TOML file). A "
            "preset is used by name wherever a scenario is expected (gridrisk run NAME); 'gridrisk preset "
            "export NAME FILE' writes its TOML to edit."
        ),
        epilog=_EXIT_CODES,
        formatter_class=_Formatter,
    )
    pre = sub.add_parser(
        "preset",
        help="export a preset's TOML file (with its calibration comments) to edit",
        description="Work with a shipped preset: 'gridrisk preset export NAME FILE'.",
        epilog=_EXIT_CODES,
        formatter_class=_Formatter,
    )
    pre_sub = pre.add_subparsers(dest="preset_command", metavar="ACTION", required=True)
    exp = pre_sub.add_parser(
        "export",
        help="write a preset's TOML file",
        description=(
            "Write the preset's TOML file as shipped, with every calibration comment and source, to FILE "
            "(written whole or not at all). An existing FILE is refused unless --force. Edit it and run "
            "it: gridrisk run FILE."
        ),
        epilog=_epilog(f"example: gridrisk preset export {DEFAULT_PRESET} my_scenario.toml"),
        formatter_class=_Formatter,
    )
    exp.add_argument("name", metavar="NAME", help=f"a preset: {', '.join(presets())}")
    exp.add_argument("file", metavar="FILE", help="the TOML file to write")
    exp.add_argument("--force", action="store_true", help="replace FILE if it exists")
    return p


def _grid_axis(text: str) -> tuple[str, list[Any]]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip() or not raw.strip():
        raise argparse.ArgumentTypeError(
            f"expected FIELD=V1,V2,... (e.g. mining.tariff[1].base_pkr_per_kwh=20,30), got {text!r}"
        )
    return key.strip(), [_override(f"x={v}")[1] for v in raw.split(",")]


def _load(arg: str | None, overrides: Sequence[tuple[str, Any]] = ()) -> Scenario:
    """The scenario named on the command line (a preset or a TOML file), with ``--set`` applied."""
    if arg is None:
        sc = Scenario.preset(DEFAULT_PRESET)
    elif arg in presets():
        sc = Scenario.preset(arg)
    elif os.path.exists(arg) or Path(arg).suffix or os.sep in arg or (os.altsep is not None and os.altsep in arg):
        sc = Scenario.from_toml(arg)
    elif arg == NO_ALLOCATION:
        raise ArgumentError(
            f"{NO_ALLOCATION!r} is the counterfactual of 'gridrisk compare' (a policy's scenario without "
            f"the allocation), not a scenario to run on its own: its outputs are all zero"
        )
    else:
        hint = close_match(arg, presets())
        did = f"; did you mean the preset {hint!r}?" if hint is not None else ""
        raise ArgumentError(
            f"{arg!r} is neither a scenario file nor a preset{did} "
            f"(presets: {', '.join(presets())}, described by 'gridrisk presets'; a scenario file is a path "
            "such as my_scenario.toml)"
        )
    return sc.replace(dict(overrides)) if overrides else sc


def _print_scenario(sc: Scenario, name: str = "Scenario") -> None:
    """The scenario's label and, one a line, its overrides of the preset or file."""
    print(f"{name}: {sc.label}")
    for field, old, new in sc.overrides:
        print(textwrap.fill(f"{field}: {short_repr(old)} -> {short_repr(new)}", WIDTH, initial_indent="  "))
    u = sc.uncertain
    if len(u):
        groups = list(dict.fromkeys(u["group"]))
        print(
            f"  uncertain parameters (each path draws its own; Scenario.uncertain): {len(u)} fields"
            f" in {len(groups)} groups"
        )
        for g in groups:
            rows = u[u["group"] == g]
            first = rows.iloc[0]
            more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
            lo, hi = format_short(float(first["low"])), format_short(float(first["high"]))
            line = f"{g}: {rows.index[0]}{more}, {str(first['dist']).replace('_', ' ')} on [{lo}, {hi}]"
            print(textwrap.fill(line, WIDTH, initial_indent="    ", subsequent_indent="      "))


@contextlib.contextmanager
def _output(arg: str | None) -> Iterator[OutputFolder | None]:
    """The ``--out`` folder, checked (and its staging folder made) before anything runs."""
    if arg is None:
        yield None
        return
    with OutputFolder(arg) as out:
        out.prepare()
        yield out


def _write(out: OutputFolder, facts: dict[str, Any], write: Callable[[Path], list[Path]]) -> None:
    """Write the files into the staging folder, then swap it in and say what was written."""
    try:
        files = write(out.staging)
        final = out.commit(files, facts)
    except OSError as e:
        raise _WriteFailed(f"could not write the output folder {out.shown}: {e}") from e
    for path in final:
        print(f"wrote {Path(out.shown) / path.name}", file=sys.stderr)


def _facts(args: argparse.Namespace, argv: Sequence[str], **extra: Any) -> dict[str, Any]:
    """What names the run every output file belongs to (for the manifest)."""
    return {
        "command": ["gridrisk", *argv],
        "gridrisk_version": __version__,
        "finished_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "seed": getattr(args, "seed", None),
        "paths": getattr(args, "paths", None),
        **extra,
    }


def _fans(text: str | None) -> str | list[str] | None:
    """``--fans``: ``all``, or metric names separated by commas."""
    if text is None or text.strip() == "all":
        return None if text is None else "all"
    return [m.strip() for m in text.split(",") if m.strip()]


def _run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sc = _load(args.scenario, args.overrides)
    sens_paths = args.sensitivity_paths
    if sens_paths != 0 and not 2 <= sens_paths <= 10**7:
        raise ArgumentError(f"--sensitivity-paths must be 0 or a whole number in [2, 10000000], got {sens_paths}")
    with _output(args.out) as out:
        target: dict[str, dict[str, Any]] = {}
        for output, stat, value in args.targets:
            target.setdefault(output, {})[stat] = value
        res = simulate(
            sc,
            paths=args.paths,
            seed=args.seed,
            threads=args.threads,
            keep_outputs=out is not None,
            progress=_progress_of(args),
            target=target or None,
            fans=_fans(args.fans),
        )
        _print_scenario(sc)
        drawn = len(sc.uncertain_fields)
        facts = (
            f"{res.paths:,} paths, seed {res.seed}, {res.stats.months} months from {res.months[0]}, "
            f"{res.wall_time_s:,.1f} s" + (f"; {drawn} uncertain parameters drawn per path" if drawn else "")
        )
        if target:
            parsed = precision.parse_targets(target, res.outputs, ADVERSE_FROM_ZERO)
            missed = " (the budget ran out first: see the warning)" if precision.unmet(res, parsed) else ""
            facts += f", run to the targets {'; '.join(str(t) for t in parsed)}{missed}"
        print(textwrap.fill(f"Simulated {facts}.", WIDTH))
        print("\nKey findings (each ± is a Monte Carlo standard error):")
        for f in key_findings(res):
            print(
                textwrap.fill(f"{f.topic.capitalize()}. {f.text}", WIDTH, initial_indent="- ", subsequent_indent="  ")
            )
        tables = [res.tables.summary(), res.tables.risk()]
        if res.fiscal_years:
            tables.append(res.tables.fiscal_years())
        tables.append(res.tables.shedding())
        for table in tables:
            print("\n" + table.to_text(width=WIDTH))
        more = "tables.txt and report.html in the --out folder" if out is not None else "gridrisk run ... --out DIR"
        print(f"\nEvery output, by cause, by fiscal year and given what arrived: {more}.")
        sys.stdout.flush()
        if out is not None:
            sen = None
            if sens_paths:
                print(f"What drives the NPV: a Sobol analysis of {sens_paths:_} paths per run...", file=sys.stderr)
                sen = sensitivity(
                    sc, "npv_pkr", paths=sens_paths, seed=args.seed, threads=args.threads, progress=_progress_of(args)
                )
            _write(out, _facts(args, argv, scenario=sc.label), lambda d: write_outputs(res, d, sensitivity=sen))
    return 0


def _policies(
    items: Sequence[str], overrides: Sequence[tuple[str, Any]]
) -> tuple[list[tuple[str, Scenario]], str | None]:
    """The named policies of ``compare``, with ``no-allocation`` resolved and added when alone.

    ``--set`` applies to every policy, the counterfactual included (it is derived from the first
    other policy's scenario after the overrides). Also returns the name of the first policy that
    is the counterfactual, if any.
    """
    named: list[tuple[str, str]] = []
    for item in items or [DEFAULT_PRESET]:
        name, sep, where = item.partition("=")
        if not sep:
            where = item
            name = item if item == NO_ALLOCATION or item in presets() else Path(item).stem
        if not name or not where:
            raise ArgumentError(f"expected NAME=SCENARIO (or a bare SCENARIO), got {item!r}")
        named.append((name, where))
    if len(named) == 1 and named[0][1] != NO_ALLOCATION:
        named.append((NO_ALLOCATION, NO_ALLOCATION))
    loaded = {i: _load(where, overrides) for i, (_, where) in enumerate(named) if where != NO_ALLOCATION}
    basis = next(iter(loaded.values()), None) or _load(None, overrides)
    counterfactual = basis.counterfactual()
    first = next((name for name, where in named if where == NO_ALLOCATION), None)
    return [(name, loaded.get(i, counterfactual)) for i, (name, _) in enumerate(named)], first


#: Most decimals the tables of compare print; a difference that rounds to zero at this precision
#: (with twice its error) is counted with the outputs that do not change.
_DECIMALS = 6


def _pm(value: float, err: float) -> str:
    """``format_pm`` with at most :data:`_DECIMALS` decimals."""
    d = round_to_error(err)
    return format_pm(value, err, min(d, _DECIMALS) if d >= 0 else None)


def _difference_table(cmp: Comparison, name: str, baseline: str) -> tuple[str, int]:
    """The printed table of ``name`` against ``baseline`` and how many outputs it leaves out.

    An output is left out when the two policies agree on every path to a millionth of its display
    unit, or its mean difference and twice its error are below that: the world's own figures
    (load without the allocation, prices) and, against the counterfactual, the outputs the
    policy does not move.
    """
    res, base = cmp.results[name], cmp.results[baseline]
    diff = cmp.differences(baseline)
    s, b = res.summary(), base.summary()
    tiny = 0.5 * 10.0**-_DECIMALS
    rows = []
    same = 0
    for out in res.outputs:
        _, f = _unit(res, out)
        d = diff.loc[(name, out)]
        a, z = res.path_output(out) * f, base.path_output(out) * f
        if np.allclose(a, z, rtol=0.0, atol=tiny, equal_nan=True) or abs(d["mean"] * f) + 2 * d["se"] * f < tiny:
            same += 1
            continue
        rows.append(
            [
                _label(res, out),
                _pm(s.loc[out, "mean"] * f, s.loc[out, "se"] * f),
                _pm(b.loc[out, "mean"] * f, b.loc[out, "se"] * f),
                _pm(d["mean"] * f, d["se"] * f),
                str(d["better"]),
            ]
        )
    columns = ["output (unit)", name, baseline, "difference", "better"]
    return text_table(columns, rows, wrap=16, width=WIDTH), same


def _compare(args: argparse.Namespace, argv: Sequence[str]) -> int:
    policies, counterfactual = _policies(args.policies, args.overrides)
    names = [name for name, _ in policies]
    if args.baseline is not None:
        baseline = args.baseline
        if baseline not in names:
            raise ArgumentError(f"--baseline {baseline!r} is not a policy; policies: {', '.join(names)}")
    else:
        baseline = counterfactual if counterfactual is not None else names[0]
    with _output(args.out) as out:
        cmp = compare(policies, paths=args.paths, seed=args.seed, threads=args.threads, progress=_progress_of(args))
        diff = cmp.differences(baseline)
        print(f"Policies ({args.paths:_} paths each, seed {args.seed}, the same paths for every policy):")
        for name, sc in policies:
            role = " (baseline)" if name == baseline else ""
            print(f"  {name}{role}: {sc.label}")
            for field, old, new in sc.overrides:
                print(f"    {field}: {short_repr(old)} -> {short_repr(new)}")
        for name in names:
            if name == baseline:
                continue
            table, same = _difference_table(cmp, name, baseline)
            intro = (
                f"{name} against {baseline}: means over paths and the paired difference ({name} {MINUS} "
                f"{baseline}), each \u00b1 its Monte Carlo standard error; 'better': the sign that is good "
                "for the state."
            )
            print("\n" + textwrap.fill(intro, WIDTH))
            print(table)
            if same:
                note = (
                    f"({same} outputs are the same under both policies, on every path or to "
                    f"{format_number(10.0**-_DECIMALS, _DECIMALS)} of their unit, and are not shown.)"
                )
                print(textwrap.fill(note, WIDTH))
        sys.stdout.flush()
        if out is not None:

            def write(d: Path) -> list[Path]:
                return [
                    atomic_write(d / "differences.csv", diff.to_csv()),
                    atomic_write(d / "differences.json", diff.reset_index().to_json(orient="records", indent=2)),
                    atomic_write(d / "summary.csv", cmp.summary().to_csv()),
                    atomic_write(d / "scenarios.csv", cmp.scenarios.to_csv()),
                    atomic_write(d / "report.html", comparison_report(cmp)),
                ]

            facts = _facts(args, argv, policies=dict(cmp.scenarios["label"]), baseline=baseline)
            _write(out, facts, write)
    return 0


def _sweep(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sc = _load(args.scenario, args.overrides)
    with _output(args.out) as out:
        sw = sweep(
            sc, dict(args.grid), paths=args.paths, seed=args.seed, threads=args.threads, progress=_progress_of(args)
        )
        _print_scenario(sc, "Base scenario")
        print(f"\n{len(sw.table)} combinations ({args.paths:_} paths each, seed {args.seed}, the same paths for each):")
        print(_sweep_table(sw, sw.table.index))
        print("\nRisk/return frontier (no other combination has a higher expected NPV and a lower CVaR):")
        print(_sweep_table(sw, sw.frontier.index))
        note = _inert_note(sw)
        if note:
            print("\n" + textwrap.fill(note, WIDTH))
        sys.stdout.flush()
        if out is not None:

            def write(d: Path) -> list[Path]:
                files = [
                    atomic_write(d / "sweep.csv", sw.table.to_csv(index=False)),
                    atomic_write(d / "sweep.json", sw.table.to_json(orient="records", indent=2)),
                    atomic_write(d / "frontier.csv", sw.frontier.to_csv(index=False)),
                ]
                files.append(atomic_write(d / "frontier.png", _png(lambda ax: plot.frontier(sw, ax=ax))))
                page = sweep_report(sw, scenario=sc, seed=args.seed, paths=args.paths)
                files.append(atomic_write(d / "report.html", page))
                return files

            _write(out, _facts(args, argv, scenario=sc.label, grid=dict(args.grid)), write)
    return 0


#: Sweep columns left out, in this order, while the printed table is wider than :data:`WIDTH`.
_SWEEP_OPTIONAL = ("npv_loss_var95", "miner_uptime_share", "lole_with_h_per_year", "on_frontier")


def _sweep_table(sw: Sweep, rows: pd.Index) -> str:
    """The sweep's rows as text within :data:`WIDTH` characters when the columns allow it."""
    columns = list(SWEEP_COLUMNS)
    for drop in (None, *_SWEEP_OPTIONAL):
        if drop is not None:
            columns.remove(drop)
        shown = sw.display(columns).loc[rows]
        table = text_table(list(shown.columns), shown.to_numpy().tolist(), left=0, wrap=10)
        if max(len(line) for line in table.splitlines()) <= WIDTH:
            break
    return table


def _sensitivity(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sc = _load(args.scenario, args.overrides)
    with _output(args.out) as out:
        s = sensitivity(
            sc,
            args.output,
            paths=args.paths,
            seed=args.seed,
            bootstrap=args.bootstrap,
            threads=args.threads,
            progress=_progress_of(args),
        )
        _print_scenario(sc)
        print("\n" + s.table().to_text(width=WIDTH))
        sys.stdout.flush()
        if out is not None:

            def write(d: Path) -> list[Path]:
                files = [
                    atomic_write(d / "sensitivity.csv", s.indices.to_csv()),
                    atomic_write(d / "sensitivity.json", s.indices.reset_index().to_json(orient="records", indent=2)),
                ]
                files.append(atomic_write(d / "sobol.png", _png(s.plot)))
                files.append(atomic_write(d / "report.html", sensitivity_report(s, sc)))
                return files

            _write(out, _facts(args, argv, scenario=sc.label, output=s.output), write)
    return 0


def _report(args: argparse.Namespace, argv: Sequence[str]) -> int:
    with _output(args.out) as out:
        assert out is not None  # --out is required
        res = load(args.results)
        _write(
            out,
            _facts(args, argv, scenario=res.scenario.label, seed=res.seed, paths=res.paths),
            lambda d: write_outputs(res, d),
        )
    return 0


def _preset_description(name: str) -> str:
    """A preset's one-line description: its file's first comment line, else its meta.description."""
    for line in _preset_text(name).splitlines():
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            words = text.lstrip("#").strip()
            if words:
                return words
            continue
        break
    description = str(Scenario.preset(name)["meta"].get("description", ""))
    first = " ".join(description.split()).split(". ")[0]
    return first if len(first) <= 90 else first[:89] + "\u2026"


def _presets(args: argparse.Namespace, argv: Sequence[str]) -> int:
    names = presets()
    width = max(len(n) for n in names)
    print(f"Presets shipped with gridrisk {__version__} (use one by name: gridrisk run NAME):")
    for name in names:
        sc = Scenario.preset(name)
        print(f"  {name.ljust(width)}  {_preset_description(name)}")
        print(
            f"  {' ' * width}  {sc.months} months from {sc['simulation.start']}; allocation "
            f"{sc['allocation.mining_mw']:,.0f} MW mining + {sc['allocation.datacenter_mw']:,.0f} MW data centres"
        )
    print("Its TOML file with every calibration comment: gridrisk preset export NAME FILE")
    return 0


def _preset_export(args: argparse.Namespace, argv: Sequence[str]) -> int:
    name = choice("preset", args.name, presets())
    target = Path(args.file)
    if target.is_dir():
        raise ArgumentError(f"{args.file} is a folder; give the file to write, e.g. {target / (name + '.toml')}")
    if not target.parent.is_dir():
        raise ArgumentError(f"cannot write {args.file}: the folder {target.parent} does not exist (create it first)")
    if target.exists() and not args.force:
        raise ArgumentError(f"{args.file} exists; use --force to replace it")
    try:
        # Without --force the write itself refuses a file that appeared since the check.
        atomic_write(target, _preset_text(name), replace=args.force)
    except FileExistsError:
        raise ArgumentError(f"{args.file} exists; use --force to replace it") from None
    except OSError as e:
        raise _WriteFailed(f"could not write {args.file}: {e}") from e
    print(f"wrote {args.file} (the preset {name!r} as shipped; run it with: gridrisk run {args.file})", file=sys.stderr)
    return 0


def _error(message: str, notes: Sequence[str] = ()) -> None:
    print(f"gridrisk: error: {message}", file=sys.stderr)
    for note in notes:
        print(f"gridrisk: {note}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gridrisk`` command; returns the exit code.

    Exit codes: 0 success, 1 the output folder could not be written (nothing half-written is
    left), 2 invalid input (a message, no traceback), 3 internal error (a bug in gridrisk, with
    a request to report it), 4 out of memory, 130 interrupted by Ctrl-C (at any point,
    including while plots and files are written), 141 the reader of stdout stopped reading (the
    command otherwise ran to its end, ``--out`` files included).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[argparse.Namespace, Sequence[str]], int]] = {
        "run": _run,
        "compare": _compare,
        "sweep": _sweep,
        "sensitivity": _sensitivity,
        "report": _report,
        "presets": _presets,
        "preset": _preset_export,
    }
    # A long run with no terminal to draw on logs its estimated finish (gridrisk._progress): the
    # command shows those lines on stderr unless the caller configured the logger itself.
    logger = logging.getLogger("gridrisk")
    handler = None
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("gridrisk: %(message)s"))
        logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    stdout = sys.stdout = _Stdout(sys.stdout)
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_INVALID
        code = commands[args.command](args, argv)
        sys.stdout.flush()
        return EXIT_PIPE_CLOSED if stdout.reader_gone and code == 0 else code
    except BrokenPipeError:  # written around sys.stdout (its buffer): the same as through it
        stdout._gone()
        return EXIT_PIPE_CLOSED
    except KeyboardInterrupt:
        print("gridrisk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _WriteFailed as e:
        _error(str(e), ["the output was left as it was before the command"])
        return EXIT_WRITE_FAILED
    except InternalError as e:  # before GridRiskError: a bug, not the user's input
        _error(f"internal error (a bug in gridrisk; please report it): {e}", getattr(e, "__notes__", []))
        return EXIT_INTERNAL
    except MemoryError as e:
        detail = f": {e}" if str(e) else ""
        _error(
            f"out of memory{detail}",
            ["use fewer paths (--paths), a shorter horizon or fewer threads (--threads)"],
        )
        return EXIT_MEMORY
    except (GridRiskError, OSError) as e:
        _error(str(e), getattr(e, "__notes__", []))
        return EXIT_INVALID
    finally:
        sys.stdout = stdout.stream
        logger.setLevel(level)
        if handler is not None:
            logger.removeHandler(handler)
