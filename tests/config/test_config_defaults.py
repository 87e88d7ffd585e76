"""A partial config says, in one note, which keys it leaves to schema defaults that differ from
config/default.yaml (the schema keeps its own defaults: configs built in code rely on them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.cli import main
from parity.engine.config import ParityConfig, defaults_note, load_config
from parity.engine.config.loader import DEFAULT_CONFIG, inherited_differences

# Every schema default that differs from config/default.yaml: what an empty config silently ran on.
DIFFERENCES = {
    "position_sizing.min_trade_size": (100.0, 5000.0),
    "risk_management.stop_loss_pct": (0.05, 0.08),
    "strategy.use": ("momentum", "xgboost"),
    "simulation.fill.participation_rate": (0.1, 0.05),
    "simulation.slippage.half_spread_bps": (0.0, 2.0),
    "simulation.slippage.impact_coef": (0.0, 0.1),
    "simulation.fees.commission_per_share": (0.0, 0.0035),
    "simulation.fees.commission_min": (0.0, 0.35),
}


def test_an_empty_config_inherits_exactly_these_differences() -> None:
    diffs = {key: (value, ref) for key, value, ref in inherited_differences(ParityConfig())}
    assert diffs == DIFFERENCES


def test_every_other_key_of_the_schema_equals_default_yaml() -> None:
    schema = ParityConfig().model_dump(mode="json")
    default = load_config(DEFAULT_CONFIG).model_dump(mode="json")
    for section, values in schema.items():
        for key, value in values.items():
            dotted = f"{section}.{key}"
            if dotted == "strategy.params" or isinstance(value, dict):
                continue
            assert (value == default[section][key]) == (dotted not in DIFFERENCES), dotted
    for name, values in schema["simulation"].items():
        if isinstance(values, dict):
            for key, value in values.items():
                dotted = f"simulation.{name}.{key}"
                assert (value == default["simulation"][name][key]) == (dotted not in DIFFERENCES), dotted


def test_the_note_counts_and_names_sections(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("strategy:\n  use: momentum\nsimulation:\n  fees:\n    commission_per_share: 0.0035\n")
    note = defaults_note(load_config(path), str(path))
    assert note is not None and "\n" not in note
    assert note.startswith(f"{path}: 6 keys not set here (position_sizing, risk_management, simulation) take "
                           "the schema's built-in defaults, not config/default.yaml's: ")
    assert "simulation.fees.commission_min=0.0 (default.yaml: 0.35)" in note
    assert "commission_per_share" not in note and "strategy.use" not in note


def test_a_config_that_sets_the_differing_keys_gets_no_note(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("position_sizing: {min_trade_size: 100}\nrisk_management: {stop_loss_pct: 0.05}\n"
                    "strategy: {use: momentum}\nsimulation:\n  fill: {participation_rate: 0.1}\n"
                    "  slippage: {half_spread_bps: 0, impact_coef: 0}\n"
                    "  fees: {commission_per_share: 0, commission_min: 0}\n")
    assert defaults_note(load_config(path), str(path)) is None


def test_validate_prints_the_note_once_after_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("run.yaml").write_text("# only a comment\n")
    assert main(["validate", "run.yaml"]) == 0
    captured = capsys.readouterr()
    ok, *notes = [line for line in captured.out.splitlines() if line.strip()]
    assert ok.startswith("run.yaml: OK (mode backtest, strategy momentum, ") and not captured.err
    assert len(notes) == 1 and notes[0].startswith("note: run.yaml: 8 keys not set here (position_sizing, "
                                                   "risk_management, simulation, strategy) take")


def test_backtest_prints_the_note_after_a_run_that_succeeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import parity.app
    from parity.app import BacktestParts
    from parity.engine.data import synthetic_bars

    def parts() -> BacktestParts:
        from parity.brokers.sim.backtest import run_backtest

        return BacktestParts(load_bars=lambda cfg, base_dir: synthetic_bars(40, 3, seed=1), run_backtest=run_backtest)

    monkeypatch.setattr(parity.app, "default_parts", parts)
    monkeypatch.chdir(tmp_path)
    Path("run.yaml").write_text("strategy: {use: momentum, params: {lookback: 5, skip: 1, vol_lookback: 3}}\n"
                                "reporting: {html: false}\n")
    assert main(["backtest", "--config", "run.yaml", "--run-id", "r"]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith("note: run.yaml: 7 keys not set here")
    assert (tmp_path / "reports" / "r" / "stats.json").is_file()
