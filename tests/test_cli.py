"""The gridrisk command line."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import gridrisk as gr
import gridrisk._files
import gridrisk.report
import pytest
from gridrisk import cli
from gridrisk.cli import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_MEMORY,
    EXIT_PIPE_CLOSED,
    EXIT_WRITE_FAILED,
    main,
)

# The preset with its parameter uncertainty: what a user loads (its overrides, labels, runs).
UNCERTAIN = True


def test_run_with_no_scenario_runs_the_embedded_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--paths", "512", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "pakistan-2000mw" in out
    # Findings in sentences, then the headline tables in display units with their errors.
    assert "Key findings" in out
    assert "Fiscal impact. Over 10 years" in out
    assert "Net present value to the state" in out
    assert "PKR bn" in out
    assert " ± " in out
    assert "Fiscal flows by fiscal year" in out
    assert "Load-shedding of the existing consumers by feeder class" in out
    for text in ("above 80 % losses", "all existing consumers", "increase, h/yr", "extra shed, GWh/yr"):
        assert text in out
    # What a person reads: no line wider than 100 columns, no e-notation, no NaN.
    assert max(len(line) for line in out.splitlines()) <= 100
    assert not re.search(r"\d[eE][+-]?\d", out)
    assert not re.search(r"\bnan\b", out, re.I)


def test_run_a_file_with_overrides(tmp_path: Path, preset: gr.Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.toml"
    preset.replace({"simulation.horizon_months": 6, "meta.name": "six-months"}).to_toml(path)
    code = main(
        [
            "run",
            str(path),
            "--paths",
            "300",
            "--seed",
            "3",
            "--threads",
            "1",
            "--set",
            "bitcoin.vol_annual=0.9",
            "--set",
            "bitcoin.returns=normal",
            "--no-progress",
        ]
    )
    assert code == 0
    assert "six-months" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["run", "--set", "bitcoin.vol_annual=9", "--paths", "10"], "bitcoin.vol_annual"),
        (["run", "--set", "bitcon.vol_annual=0.5", "--paths", "10"], "did you mean 'bitcoin.vol_annual'"),
        (["run", "--paths", "0"], "paths must be in"),
        (["run", "no-such-file.toml"], "No such file"),
        (["run", "--threads", "0", "--paths", "10"], "threads must be in"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith("gridrisk: error:")
    assert text in err


def test_invalid_toml_file_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[meta]\nname = 1\n")
    assert main(["run", str(path)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "meta.name" in err
    assert "bad.toml" in err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_INVALID
    assert "run" in capsys.readouterr().out


def test_a_changed_file_named_after_the_preset_is_not_shown_as_the_preset(
    tmp_path: Path, preset: gr.Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "changed.toml"
    preset.replace({"simulation.horizon_months": 6}).to_toml(path)
    assert main(["run", str(path), "--paths", "256", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Scenario: pakistan-2000mw + 1 override\n" in out
    assert "  simulation.horizon_months: 120 -> 6" in out


@pytest.mark.parametrize(
    ("error", "code", "text"),
    [
        (gr.errors.InternalError("panic: index out of bounds"), EXIT_INTERNAL, "internal error (a bug in gridrisk"),
        (MemoryError(), EXIT_MEMORY, "out of memory"),
        (MemoryError("could not allocate 3 GiB"), EXIT_MEMORY, "out of memory: could not allocate 3 GiB"),
    ],
)
def test_internal_errors_and_memory_exhaustion_have_their_own_exit_codes(
    error: BaseException, code: int, text: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(cli, "simulate", fail)
    assert main(["run", "--paths", "10", "--no-progress"]) == code
    err = capsys.readouterr().err
    assert err.startswith(f"gridrisk: error: {text}")
    assert "invalid" not in err
    assert "Traceback" not in err


def test_help_lists_the_exit_codes_and_what_run_prints() -> None:
    for args in (["--help"], ["run", "--help"]):
        done = subprocess.run([sys.executable, "-m", "gridrisk", *args], capture_output=True, text=True, check=False)
        text = " ".join(done.stdout.split())
        assert "3 internal error" in text
        assert "4 out of memory" in text
        assert "130 interrupted" in text
    assert "fiscal risk" in text
    assert "key findings" in text
    assert "overrides" in text
    assert "--sensitivity-paths" in text


def test_python_dash_m_and_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gridrisk", "run", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "--paths" in done.stdout
    done = subprocess.run([sys.executable, "-m", "gridrisk", "--version"], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == f"gridrisk {gr.__version__}"


def _closed_pipe_run(args: list[str]) -> subprocess.CompletedProcess[str]:
    """``gridrisk ARGS`` with stdout a pipe whose reader is gone before anything is written
    (what ``| head`` leaves once it has its lines)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "gridrisk", *args], stdout=write, stderr=subprocess.PIPE, text=True, check=False
        )
    finally:
        os.close(write)


