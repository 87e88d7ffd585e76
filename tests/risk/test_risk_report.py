"""The report's "Risk limits" section: limit usage worked out by hand, and the section on a real run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from parity.brokers.sim.backtest import run_backtest
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.signals import SignalSet
from parity.reports.html import SECTIONS, render_report
from parity.reports.risk_section import limit_usage, risk_section
from parity.reports.run_data import RunData

from risk_kit import config


def hand_run() -> tuple[RunData, object]:
    """Two daily closes. Close 0: equity 100,000, AAA 20,000 (Tech), BBB 10,000 (Tech), CCC 15,000
    (Energy). Close 1: equity 97,000, AAA 25,000 only."""
    ts = pd.DatetimeIndex(["2024-01-02 21:00", "2024-01-03 21:00"], tz="UTC")
    equity = pd.DataFrame({"ts": ts, "cash": [55_000.0, 72_000.0], "equity": [100_000.0, 97_000.0],
                           "gross_exposure": [0.45, 25_000 / 97_000], "net_exposure": [0.45, 25_000 / 97_000]})
    positions = pd.DataFrame({"ts": [ts[0], ts[0], ts[0], ts[1]], "symbol": ["AAA", "BBB", "CCC", "AAA"],
                              "sector": ["Tech", "Tech", "Energy", "Tech"], "qty": [200.0, 100.0, 150.0, 250.0],
                              "price": [100.0] * 4, "market_value": [20_000.0, 10_000.0, 15_000.0, 25_000.0]})
    cfg = config(risk={"max_position_risk": 0.02, "stop_loss_pct": 0.05, "max_sector_exposure": 0.4,
                       "max_daily_loss": 0.05}, sizing={"max_position_size": 0.25, "max_total_exposure": 0.9})
    empty = pd.DataFrame(columns=["bar", "ts", "symbol", "rule", "action", "requested", "allowed"])
    run = RunData(run_id="hand", orders=pd.DataFrame(columns=["reason", "filled_qty"]), fills=pd.DataFrame(),
                  equity=equity, positions=positions, risk_events=empty, signals=pd.DataFrame(),
                  config_yaml=yaml.safe_dump(cfg.model_dump(mode="json")))
    return run, cfg


def test_limit_usage_by_hand():
    run, cfg = hand_run()
    u = limit_usage(run, cfg)
    # close 0: largest 20,000 / (0.25 * 100,000) = 80%; risk 20,000 * 0.05 / (0.02 * 100,000) = 50%;
    #          sector Tech 30,000 / (0.4 * 100,000) = 75%; total 0.45 / 0.9 = 50%; no loss yet: 0%
    # close 1: 25,000 / (0.25 * 97,000) = 103.09%; 25,000 * 0.05 / 1,940 = 64.43%; 25,000 / 38,800 = 64.43%;
    #          0.25773 / 0.9 = 28.64%; the session started at 100,000: 3% / 5% = 60%
    np.testing.assert_allclose(u.iloc[0].to_numpy(), [80.0, 50.0, 75.0, 50.0, 0.0])
    np.testing.assert_allclose(u.iloc[1].to_numpy(), [25_000 / 242.5, 1250 / 19.4, 25_000 / 388, 2500 / 97 / 0.9,
                                                      60.0], rtol=1e-12)


def test_the_section_renders_usage_events_and_the_emergency_stop():
    b = synthetic_bars(30, 5, seed=2)
    scores = np.random.default_rng(3).uniform(-1, 1, (30, 5))
    cfg = config(risk={"stop_orders": True, "stop_loss_pct": 0.02, "max_sector_exposure": 0.3,
                       "flatten_on_emergency_stop": True},
                 sizing={"max_position_size": 0.2, "max_total_exposure": 0.8})
    signals = SignalSet(scores, np.array([""] * 30))
    records = run_backtest(b, signals, cfg, "rep", halt_from_bar=25)
    run = RunData.from_records("rep", records, signals, b,
                               config_yaml=yaml.safe_dump(cfg.model_dump(mode="json")))
    html = risk_section(run)
    assert "Limit usage over time" in html and "data:image/png;base64," in html
    assert "Emergency stop in force</strong> on 5 bars" in html
    assert "protective stops and stop-outs" in html and "emergency flatten" in html
    assert risk_section in SECTIONS and "<h2>Risk limits</h2>" in render_report(run)
