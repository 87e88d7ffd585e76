"""notebooks/transaction_costs.ipynb runs top to bottom (nbclient, kernel python3) on a fresh backtest
of the embedded data, and on a paper run folder; the report's cost section renders for both."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from cost_kit import fill_row, order_row, records
from nbclient import NotebookClient

from parity.engine.config.loader import dump_config, load_config
from parity.engine.config.schema import ParityConfig
from parity.reports.costs_report import cost_analysis_section
from parity.reports.costs_run import RUN_DIR_ENV, analyse_run_dir, locate_run
from parity.reports.run_data import RunData, load_run
from parity.reports.writer import write_run

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "transaction_costs.ipynb"


@pytest.fixture(scope="module")
def backtest_run(tmp_path_factory) -> Path:
    from parity.app import run_backtest_job

    out = tmp_path_factory.mktemp("runs")
    config = load_config(REPO / "config" / "default.yaml", [f"reporting.output_dir={out}", "reporting.html=false"])
    return run_backtest_job(config, config_path="config/default.yaml", started_at=datetime(2026, 1, 5, tzinfo=timezone.utc),
                            base_dir=REPO, run_id="costs-notebook")


@pytest.fixture(scope="module")
def paper_run(tmp_path_factory) -> Path:
    """A paper run folder from hand-made records (3 bars): one order filled in two parts, one left unfilled.

    As engine/stepper.py records a run through the Broker protocol: arrival_at = created_at, no arrival
    price, no fill reference price or participation.
    """
    orders = [order_row(1, 0, 0, 1, 100.0, 50.0, np.nan, filled=100.0), order_row(2, 1, 1, -1, 40.0, 20.0, np.nan)]
    for o in orders:
        o["arrival_at"] = o["created_at"]
    rec = records(
        orders,
        [fill_row(1, 1, 0, 1, 60.0, 50.15, np.nan, commission=0.35, participation=np.nan),
         fill_row(1, 2, 0, 1, 40.0, 50.30, np.nan, commission=0.35, participation=np.nan)],
        equity=(10_000.0, 10_010.0, 10_025.0))
    config = ParityConfig(execution={"mode": "paper"})
    run = RunData(run_id="paper-run", orders=rec.orders_frame(), fills=rec.fills_frame(), equity=rec.equity_frame(),
                  positions=rec.positions_frame(), risk_events=rec.risk_events_frame(),
                  signals=_signals_frame(), config_yaml=dump_config(config))
    return write_run(tmp_path_factory.mktemp("paper"), run, html=False)


def _signals_frame() -> pd.DataFrame:
    return pd.DataFrame({"ts": pd.to_datetime([], utc=True), "symbol": [], "score": [], "model_version": []})


def execute_notebook(run_dir: Path, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv(RUN_DIR_ENV, str(run_dir))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # Any cell error raises CellExecutionError and fails the test.
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}).execute()
    return nb


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", "") + out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_notebook_runs_on_a_fresh_backtest_of_the_embedded_data(backtest_run, monkeypatch):
    nb = execute_notebook(backtest_run, monkeypatch)
    text = outputs_text(nb)
    assert "Implementation shortfall" in text and "simulation:" in text and "This run is a backtest" in text
    images = sum("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    assert images == 4  # decomposition, slippage vs participation, by symbol, cost drag


@pytest.mark.slow
def test_the_cost_section_of_the_backtest_report(backtest_run):
    analysis = analyse_run_dir(backtest_run, base_dir=REPO)
    assert analysis.prices_source == "bars"  # the embedded bars were reloaded and matched the run
    fit = analysis.calibration.slippage
    sim = analysis.config.simulation.slippage
    # the run's own fills give back the configured slippage exactly
    assert fit is not None and fit.intercept_bps == pytest.approx(sim.fixed_bps + sim.half_spread_bps, abs=1e-6)
    assert fit.impact_coef == pytest.approx(sim.impact_coef, rel=1e-6)
    html = cost_analysis_section(load_run(backtest_run))
    assert html is not None and "Transaction costs" in html and html.count("<img") == 4


def test_notebook_compares_a_paper_run_with_the_simulator(paper_run, monkeypatch):
    nb = execute_notebook(paper_run, monkeypatch)
    text = outputs_text(nb)
    assert "realised_slippage_bps" in text and "This run is a backtest" not in text
    analysis = analyse_run_dir(paper_run, base_dir=REPO)
    assert analysis.is_paper and analysis.prices_source == "records"  # embedded bars do not match this run
    # No bars and no recorded benchmarks: order 1's arrival stands in as its first fill's price, 50.15, so
    # its fills slipped 0 and (50.30 - 50.15) / 50.15 * 1e4 = 29.91 bps against it.
    cmp = analysis.comparison.set_index("order_id")
    np.testing.assert_allclose(cmp["realised_slippage_bps"], [0.0, 0.15 / 50.15 * 1e4])
    assert analysis.attribution.loc[1, "arrival_estimated"] and analysis.calibration.latency.submit_ms == 50.0


def test_locate_run_prefers_the_argument_then_the_env_var_then_the_newest_run(tmp_path, monkeypatch):
    import os

    (tmp_path / "config").mkdir()
    older, newer = tmp_path / "reports" / "a-run", tmp_path / "reports" / "b-run"
    for i, folder in enumerate((older, newer)):
        folder.mkdir(parents=True)
        (folder / "orders.parquet").write_bytes(b"")
        os.utime(folder, ns=(10**18 + i, 10**18 + i))
    monkeypatch.delenv(RUN_DIR_ENV, raising=False)
    start = tmp_path / "notebooks"  # Jupyter started in notebooks/: the project is one folder up
    start.mkdir()
    assert locate_run(start=start) == (newer, tmp_path)
    monkeypatch.setenv(RUN_DIR_ENV, "reports/a-run")
    assert locate_run(start=start) == (older, tmp_path)
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        locate_run(tmp_path / "reports", start=start)