def test_a_reader_that_stops_reading_ends_nothing_but_the_printing(tmp_path: Path) -> None:
    done = _closed_pipe_run(["presets"])
    assert done.returncode == EXIT_PIPE_CLOSED
    assert done.stderr == ""
    # A run goes on to write the files asked for, then says how it ended.
    out = tmp_path / "out"
    args = ["run", "--paths", "50", "--no-progress", "--set", "simulation.horizon_months=12", "--out", str(out)]
    done = _closed_pipe_run(args)
    assert done.returncode == EXIT_PIPE_CLOSED, done.stderr
    assert "error" not in done.stderr
    assert "Traceback" not in done.stderr
    assert {"summary.json", "manifest.json", "report.html"} <= {p.name for p in out.iterdir()}


def test_run_out_writes_every_file_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert (
        main(["run", "--paths", "300", "--no-progress", "--set", "simulation.horizon_months=24", "--out", str(out)])
        == 0
    )
    names = {p.name for p in out.iterdir()}
    assert {
        "summary.json",
        "scenario.toml",
        "results.zip",
        "report.html",
        "npv_histogram.png",
        "fan_fiscal.net_flow_pkr.csv",
    } <= names
    assert "paths.parquet" in names or "paths.csv" in names
    assert not [n for n in names if n.endswith(".tmp")]
    import json

    facts = json.loads((out / "summary.json").read_text())
    assert facts["seed"] == 7
    assert "npv_pkr" in facts["summary"]
    # Every fan CSV's unit is recorded (the CSVs hold numbers only), and its quantile columns.
    fans = facts["fans"]
    assert {n for n in names if n.startswith("fan_") and n.endswith(".csv")} == set(fans)
    assert fans["fan_fiscal.net_flow_pkr.csv"]["unit"] == "PKR/month"
    assert fans["fan_fx.pkr_per_usd.csv"]["unit"] == "PKR/USD"
    header = (out / "fan_fiscal.net_flow_pkr.csv").read_text().splitlines()[0].split(",")
    assert [float(q) for q in header[1:]] == fans["fan_fiscal.net_flow_pkr.csv"]["quantiles"]
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html
    assert "Load-shedding of the existing consumers by feeder class" in html
    assert "Key findings" in html
    assert "tables.txt" in names
    assert "npv_waterfall.png" in names
    again = gr.load(out / "results.zip")
    assert again.paths == 300
    # report regenerates the files from the saved results
    assert main(["report", str(out / "results.zip"), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "report.html").exists()


def test_compare_and_sweep_commands(tmp_path: Path, preset: gr.Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    short = tmp_path / "short.toml"
    preset.replace({"simulation.horizon_months": 12}).to_toml(short)
    none = tmp_path / "none.toml"
    preset.replace(
        {"simulation.horizon_months": 12, "allocation.mining_mw": 0.0, "allocation.datacenter_mw": 0.0}
    ).to_toml(none)
    assert main(["compare", f"none={none}", f"alloc={short}", "--paths", "300", "--out", str(tmp_path / "c")]) == 0
    printed = capsys.readouterr().out
    assert "alloc against none: means over paths and the paired difference" in printed
    assert max(len(line) for line in printed.splitlines()) <= 100
    assert (tmp_path / "c" / "differences.csv").exists()
    assert (tmp_path / "c" / "differences.json").exists()
    assert (
        main(
            [
                "sweep",
                str(short),
                "--grid",
                "mining.tariff[1].base_pkr_per_kwh=20,40",
                "--paths",
                "200",
                "--out",
                str(tmp_path / "s"),
            ]
        )
        == 0
    )
    assert "frontier" in capsys.readouterr().out
    assert (tmp_path / "s" / "frontier.csv").exists()
    assert (tmp_path / "s" / "frontier.png").exists()
    assert main(["compare", "oops", "--paths", "10"]) == EXIT_INVALID
    with pytest.raises(SystemExit):  # argparse rejects a malformed --grid with usage and exit 2
        main(["sweep", "--grid", "nonsense", "--paths", "10"])


def test_sensitivity_command(tmp_path: Path, preset: gr.Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    short = tmp_path / "short.toml"
    preset.replace({"simulation.horizon_months": 12}).to_toml(short)
    code = main(
        [
            "sensitivity",
            str(short),
            "--output",
            "added_cost_pkr_per_year",
            "--paths",
            "200",
            "--bootstrap",
            "20",
            "--out",
            str(tmp_path / "s"),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    # The table of the report: words, and each index with its error.
    assert "Sobol indices of the generation cost of the new loads (200 paths per run, seed 7)" in out
    assert "Fuel prices (oil, LNG, coal)" in out
    assert " ± " in out
    assert "-0.000" not in out
    assert (tmp_path / "s" / "sensitivity.csv").exists()
    assert main(["sensitivity", "--output", "npv", "--paths", "10"]) == EXIT_INVALID


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "sensitivity", "report"])
def test_every_command_has_help(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gridrisk", command, "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "usage" in done.stdout


# -- output folders -----------------------------------------------------------------------------

SHORT_RUN = ["--paths", "256", "--no-progress", "--set", "simulation.horizon_months=6"]


def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("simulated although the output folder was unusable")

    monkeypatch.setattr(cli, "simulate", refuse)


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_run_out_replaces_an_earlier_output_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["compare", "a=pakistan-2000mw", "b=pakistan-2000mw", "--paths", "64", "--set",
                 "simulation.horizon_months=3", "--out", str(out)]) == 0  # fmt: skip
    assert (out / "differences.csv").exists()
    assert main(["run", *SHORT_RUN, "--seed", "11", "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert "differences.csv" not in names  # nothing of the earlier run is left beside this one
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) | {"manifest.json"} == names
    assert manifest["run"]["seed"] == 11
    assert manifest["run"]["command"][:2] == ["gridrisk", "run"]
    assert _leftovers(tmp_path) == []  # no staging or old folder left next to it
    assert json.loads((out / "summary.json").read_text())["seed"] == 11


def test_out_that_is_a_file_is_refused_before_simulating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_simulation(monkeypatch)
    target = tmp_path / "taken"
    target.write_text("mine")
    assert main(["run", *SHORT_RUN, "--out", str(target)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith("gridrisk: error:")
    assert "taken" in err
    assert "Traceback" not in err
    assert target.read_text() == "mine"
    assert main(["run", *SHORT_RUN, "--out", str(target / "below")]) == EXIT_INVALID
    assert _leftovers(tmp_path) == []


def test_out_holding_other_files_is_refused_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_simulation(monkeypatch)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    for command in (["run", *SHORT_RUN], ["sweep", "--grid", "allocation.mining_mw=0,1", "--paths", "64"]):
        assert main([*command, "--out", str(out)]) == EXIT_INVALID
        assert "notes.txt" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert _leftovers(tmp_path) == []


def test_out_in_a_folder_that_cannot_be_written_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_simulation(monkeypatch)
    real_mkdir = os.mkdir

    def no_mkdir(path: Any, mode: int = 0o777) -> None:
        if ".staging-" in os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        real_mkdir(path, mode)

    monkeypatch.setattr(gridrisk._files.os, "mkdir", no_mkdir)
    assert main(["run", *SHORT_RUN, "--out", str(tmp_path / "out")]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "no permission to write in the folder" in err
    assert str(tmp_path) in err  # names the folder, not a temporary file
    assert ".staging-" not in err


def test_out_that_is_read_only_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_simulation(monkeypatch)
    out = tmp_path / "ro"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"files": []}))
    if os.geteuid() == 0:  # root writes anywhere; pretend the permission bits count
        monkeypatch.setattr(gridrisk._files.os, "access", lambda path, mode: Path(path) != out)
    out.chmod(0o555)
    try:
        assert main(["run", *SHORT_RUN, "--out", str(out)]) == EXIT_INVALID
    finally:
        out.chmod(0o755)
    assert "read-only" in capsys.readouterr().err


def test_out_cannot_be_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_simulation(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert main(["run", *SHORT_RUN, "--out", "."]) == EXIT_INVALID
    assert "current folder" in capsys.readouterr().err


def test_tables_come_first_and_a_failed_write_leaves_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", *SHORT_RUN, "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()

    def full_disk(results: Any, folder: Any, **kwargs: Any) -> list[Path]:
        gridrisk._files.atomic_write(Path(folder) / "summary.json", "{}")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli, "write_outputs", full_disk)
    assert main(["run", *SHORT_RUN, "--seed", "99", "--out", str(out)]) == EXIT_WRITE_FAILED
    captured = capsys.readouterr()
    assert "Key findings" in captured.out  # the tables were printed before writing
    assert "No space left on device" in captured.err
    assert "Traceback" not in captured.err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["writer", "plots"])
def test_ctrl_c_while_writing_exits_130_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    def interrupt(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    if where == "writer":
        monkeypatch.setattr(gridrisk.report, "atomic_write", interrupt)
    else:
        monkeypatch.setattr(gridrisk.report, "_figures", interrupt)
    out = tmp_path / "out"
    assert main(["run", *SHORT_RUN, "--out", str(out)]) == EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err
    assert not out.exists()
    assert _leftovers(tmp_path) == []


def test_output_files_honour_the_umask(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = os.umask(0o027)
    try:
        assert main(["run", *SHORT_RUN, "--out", str(tmp_path / "out")]) == 0
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert set(modes.values()) == {0o640}, modes
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o750


def test_scenario_to_toml_into_a_missing_folder_names_it(preset: gr.Scenario, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist") as info:
        preset.to_toml(tmp_path / "nowhere" / "s.toml")
    assert info.value.filename == str(tmp_path / "nowhere")
    with pytest.raises(IsADirectoryError):
        preset.to_toml(tmp_path)
    assert list(tmp_path.iterdir()) == []


# -- inputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["run", "pakistan-2000", "--paths", "10"], "did you mean the preset 'pakistan-2000mw'"),
        (["run", "nonsense", "--paths", "10"], "neither a scenario file nor a preset"),
        (["run", "--set", "meta.name=\udcff", "--paths", "10"], "not valid Unicode"),
        (["run", "--set", "Bitcoin.Vol_Annual=0.5", "--paths", "10"], "did you mean 'bitcoin.vol_annual'"),
        (["run", "--set", "meta..name=x", "--paths", "10"], "cannot parse the field name"),
        (["compare", "a=pakistan-2000mw", "a=pakistan-2000mw", "--paths", "10"], "given twice"),
        (["sweep", "--grid", "allocation.mining_mw=0,1", "--set", "bitcoin.vol_annual=9", "--paths", "10"], "[0, 3]"),
        (["sensitivity", "--set", "fx.vol_annual=-1", "--paths", "10"], "fx.vol_annual"),
        (["report", "missing.zip", "--out", "x"], "No such file"),
    ],
)
def test_more_bad_input_exits_2_without_a_traceback(
    args: list[str], text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_simulation(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert main(args) == EXIT_INVALID
    err = capsys.readouterr().err
    assert err.startswith("gridrisk: error:")
    assert text in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"[meta]\nname = '\xff'\n", b"\x00\x01\x02binary"], ids=["latin1", "binary"])
def test_a_scenario_file_that_is_not_text_exits_2(
    tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    assert main(["run", str(path), "--paths", "10"]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "bad.toml" in err
    assert "Traceback" not in err


def test_overrides_are_printed_and_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", *SHORT_RUN, "--set", "bitcoin.vol_annual=0.8", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Scenario: pakistan-2000mw + 2 overrides" in printed
    assert "  bitcoin.vol_annual: 0.45 -> 0.8" in printed
    again = gr.load(out / "results.zip")
    assert again.scenario.label == "pakistan-2000mw + 2 overrides"
    assert [f for f, _, _ in again.scenario.overrides] == ["simulation.horizon_months", "bitcoin.vol_annual"]


def test_set_applies_to_compare_sweep_and_sensitivity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = ["--paths", "64", "--set", "simulation.horizon_months=3"]
    assert main(["compare", "a=pakistan-2000mw", "b=pakistan-2000mw", *small, "--set", "fx.vol_annual=0.2"]) == 0
    assert "pakistan-2000mw + 2 overrides" in capsys.readouterr().out
    assert main(["sweep", "--grid", "allocation.mining_mw=0,1000", *small, "--out", str(tmp_path / "s")]) == 0
    assert "Base scenario: pakistan-2000mw + 1 override" in capsys.readouterr().out
    sweep = json.loads((tmp_path / "s" / "sweep.json").read_text())
    assert len(sweep) == 2
    assert main(["sensitivity", *small, "--bootstrap", "0"]) == 0
    assert "simulation.horizon_months: 120 -> 3" in capsys.readouterr().out


# -- the counterfactual --------------------------------------------------------------------------


def test_counterfactual_zeroes_the_allocation_and_says_so(short: gr.Scenario) -> None:
    varied = short.replace({"allocation.mining_mw": gr.Uniform(500.0, 1500.0), "reserve.purchase_usd_per_month": 1e6})
    cf = varied.counterfactual()
    for field in ("allocation.mining_mw", "allocation.datacenter_mw", "reserve.purchase_usd_per_month"):
        assert cf[field] == 0.0
    assert "allocation.mining_mw" not in cf.uncertain_fields
    assert cf.label == "pakistan-2000mw without the allocation + 1 override"
    assert [f for f, _, _ in cf.overrides] == ["simulation.horizon_months"]
    assert cf.counterfactual() == cf
    assert cf["simulation.horizon_months"] == short["simulation.horizon_months"]
    assert gr.Scenario.preset("pakistan-2000mw").counterfactual().label == "pakistan-2000mw without the allocation"


def test_counterfactual_outputs_are_the_world_without_the_allocation(short: gr.Scenario) -> None:
    res = gr.simulate(short.counterfactual(), paths=64, seed=3, progress=False, keep_outputs=True)
    for out in ("npv_pkr", "net_flow_pkr_per_year", "circular_debt_change_pkr", "eue_households_increase_mwh_per_year"):
        assert not res.path_output(out).any(), out
    base = res.path_output("lole_base_h_per_year")
    assert (res.path_output("lole_with_h_per_year") == base).all()


def _no_noise(text: str) -> None:
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert not re.search(r"\d[eE][+-]?\d", text)  # no e-notation
    assert max(len(line) for line in text.splitlines()) <= 100


SMALL = ["--paths", "200", "--set", "simulation.horizon_months=12"]


def test_compare_a_single_policy_against_the_counterfactual(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c"
    assert main(["compare", "planned=pakistan-2000mw", *SMALL, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "  no-allocation (baseline): pakistan-2000mw without the allocation + 1 override" in printed
    assert printed.count("    simulation.horizon_months: 120 -> 12") == 2  # --set applies to both
    assert "planned against no-allocation" in printed
    npv = next(line for line in printed.splitlines() if line.startswith("Net present value to the"))
    planned, none, difference = re.split(r"\s{2,}", npv)[1:4]
    assert none == "0"
    assert difference == planned  # against the counterfactual, the difference is the policy's own effect
    assert "outputs are the same under both policies" in printed
    _no_noise(printed)
    diff = json.loads((out / "differences.json").read_text())
    assert {row["policy"] for row in diff} == {"planned"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run"]["baseline"] == "no-allocation"
    assert manifest["run"]["policies"]["no-allocation"] == "pakistan-2000mw without the allocation + 1 override"
    scenarios = (out / "scenarios.csv").read_text()
    assert "simulation.horizon_months: 120 -> 12" in scenarios


def test_compare_names_the_counterfactual_anywhere_and_it_is_the_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["compare", "planned=pakistan-2000mw", "none=no-allocation", *SMALL, "--set", "fx.vol_annual=0.2"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "  none (baseline): pakistan-2000mw without the allocation + 2 overrides" in printed
    assert "    fx.vol_annual: " in printed
    assert "planned against none" in printed
    assert main([*args, "--baseline", "planned"]) == 0
    assert "none against planned" in capsys.readouterr().out
    assert main([*args, "--baseline", "nobody"]) == EXIT_INVALID
    assert "--baseline 'nobody' is not a policy" in capsys.readouterr().err


def test_compare_with_no_policy_runs_the_default_preset_against_the_counterfactual(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["compare", "--paths", "64", "--set", "simulation.horizon_months=3"]) == 0
    assert "pakistan-2000mw against no-allocation" in capsys.readouterr().out


def test_no_allocation_is_not_a_scenario_to_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "no-allocation", "--paths", "10"]) == EXIT_INVALID
    assert "counterfactual of 'gridrisk compare'" in capsys.readouterr().err


def test_unknown_scenario_names_the_presets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "pakistan", "--paths", "10"]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "presets: pakistan-2000mw" in err
    assert "gridrisk presets" in err


def test_sweep_prints_a_compact_table(capsys: pytest.CaptureFixture[str]) -> None:
    grid = ["--grid", "allocation.datacenter_mw=0,500.5", "--grid", "mining.tariff[1].base_pkr_per_kwh=20,29.54"]
    assert main(["sweep", *grid, *SMALL]) == 0
    printed = capsys.readouterr().out
    assert "(PKR bn)" in printed
    assert "500.5" in printed
    assert " ± " in printed
    # the tables (the scenario's lines above them are those of gridrisk run)
    _no_noise(printed[printed.index("4 combinations") :])
    # No miners are built in these 12 months: their tariff changes nothing, and the table says so.
    assert "\nmining.tariff[1].base_pkr_per_kwh changes no figure on these paths" in printed
    assert "datacenter_mw change" not in printed


def test_presets_lists_each_preset_with_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets"]) == 0
    printed = capsys.readouterr().out
    line = next(line for line in printed.splitlines() if line.strip().startswith("pakistan-2000mw"))
    assert "Pakistan's grid" in line
    assert "1,000 MW mining + 1,000 MW data centres" in printed
    assert "gridrisk preset export NAME FILE" in printed


def test_preset_export_writes_the_file_as_shipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import resources

    shipped = (resources.files("gridrisk") / "presets" / "pakistan-2000mw.toml").read_text(encoding="utf-8")
    target = tmp_path / "mine.toml"
    assert main(["preset", "export", "pakistan-2000mw", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == shipped  # comments and all
    assert "# A1 grid generation FY25" in shipped
    assert gr.Scenario.from_toml(target) == gr.Scenario.preset("pakistan-2000mw")
    target.write_text("my edits")
    assert main(["preset", "export", "pakistan-2000mw", str(target)]) == EXIT_INVALID
    assert "exists; use --force" in capsys.readouterr().err
    assert target.read_text() == "my edits"
    assert main(["preset", "export", "pakistan-2000mw", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8") == shipped
    assert main(["preset", "export", "pakistan-200", str(tmp_path / "x.toml")]) == EXIT_INVALID
    assert "pakistan-2000mw" in capsys.readouterr().err
    assert main(["preset", "export", "pakistan-2000mw", str(tmp_path / "no" / "x.toml")]) == EXIT_INVALID
    assert "does not exist" in capsys.readouterr().err
    assert main(["preset", "export", "pakistan-2000mw", str(tmp_path)]) == EXIT_INVALID
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]


def test_preset_export_never_replaces_a_file_that_appears_while_it_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gridrisk.cli as cli

    target = tmp_path / "mine.toml"
    text = cli._preset_text

    def meanwhile(name: str) -> str:
        target.write_text("another program's file")  # after the check, before the write
        return text(name)

    monkeypatch.setattr(cli, "_preset_text", meanwhile)
    assert main(["preset", "export", "pakistan-2000mw", str(target)]) == EXIT_INVALID
    assert "exists; use --force" in capsys.readouterr().err
    assert target.read_text() == "another program's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]  # no temporary file left
    assert main(["preset", "export", "pakistan-2000mw", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8") == text("pakistan-2000mw")


def test_report_takes_no_set_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", "r.zip", "--out", "x", "--set", "bitcoin.vol_annual=0.8"])
    assert info.value.code == EXIT_INVALID
    assert "unrecognized arguments: --set" in capsys.readouterr().err
    done = subprocess.run(
        [sys.executable, "-m", "gridrisk", "report", "--help"], capture_output=True, text=True, check=False
    )
    assert "There is no --set" in " ".join(done.stdout.split())


@pytest.mark.parametrize(
    "command",
    [["run"], ["compare"], ["sweep"], ["sensitivity"], ["report"], ["presets"], ["preset"], ["preset", "export"]],
)
def test_every_command_lists_the_exit_codes(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gridrisk", *command, "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for code in ("0 success", "1 the output could not be written", "2 invalid input", "3 internal error",
                 "4 out of memory", "130 interrupted"):  # fmt: skip
        assert code in text


def test_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "gridrisk", "--help"], capture_output=True, text=True, check=False)
    for command in ("run", "compare", "sweep", "sensitivity", "report", "presets", "preset"):
        assert re.search(rf"^    {command}\b", done.stdout, re.MULTILINE), command


def test_run_to_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", "--paths", "50000", "--no-progress", "--set", "simulation.horizon_months=24"]
    assert main([*args, "--target", "npv_pkr=5%", "--target", "circular_debt_change_pkr:p_adverse=0.01"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "run to the targets npv_pkr mean: standard error <= 5 % of the mean" in out
    assert "circular_debt_change_pkr P(worse): standard error <= 0.01" in out
    for bad, message in (("npv_pkr", "expected OUTPUT=SE"), ("npv_pkr=fast", "a number or a share")):
        with pytest.raises(SystemExit) as info:
            main([*args, "--target", bad])
        assert info.value.code == 2
        assert message in capsys.readouterr().err
