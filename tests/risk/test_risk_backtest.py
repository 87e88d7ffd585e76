"""Risk rules end to end through the compiled backtest (and the stepped loop where a flag file is
involved): a daily-loss halt in the middle of an intraday session, working orders counted against
caps, and the emergency stop scheduled from a bar or raised by a flag file."""

from __future__ import annotations

import numpy as np

from parity.brokers.sim.backtest import run_backtest
from parity.brokers.sim.broker import SimBroker
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.halt import HaltSwitch, set_halt
from parity.engine.journal import Journal
from parity.engine.signals import SignalSet
from parity.engine.stepper import run_stepped
from parity.engine.types import OrderReason, OrderStatus, RiskAction, RiskRule

from risk_kit import bars, config


def test_a_daily_loss_halt_in_the_middle_of_an_intraday_session():
    """Two sessions of four 30-minute bars; S0 falls 5% on bar 1, S1 is flat at 50.

    bar 0: score S0 = 1 -> 0.5 * 100,000 / 100 = 500 shares (fills at bar 1's open of 100).
    bar 1: S0 closes 95: equity 100,000 - 500 * 5 = 97,500, 2.5% below the session start: halted.
           S0 wants 0.5 * 97,500 / 95 = 513 (adds 13): refused; S1 wants 0.5 * 97,500 / 50 = 975: refused.
    bar 2: S0 back to 99, equity 99,500, but the halt holds for the session: S1 refused again;
           S0's score 0.5 asks for 0.25 * 99,500 / 99 = 251 shares: a reduction, so it goes (sell 249).
    bar 4: a new session starts from bar 3's equity: S1's buy goes through.
    """
    close = np.array([[100, 50], [95, 50], [99, 50], [99, 50], [99, 50], [99, 50], [99, 50], [99, 50]], float)
    open_ = np.vstack([close[:1], close[:-1]])  # each bar opens at the previous close
    b = bars(open_, np.maximum(open_, close), np.minimum(open_, close), close, bars_per_session=4)
    scores = np.array([[1, np.nan], [1, 1], [0.5, 1], [np.nan, 1], [np.nan, 1], [np.nan, np.nan],
                       [np.nan, np.nan], [np.nan, np.nan]])
    cfg = config(risk={"max_daily_loss": 0.02}, sizing={"max_position_size": 0.5})
    r = run_backtest(b, SignalSet(scores, np.array([""] * 8)), cfg, "dl")
    assert r.equity["equity"][1] == 97_500.0
    assert [(o["bar"], o["symbol"], o["side"], o["qty"]) for o in r.orders] == [
        (0, 0, 1, 500.0), (2, 0, -1, 249.0), (4, 1, 1, int(0.5 * r.equity["equity"][4] / 50))]
    dl = r.risk_events[r.risk_events["rule"] == RiskRule.DAILY_LOSS]
    assert [(e["bar"], e["symbol"], e["requested"], e["allowed"]) for e in dl] == [
        (1, 0, 513.0, 500.0), (1, 1, 975.0, 0.0), (2, 1, 995.0, 0.0), (3, 1, 995.0, 0.0)]
    assert set(dl["action"].tolist()) == {RiskAction.REFUSED}


def test_working_orders_count_toward_the_caps_so_unfilled_bars_cannot_pile_up():
    """Buy limits 19% below the market never fill. With a 30% total cap and two symbols wanting 25%
    each, every bar's working orders together stay within 30,000, and each bar's new order replaces
    (cancels) the symbol's previous one instead of adding to it."""
    t = 6
    close = np.full((t, 2), 100.0)
    b = bars(close, close, close, close)
    scores = np.full((t, 2), 1.0)
    cfg = config(sizing={"max_position_size": 0.25, "max_total_exposure": 0.3},
                 orders={"default_order_type": "limit", "limit_price_offset": 0.19, "time_in_force": "gtc"})
    r = run_backtest(b, SignalSet(scores, np.array([""] * t)), cfg, "pend")
    assert len(r.fills) == 0
    # bar 0: 250 + 250 shares = 50,000 > 30,000 -> scaled 0.6: 150 each; later bars: same intent, no order
    assert [(o["bar"], o["symbol"], o["qty"]) for o in r.orders] == [(0, 0, 150.0), (0, 1, 150.0)]
    assert np.all(r.orders["status"] == OrderStatus.NEW)  # still working at the end, never doubled
    working_value = (r.orders["qty"] * 100.0).sum()
    assert working_value <= 0.3 * 100_000


