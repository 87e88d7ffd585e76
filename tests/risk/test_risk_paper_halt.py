"""The emergency stop in paper mode: the live runner against the local fake Alpaca server
(parity.replay drives sessions bar by bar). An operator sets the flag file after a few sessions;
from the next decision on no rebalance order is sent, working orders are cancelled, positions are
flattened, the journal records it, and the flag is still there for the next process."""

from __future__ import annotations

import pandas as pd

from parity.engine.config.schema import ParityConfig
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.halt import HaltSwitch, set_halt
from parity.engine.journal import Journal
from parity.replay import history_bars, run_replay
from parity.reports.run_data import load_run


def paper_config(folder, bars) -> ParityConfig:
    universe = folder / "universe.csv"
    universe.write_text("symbol,sector\n" + "".join(f"{s},{x}\n" for s, x in zip(bars.symbols, bars.sectors)))
    return ParityConfig.model_validate({
        "execution": {"mode": "paper"},
        "position_sizing": {"max_position_size": 0.15, "min_trade_size": 100.0, "signal_threshold": 0.05},
        "risk_management": {"flatten_on_emergency_stop": True, "halt_file": str(folder / "HALT"),
                            "max_sector_exposure": 1.0},
        "data": {"universe": str(universe)},
        "strategy": {"use": "momentum", "params": {"lookback": 5, "skip": 1, "vol_lookback": 3}},
        "simulation": {"initial_cash": 100_000.0, "fill": {"participation_rate": 1.0}},
        "alpaca": {"journal_path": str(folder / "journal.sqlite")},
        "reporting": {"output_dir": str(folder / "reports"), "html": False},
    })


def test_parity_halt_flattens_a_paper_account_on_the_fake_server(tmp_path):
    bars = synthetic_bars(24, 5, seed=9)
    cfg = paper_config(tmp_path, bars)
    warmup = history_bars(cfg)
    cycles = []

    def operator(cycle) -> None:  # noqa: ANN001 - the runner's CycleReport
        cycles.append(cycle)
        if len(cycles) == 6:  # after the sixth decision, someone runs `parity halt`
            set_halt(cfg.risk_management.halt_file, "paper test", now_ns=1)

    result = run_replay(cfg, tmp_path, bars=bars, on_cycle=operator)
    assert len(cycles) == bars.n_bars - warmup + 1 and all(c.decided for c in cycles)
    halt_ts = pd.Timestamp(cycles[6].bar_ts, tz="UTC")  # the first decision after the flag was set
    run = load_run(result.run_dir)
    before, after = run.orders[run.orders["created_at"] < halt_ts], run.orders[run.orders["created_at"] >= halt_ts]
    assert (before["reason"] == "rebalance").any() and (before["reason"] == "stop_loss").any()
    assert set(after["reason"]) == {"emergency_flatten"}  # no new risk, only the flatten
    assert not before["status"].isin(["new", "partially_filled"]).any()  # working orders were cancelled
    assert result.positions == {} or all(q == 0.0 for q in result.positions.values())  # flat at the venue
    halted = run.risk_events[(run.risk_events["rule"] == "emergency_stop") & (run.risk_events["symbol"] == "*")]
    assert halted["ts"].min() == halt_ts and len(halted) == len(cycles) - 6
    with Journal(cfg.alpaca.journal_path) as journal:
        assert journal.notes("halt") == ["emergency stop in force: paper test (source cli)"]
    assert HaltSwitch(cfg.risk_management.halt_file, now_ns=lambda: 0).is_set()  # the next process is halted too
