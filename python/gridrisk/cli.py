"""The ``gridrisk`` command line.

``gridrisk run`` simulates a scenario (the embedded ``pakistan-2000mw`` preset unless a TOML
file is given) and prints a summary; ``compare`` runs policies on common random numbers;
``sweep`` runs a grid of policy parameters; ``sensitivity`` gives Sobol indices by driver
group; ``report`` turns saved results into files. With
``--out DIR`` every command writes its files atomically. Exit codes: 0 success, 2 invalid input,
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from gridrisk import __version__, plot
from gridrisk._files import atomic_write
from gridrisk.compare import compare, sweep
from gridrisk.errors import GridRiskError
from gridrisk.io import load
from gridrisk.report import _png, write_outputs
from gridrisk.scenario import Scenario, presets
from gridrisk.sensitivity import sensitivity
from gridrisk.simulation import simulate

DEFAULT_PRESET = "pakistan-2000mw"
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130


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
    """The options every simulating command shares: paths, seed, threads."""
    p.add_argument("--paths", type=int, default=paths, help=paths_help)
    p.add_argument("--seed", type=int, default=7, help="master seed, shared by every run of the command (default 7)")
    p.add_argument(
        "--threads", type=int, default=None, help="worker threads (default: all cores or GRIDRISK_NUM_THREADS)"
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gridrisk", description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--version", action="version", version=f"gridrisk {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser(
        "run",
        help="simulate a scenario and print a summary",
        description=(
            "Simulate a scenario and print, for the last month, each driver's mean with its Monte Carlo "
            "standard error and its 5/50/95 % quantiles."
        ),
    )
    run.add_argument(
        "scenario",
        nargs="?",
        help=f"TOML scenario file or preset name (default: {DEFAULT_PRESET}; presets: {', '.join(presets())})",
    )
    _run_options(run, paths=100_000, paths_help="number of Monte Carlo paths (default 100000)")
    run.add_argument(
        "--set",
        dest="overrides",
        type=_override,
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a scenario field, e.g. --set bitcoin.vol_annual=0.8 (repeatable)",
    )
    run.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    run.add_argument(
        "--out", metavar="DIR", help="write summary.json, per-path outputs, fan CSVs, plots and report.html into DIR"
    )

    cmp = sub.add_parser(
        "compare",
        help="run policies on common random numbers and print paired differences",
        description="Each POLICY is NAME=SCENARIO (a TOML file or preset); the first is the baseline.",
    )
    cmp.add_argument("policies", nargs="+", metavar="NAME=SCENARIO")
    _run_options(cmp, paths=10_000, paths_help="paths per policy (default 10000)")
    cmp.add_argument("--out", metavar="DIR", help="write differences.csv/.json and summary.csv into DIR")

    sw = sub.add_parser("sweep", help="run a grid of policy parameters and print the risk/return frontier")
    sw.add_argument("scenario", nargs="?", help=f"TOML scenario file or preset name (default: {DEFAULT_PRESET})")
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
    sw.add_argument("--out", metavar="DIR", help="write sweep.csv/.json, frontier.csv and frontier.png into DIR")

    sen = sub.add_parser(
        "sensitivity",
        help="Sobol indices of an output by driver group",
        description="First- and total-order Sobol indices by pick-freeze on the engine's random streams.",
    )
    sen.add_argument("scenario", nargs="?", help=f"TOML scenario file or preset name (default: {DEFAULT_PRESET})")
    sen.add_argument("--output", default="npv_pkr", help="per-path output to analyse (default npv_pkr)")
    _run_options(sen, paths=2_000, paths_help="paths per run; 2 + 7 groups runs (default 2000)")
    sen.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples for the CIs (default 200)")
    sen.add_argument("--out", metavar="DIR", help="write sensitivity.csv/.json and sobol.png into DIR")

    rep = sub.add_parser(
        "report",
        help="write the files and HTML report of saved results",
        description="Reads a results file written by Results.save or 'gridrisk run --out'.",
    )
    rep.add_argument("results", help="results.zip")
    rep.add_argument("--out", metavar="DIR", required=True, help="output directory")
    return p


def _grid_axis(text: str) -> tuple[str, list[Any]]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip() or not raw.strip():
        raise argparse.ArgumentTypeError(
            f"expected FIELD=V1,V2,... (e.g. mining.tariff_pkr_per_kwh=20,30), got {text!r}"
        )
    return key.strip(), [_override(f"x={v}")[1] for v in raw.split(",")]


def _load(arg: str | None) -> Scenario:
    if arg is None:
        return Scenario.preset(DEFAULT_PRESET)
    if arg in presets():
        return Scenario.preset(arg)
    return Scenario.from_toml(arg)


def _run(args: argparse.Namespace) -> int:
    sc = _load(args.scenario)
    if args.overrides:
        sc = sc.replace(dict(args.overrides))
    res = simulate(
        sc,
        paths=args.paths,
        seed=args.seed,
        threads=args.threads,
        keep_outputs=args.out is not None,
        progress=False if args.no_progress else None,
    )
    if args.out is not None:
        for path in write_outputs(res, args.out):
            print(f"wrote {path}", file=sys.stderr)
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:,.4g}".format):
        print(res)
        print("\nPer-path outputs over the horizon (definitions: docs/model.md section 8.5):")
        print(res.summary().to_string())
        print("\nFiscal risk (loss = minus the net present value):")
        print(res.risk().to_string())
        print(f"\nDrivers and grid in the last month ({res.months[-1]}):")
        print(res.snapshot().to_string())
    return 0


def _compare(args: argparse.Namespace) -> int:
    policies = {}
    for item in args.policies:
        name, sep, where = item.partition("=")
        if not sep or not name or not where:
            raise GridRiskError(f"expected NAME=SCENARIO, got {item!r}")
        policies[name] = _load(where)
    cmp = compare(policies, paths=args.paths, seed=args.seed, threads=args.threads, progress=False)
    diff = cmp.differences()
    with pd.option_context("display.width", 160, "display.float_format", "{:,.4g}".format):
        print(f"Paired differences against {cmp.baseline!r} ({args.paths:_} paths, seed {args.seed}):")
        print(diff.to_string())
    if args.out is not None:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(out / "differences.csv", diff.to_csv())
        atomic_write(out / "differences.json", diff.reset_index().to_json(orient="records", indent=2))
        atomic_write(out / "summary.csv", cmp.summary().to_csv())
    return 0


def _sweep(args: argparse.Namespace) -> int:
    sw = sweep(_load(args.scenario), dict(args.grid), paths=args.paths, seed=args.seed, threads=args.threads)
    with pd.option_context("display.width", 160, "display.float_format", "{:,.4g}".format):
        print(sw.table.to_string(index=False))
        print("\nRisk/return frontier (expected NPV against CVaR 95 % of the NPV loss):")
        print(sw.frontier.to_string(index=False))
    if args.out is not None:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(out / "sweep.csv", sw.table.to_csv(index=False))
        atomic_write(out / "sweep.json", sw.table.to_json(orient="records", indent=2))
        atomic_write(out / "frontier.csv", sw.frontier.to_csv(index=False))
        png = _png(lambda ax: plot.frontier(sw, ax=ax))
        if png is not None:
            atomic_write(out / "frontier.png", png)
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    s = sensitivity(
        _load(args.scenario),
        args.output,
        paths=args.paths,
        seed=args.seed,
        bootstrap=args.bootstrap,
        threads=args.threads,
    )
    with pd.option_context("display.float_format", "{:,.3f}".format):
        print(f"Sobol indices of {s.output} ({args.paths:_} paths a run, seed {args.seed}; *_ci = 95 % half-width):")
        print(s.indices.to_string())
    if args.out is not None:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(out / "sensitivity.csv", s.indices.to_csv())
        atomic_write(out / "sensitivity.json", s.indices.reset_index().to_json(orient="records", indent=2))
        png = _png(s.plot)
        if png is not None:
            atomic_write(out / "sobol.png", png)
    return 0


def _report(args: argparse.Namespace) -> int:
    for path in write_outputs(load(args.results), args.out):
        print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gridrisk`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INVALID
    commands = {"run": _run, "compare": _compare, "sweep": _sweep, "sensitivity": _sensitivity, "report": _report}
    try:
        return commands[args.command](args)
    except (GridRiskError, FileNotFoundError, IsADirectoryError) as e:
        print(f"gridrisk: error: {e}", file=sys.stderr)
        for note in getattr(e, "__notes__", []):
            print(f"gridrisk: {note}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("gridrisk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