def _emergency_run(flatten: bool, halt_from: int = 20):
    b = synthetic_bars(40, 6, seed=4)
    rng = np.random.default_rng(1)
    scores = rng.uniform(-1, 1, (40, 6))
    cfg = config(risk={"flatten_on_emergency_stop": flatten, "stop_orders": True, "stop_loss_pct": 0.03},
                 sizing={"max_position_size": 0.2, "max_total_exposure": 0.8},
                 orders={"default_order_type": "limit", "limit_price_offset": 0.002, "time_in_force": "gtc"},
                 simulation={"fill": {"participation_rate": 0.0002}})
    signals = SignalSet(scores, np.array([""] * 40))
    return b, signals, cfg, run_backtest(b, signals, cfg, "halt", halt_from_bar=halt_from)


def test_the_emergency_stop_in_a_backtest_blocks_new_risk_and_cancels_working_orders():
    b, signals, cfg, r = _emergency_run(flatten=False)
    before = r.orders[r.orders["bar"] < 20]
    after = r.orders[r.orders["bar"] >= 20]
    assert len(before) > 0 and not np.any(after["reason"] == OrderReason.REBALANCE)
    # every rebalance order still working at bar 20 was cancelled then: none is left working
    rebalance = before[before["reason"] == OrderReason.REBALANCE]
    assert not np.any(np.isin(rebalance["status"], [OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED]))
    # positions only shrink from bar 20 on (protective stops keep working)
    held = np.abs(r.positions[20:])
    assert np.all(np.diff(held, axis=0) <= 0)
    halt_events = r.risk_events[r.risk_events["rule"] == RiskRule.EMERGENCY_STOP]
    assert sorted(set(halt_events[halt_events["symbol"] == -1]["bar"].tolist())) == list(range(20, 40))
    assert np.any(halt_events["symbol"] >= 0)  # the cancelled orders are named per symbol


def test_the_emergency_stop_with_flatten_closes_every_position():
    b, signals, cfg, r = _emergency_run(flatten=True)
    assert np.any(r.positions[19] != 0)
    flatten = r.orders[r.orders["reason"] == OrderReason.EMERGENCY_FLATTEN]
    assert set(flatten["symbol"].tolist()) == set(np.flatnonzero(r.positions[20] != 0).tolist())
    assert np.all(flatten["bar"] >= 20)
    assert np.all(r.positions[-1] == 0.0)
    exits = r.risk_events[(r.risk_events["rule"] == RiskRule.EMERGENCY_STOP) & (r.risk_events["action"] == RiskAction.EXIT)]
    assert len(exits) >= len(set(flatten["symbol"].tolist()))


def test_a_flag_file_halts_the_stepped_loop_like_the_scheduled_halt_and_is_journaled(tmp_path):
    b, signals, cfg, compiled = _emergency_run(flatten=True)
    flag = tmp_path / "HALT"
    clock = iter(range(1, 10**6))
    with Journal(tmp_path / "journal.sqlite") as journal:
        switch = HaltSwitch(flag, now_ns=lambda: next(clock), journal=journal)

        def halt(bar: int) -> bool:
            if bar == 20:  # an operator runs `parity halt` while bar 20 closes
                set_halt(flag, "operator", now_ns=123)
            return switch(bar)

        stepped = run_stepped(b, signals, cfg, SimBroker(b, cfg), "halt", halt=halt)
        notes = journal.notes("halt")
    assert stepped.risk_events.tobytes() == compiled.risk_events.tobytes()
    for name in ("bar", "symbol", "side", "qty", "reason", "status", "filled_qty"):
        np.testing.assert_array_equal(stepped.orders[name], compiled.orders[name], err_msg=name)
    assert notes == ["emergency stop in force: operator (source cli)"]
