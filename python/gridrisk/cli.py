"""The ``gridrisk`` command line.

``gridrisk run`` simulates a scenario (the embedded ``pakistan-2000mw`` preset unless a TOML
file is given) and prints a summary; ``compare`` runs policies on common random numbers;
``sweep`` runs a grid of policy parameters; ``sensitivity`` gives Sobol indices by driver
group; ``report`` turns saved results into files. Tables are printed first; with ``--out DIR``
the files are then written into a staging folder next to DIR and swapped in whole.

Exit codes: 0 success; 1 the output could not be written (DIR is left as it was); 2 invalid
input (a message, no traceback); 3 internal error (a bug in gridrisk: please report it); 4 out
of memory; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import logging
import os
import sys
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gridrisk import __version__, plot
from gridrisk._files import OutputFolder, atomic_write
from gridrisk._validate import close_match, short_repr
from gridrisk.compare import compare, sweep
from gridrisk.errors import ArgumentError, GridRiskError, InternalError
from gridrisk.io import load
from gridrisk.report import _png, write_outputs
from gridrisk.scenario import Scenario, presets
from gridrisk.sensitivity import sensitivity
from gridrisk.simulation import simulate

DEFAULT_PRESET = "pakistan-2000mw"
EXIT_WRITE_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_MEMORY = 4
EXIT_INTERRUPTED = 130

_EXIT_CODES = (
    "exit codes: 0 success; 1 the output could not be written (DIR is left as it was); 2 invalid input; "
    "3 internal error (a bug in gridrisk: please report it); 4 out of memory; 130 interrupted"
)

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


def _run_options(p: argparse.ArgumentParser, *, paths: int, paths_help: str) -> None:
    """The options every simulating command shares: paths, seed, threads, overrides."""
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


def _out_option(p: argparse.ArgumentParser, files: str, *, required: bool = False) -> None:
    p.add_argument("--out", metavar="DIR", required=required, help=f"write {files} into DIR. {_OUT_HELP}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gridrisk", description=__doc__.split("\n\n")[0] if __doc__ else None, epilog=_EXIT_CODES
    )
    p.add_argument("--version", action="version", version=f"gridrisk {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    scenario_help = f"TOML scenario file or preset name (default: {DEFAULT_PRESET}; presets: {', '.join(presets())})"
    run = sub.add_parser(
        "run",
        help="simulate a scenario and print a summary",
        description=(
            "Simulate a scenario and print the scenario (its label and overrides), the summary of the "
            "per-path outputs over the horizon (means with their Monte Carlo standard errors, quantiles, "
            "adverse-tail risk), the fiscal risk, and a snapshot of every driver and grid metric in the "
            "last month; then, with --out, write the files."
        ),
        epilog=_EXIT_CODES,
    )
    run.add_argument("scenario", nargs="?", help=scenario_help)
    _run_options(run, paths=100_000, paths_help="number of Monte Carlo paths (default 100000)")
    run.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress line in a terminal, and no estimated finish time on stderr in a batch job",
    )
    _out_option(run, "summary.json, per-path outputs, fan CSVs, plots, report.html and results.zip")

    cmp = sub.add_parser(
        "compare",
        help="run policies on common random numbers and print paired differences",
        description="Each POLICY is NAME=SCENARIO (a TOML file or preset); the first is the baseline.",
    )
    cmp.add_argument("policies", nargs="+", metavar="NAME=SCENARIO")
    _run_options(cmp, paths=10_000, paths_help="paths per policy (default 10000)")
    _out_option(cmp, "differences.csv/.json, summary.csv and scenarios.csv")

    sw = sub.add_parser("sweep", help="run a grid of policy parameters and print the risk/return frontier")
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
            "the scenario's groups of uncertain parameters."
        ),
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
        description="Reads a results file written by Results.save or 'gridrisk run --out'.",
    )
    rep.add_argument("results", help="results.zip")
    _out_option(rep, "the files of 'gridrisk run --out'", required=True)
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
    else:
        hint = close_match(arg, presets())
        did = f"; did you mean the preset {hint!r}?" if hint is not None else ""
        raise ArgumentError(
            f"{arg!r} is neither a scenario file nor a preset{did} "
            f"(presets: {', '.join(presets())}; a scenario file is a path such as my_scenario.toml)"
        )
    return sc.replace(dict(overrides)) if overrides else sc


def _print_scenario(sc: Scenario, name: str = "Scenario") -> None:
    """The scenario's label and, one a line, its overrides of the preset or file."""
    print(f"{name}: {sc.label}")
    for field, old, new in sc.overrides:
        print(f"  {field}: {short_repr(old)} -> {short_repr(new)}")
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
            print(f"    {g}: {rows.index[0]}{more}, {first['dist']} on [{first['low']:.6g}, {first['high']:.6g}]")


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


