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
        (["run", "--set", "bitcon.vol_annual=0.5", "--paths", "10"], "did you mean 'bitcoin'"),
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
