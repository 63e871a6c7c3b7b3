"""The gridrisk command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import gridrisk as gr
import pytest
from gridrisk.cli import EXIT_INVALID, main


def test_run_with_no_scenario_runs_the_embedded_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--paths", "512", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "pakistan-2000mw" in out
    assert "bitcoin.price_usd" in out
    assert "p50_ci95" in out


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


def test_python_dash_m_and_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gridrisk", "run", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "--paths" in done.stdout
    done = subprocess.run([sys.executable, "-m", "gridrisk", "--version"], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == f"gridrisk {gr.__version__}"


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
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html
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
    assert "Paired differences" in capsys.readouterr().out
    assert (tmp_path / "c" / "differences.csv").exists()
    assert (tmp_path / "c" / "differences.json").exists()
    assert (
        main(
            [
                "sweep",
                str(short),
                "--grid",
                "mining.tariff_pkr_per_kwh=20,40",
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
    assert "fuels" in capsys.readouterr().out
    assert (tmp_path / "s" / "sensitivity.csv").exists()
    assert main(["sensitivity", "--output", "npv", "--paths", "10"]) == EXIT_INVALID


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "sensitivity", "report"])
def test_every_command_has_help(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gridrisk", command, "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "usage" in done.stdout
