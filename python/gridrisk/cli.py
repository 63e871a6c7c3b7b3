"""The ``gridrisk`` command line.

``gridrisk run`` simulates a scenario (the embedded ``pakistan-2000mw`` preset unless a TOML
file is given) and prints a summary. Exit codes: 0 success, 2 invalid input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from gridrisk import __version__
from gridrisk.errors import GridRiskError
from gridrisk.scenario import Scenario, presets
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
    run.add_argument("--paths", type=int, default=100_000, help="number of Monte Carlo paths (default 100000)")
    run.add_argument("--seed", type=int, default=7, help="master seed (default 7)")
    run.add_argument(
        "--threads", type=int, default=None, help="worker threads (default: all cores or GRIDRISK_NUM_THREADS)"
    )
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
    return p


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
        sc, paths=args.paths, seed=args.seed, threads=args.threads, progress=False if args.no_progress else None
    )
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:,.4g}".format):
        print(res)
        print("\nPer-path outputs over the horizon (definitions: docs/model.md section 8.5):")
        print(res.summary().to_string())
        print("\nFiscal risk (loss = minus the net present value):")
        print(res.risk().to_string())
        print(f"\nDrivers and grid in the last month ({res.months[-1]}):")
        print(res.snapshot().to_string())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gridrisk`` command; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INVALID
    try:
        return _run(args)
    except (GridRiskError, FileNotFoundError, IsADirectoryError) as e:
        print(f"gridrisk: error: {e}", file=sys.stderr)
        for note in getattr(e, "__notes__", []):
            print(f"gridrisk: {note}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("gridrisk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
