"""Relative paths: the files a config reads are found next to the config; what a run writes (reports,
journal, halt flag, bars cache) stays relative to the working folder; "not found" says where it looked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import parity
from parity.cli import main
from parity.engine.config import ConfigError, load_config

UNIVERSE = "symbol,sector\nDHR,Health Care\nGIS,Consumer Staples\n"


@pytest.fixture()
def layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/project/run.yaml with its universe beside it; the working folder is tmp/elsewhere."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "universe.csv").write_text(UNIVERSE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return project


def test_inputs_resolve_against_the_config_folder(layout: Path) -> None:
    (layout / "run.yaml").write_text("data:\n  universe: universe.csv\n  source: csv\n  path: bars.csv\n")
    config = load_config(layout / "run.yaml")
    assert config.data.universe == layout / "universe.csv"
    assert config.data.path == layout / "bars.csv"


def test_outputs_and_state_stay_relative_to_the_working_folder(layout: Path) -> None:
    (layout / "run.yaml").write_text("reporting: {output_dir: out}\nalpaca: {journal_path: j.sqlite}\n"
                                     "risk_management: {halt_file: HALT}\ndata: {cache_dir: cache}\n")
    config = load_config(layout / "run.yaml")
    assert config.reporting.output_dir == Path("out") and config.alpaca.journal_path == Path("j.sqlite")
    assert config.risk_management.halt_file == Path("HALT") and config.data.cache_dir == Path("cache")


def test_set_overrides_are_inputs_of_the_config_too(layout: Path) -> None:
    (layout / "run.yaml").write_text("")
    config = load_config(layout / "run.yaml", ["data.universe=universe.csv"])
    assert config.data.universe == layout / "universe.csv"


def test_absolute_paths_are_kept(layout: Path, tmp_path: Path) -> None:
    (layout / "run.yaml").write_text(f"data:\n  universe: {tmp_path / 'u.csv'}\n")
    assert load_config(layout / "run.yaml").data.universe == tmp_path / "u.csv"


def test_validate_from_another_folder_reads_the_universe_beside_the_config(
        layout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (layout / "run.yaml").write_text("strategy: {use: momentum}\ndata:\n  universe: universe.csv\n")
    assert main(["validate", str(layout / "run.yaml")]) == 0
    assert "245 bars x 2 symbols checked" in capsys.readouterr().out


def test_missing_input_names_the_absolute_path(layout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (layout / "run.yaml").write_text("strategy: {use: momentum}\ndata:\n  universe: nope.csv\n")
    assert main(["validate", str(layout / "run.yaml")]) == 2
    (line,) = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert "data.universe" in line and str(layout / "nope.csv") in line


def test_missing_config_names_the_absolute_path(layout: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config("nope.yaml")
    assert str(info.value) == (f"nope.yaml: config file not found (looked at {Path.cwd() / 'nope.yaml'}); "
                               "pass an existing YAML file (e.g. config/default.yaml)")


def test_strategy_path_params_resolve_against_the_config_folder(layout: Path) -> None:
    pd.DataFrame({"ts": ["2010-01-04"], "symbol": ["DHR"], "score": [0.5]}).to_csv(layout / "s.csv", index=False)
    (layout / "run.yaml").write_text("strategy:\n  use: signals\n  params: {path: s.csv}\n")
    config = parity.load_config(layout / "run.yaml")
    assert config.strategy.params["path"] == str(layout / "s.csv")


def test_a_missing_signals_file_names_the_absolute_path(layout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (layout / "run.yaml").write_text("strategy:\n  use: signals\n  params: {path: missing.parquet}\n")
    assert main(["validate", str(layout / "run.yaml")]) == 2
    err = capsys.readouterr().err
    assert str(layout / "missing.parquet") in err