def _run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sc = _load(args.scenario, args.overrides)
    with _output(args.out) as out:
        res = simulate(
            sc,
            paths=args.paths,
            seed=args.seed,
            threads=args.threads,
            keep_outputs=out is not None,
            progress=False if args.no_progress else None,
        )
        _print_scenario(sc)
        with pd.option_context(
            "display.width", 160, "display.max_columns", 20, "display.float_format", "{:,.4g}".format
        ):
            print(res)
            print("\nPer-path outputs over the horizon (definitions: docs/model.md section 8.5):")
            print(res.summary().to_string())
            print("\nFiscal risk (NPV loss = minus the net present value; circular debt on its high tail):")
            print(res.risk().to_string())
            print("\nLoad-shedding of the existing consumers by feeder class, without and with the allocation:")
            print(res.shedding().to_string())
            print("\nTheir shed energy by cause (GWh/yr) and what the feeder rules' shedding saves the power sector:")
            print(res.shedding_by_cause().to_string())
            print(res.shedding_accounts().to_string())
            print("\nThe new loads by fiscal year: what arrived, the capital it brought and the miners' bad debt:")
            print(res.new_loads().to_string())
            print("\nGiven what arrived (each row: the paths that meet the condition):")
            print(res.given_summary().to_string())
            print(f"\nDrivers and grid in the last month ({res.months[-1]}):")
            print(res.snapshot().to_string())
        sys.stdout.flush()
        if out is not None:
            _write(out, _facts(args, argv, scenario=sc.label), lambda d: write_outputs(res, d))
    return 0


def _policies(items: Sequence[str], overrides: Sequence[tuple[str, Any]]) -> list[tuple[str, Scenario]]:
    policies = []
    for item in items:
        name, sep, where = item.partition("=")
        if not sep or not name or not where:
            raise ArgumentError(f"expected NAME=SCENARIO, got {item!r}")
        policies.append((name, _load(where, overrides)))
    return policies


def _compare(args: argparse.Namespace, argv: Sequence[str]) -> int:
    policies = _policies(args.policies, args.overrides)
    with _output(args.out) as out:
        cmp = compare(policies, paths=args.paths, seed=args.seed, threads=args.threads, progress=False)
        diff = cmp.differences()
        with pd.option_context("display.width", 160, "display.float_format", "{:,.4g}".format):
            print("Policies:")
            print(cmp.scenarios.to_string())
            print(f"\nPaired differences against {cmp.baseline!r} ({args.paths:_} paths, seed {args.seed}):")
            print(diff.to_string())
        sys.stdout.flush()
        if out is not None:

            def write(d: Path) -> list[Path]:
                return [
                    atomic_write(d / "differences.csv", diff.to_csv()),
                    atomic_write(d / "differences.json", diff.reset_index().to_json(orient="records", indent=2)),
                    atomic_write(d / "summary.csv", cmp.summary().to_csv()),
                    atomic_write(d / "scenarios.csv", cmp.scenarios.to_csv()),
                ]

            _write(out, _facts(args, argv, policies=dict(cmp.scenarios["label"])), write)
    return 0


def _sweep(args: argparse.Namespace, argv: Sequence[str]) -> int:
    sc = _load(args.scenario, args.overrides)
    with _output(args.out) as out:
        sw = sweep(sc, dict(args.grid), paths=args.paths, seed=args.seed, threads=args.threads)
        _print_scenario(sc, "Base scenario")
        with pd.option_context("display.width", 160, "display.float_format", "{:,.4g}".format):
            print(sw.table.to_string(index=False))
            print("\nRisk/return frontier (expected NPV against CVaR 95 % of the NPV loss):")
            print(sw.frontier.to_string(index=False))
        sys.stdout.flush()
        if out is not None:

            def write(d: Path) -> list[Path]:
                files = [
                    atomic_write(d / "sweep.csv", sw.table.to_csv(index=False)),
                    atomic_write(d / "sweep.json", sw.table.to_json(orient="records", indent=2)),
                    atomic_write(d / "frontier.csv", sw.frontier.to_csv(index=False)),
                ]
                png = _png(lambda ax: plot.frontier(sw, ax=ax))
                if png is not None:
                    files.append(atomic_write(d / "frontier.png", png))
                return files

            _write(out, _facts(args, argv, scenario=sc.label, grid=dict(args.grid)), write)
    return 0


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
        )
        _print_scenario(sc)
        with pd.option_context("display.float_format", "{:,.3f}".format):
            print(
                f"Sobol indices of {s.output} ({args.paths:_} paths a run, seed {args.seed}; *_ci = 95 % half-width):"
            )
            print(s.indices.to_string())
        sys.stdout.flush()
        if out is not None:

            def write(d: Path) -> list[Path]:
                files = [
                    atomic_write(d / "sensitivity.csv", s.indices.to_csv()),
                    atomic_write(d / "sensitivity.json", s.indices.reset_index().to_json(orient="records", indent=2)),
                ]
                png = _png(s.plot)
                if png is not None:
                    files.append(atomic_write(d / "sobol.png", png))
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


def _error(message: str, notes: Sequence[str] = ()) -> None:
    print(f"gridrisk: error: {message}", file=sys.stderr)
    for note in notes:
        print(f"gridrisk: {note}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gridrisk`` command; returns the exit code.

    Exit codes: 0 success, 1 the output folder could not be written (nothing half-written is
    left), 2 invalid input (a message, no traceback), 3 internal error (a bug in gridrisk, with
    a request to report it), 4 out of memory, 130 interrupted by Ctrl-C (at any point,
    including while plots and files are written).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[argparse.Namespace, Sequence[str]], int]] = {
        "run": _run,
        "compare": _compare,
        "sweep": _sweep,
        "sensitivity": _sensitivity,
        "report": _report,
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
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_INVALID
        return commands[args.command](args, argv)
    except KeyboardInterrupt:
        print("gridrisk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _WriteFailed as e:
        _error(str(e), ["the output folder was left as it was before the command"])
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
        logger.setLevel(level)
        if handler is not None:
            logger.removeHandler(handler)
