"""Property: whatever the prices, gaps, signals, partial fills and limits, after every bar no limit is
exceeded beyond what price moves alone explain.

Each example builds random bars (random walks with occasional opening gaps of several percent,
symbols that stop trading for a bar, volumes small enough for partial fills), random scores and a
random configuration, then drives the stepped loop bar by bar against the SimBroker, looking at the
venue between bars. After the decision on bar t (prices p = closes of t, equity E), with H the
planned holding (position + every working order except resting protective stops, which only
reduce):
- position size, position risk, sector and total exposure hold for H at p, up to the minimum trade
  size per symbol (a smaller trim is refused by design) and holdings that have no price this bar;
- a position that had grown past a cap by price alone is therefore trimmed in that decision;
- under the daily-loss halt no symbol plans more than its position; under an emergency stop no
  rebalance order exists and, with flatten, nothing but exits remains;
- between bars, fills only move a position toward its plan or out through its stop: it never grows
  beyond max(|position|, |plan|) and never crosses zero unplanned; without allow_short neither a plan
  nor a position is ever short (a stop and a sale both filling must not oversell).
The compiled backtest on the same inputs must make the identical decisions (parity under risk).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from parity.brokers.sim.backtest import run_backtest
from parity.brokers.sim.broker import SimBroker
from parity.engine.halt import scheduled_halt
from parity.engine.kernels.cancels import CANCEL_STOP, order_kind
from parity.engine.signals import SignalSet
from parity.engine.stepper import Stepper
from parity.engine.types import OrderReason, OrderStatus

import risk_kit
from risk_kit import bars, config

WORKING = (int(OrderStatus.NEW), int(OrderStatus.PARTIALLY_FILLED))
REBALANCE = int(OrderReason.REBALANCE)
REL = 1e-9


@st.composite
def scenarios(draw):
    n = draw(st.integers(2, 5))
    per_session = draw(st.sampled_from([1, 4]))
    t = draw(st.integers(6, 24))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.03, (t, n)), axis=0))
    prev = np.vstack([np.full((1, n), 100.0), close[:-1]])
    gap = np.where(rng.random((t, n)) < 0.15, rng.normal(0, 0.08, (t, n)), rng.normal(0, 0.005, (t, n)))
    open_ = prev * np.exp(gap)
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.01, (t, n))))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.01, (t, n))))
    dark = rng.random((t, n)) < 0.05
    for a in (open_, high, low, close):
        a[dark] = np.nan
    scores = rng.uniform(-1, 1, (t, n))
    scores[rng.random((t, n)) < 0.15] = np.nan
    b = bars(open_, high, low, close, volume=float(draw(st.sampled_from([2e3, 2e4, 1e6]))),
             sectors=[f"Sec{k}" for k in rng.integers(0, 2, n)], bars_per_session=per_session)
    cfg = config(
        risk={"max_daily_loss": draw(st.sampled_from([0.001, 0.003, 0.01, 0.05])), "max_position_risk": draw(st.floats(0.002, 0.05)),
              "max_sector_exposure": draw(st.floats(0.1, 1.0)), "stop_loss_pct": draw(st.floats(0.01, 0.2)),
              "trailing_stop": draw(st.booleans()), "stop_orders": draw(st.booleans()),
              "flatten_on_emergency_stop": draw(st.booleans())},
        sizing={"max_position_size": draw(st.floats(0.05, 0.6)), "max_total_exposure": draw(st.floats(0.2, 1.5)),
                "min_trade_size": draw(st.sampled_from([0.0, 200.0])), "signal_threshold": 0.05,
                "allow_short": draw(st.booleans())},
        orders={"default_order_type": draw(st.sampled_from(["market", "limit"])),
                "limit_price_offset": draw(st.floats(-0.01, 0.01)),
                "time_in_force": draw(st.sampled_from(["day", "gtc", "ioc"])),
                "max_orders_per_bar": draw(st.integers(1, 6))},
        simulation={"fill": {"participation_rate": draw(st.sampled_from([0.001, 0.01, 0.1, 1.0]))},
                    "latency": {"submit_ms": 50, "ack_ms": 20, "fill_ms": 20}, "seed": 7,
                    "fees": {"commission_per_share": 0.0035, "commission_min": 0.35}},
    )
    halt_from = draw(st.integers(0, 3 * t))  # about a third of the runs halt at some bar
    halt_from = halt_from if halt_from < t else None
    return b, SignalSet(scores, np.array([""] * t)), cfg, halt_from


def drive(b, signals, cfg, halt_from):
    """The stepped loop over `b`, with the venue's order book captured after every decision."""
    broker = SimBroker(b, cfg)
    halt = scheduled_halt(halt_from) if halt_from is not None else None
    stepper = Stepper(b.symbols, b.sectors, cfg, broker, "prop", halt=halt)
    books = []
    for t in range(b.n_bars):
        broker.on_bar(t)
        stepper.step(t, int(b.close_ts[t]), int(b.session[t]), b.close[t], signals.scores[t])
        books.append(broker.order_records())
    stepper.finish()
    return stepper.records(), books


def planned(orders, positions):
    """Position + signed remaining of every working order except resting protective stops."""
    h = positions.copy()
    rebalance_working = 0
    for o in orders:
        if int(o["status"]) not in WORKING:
            continue
        if order_kind(int(o["reason"]), float(o["stop_price"]), float(o["filled_qty"])) == CANCEL_STOP:
            continue
        h[int(o["symbol"])] += int(o["side"]) * (float(o["qty"]) - float(o["filled_qty"]))
        rebalance_working += int(o["reason"]) == REBALANCE
    return h, rebalance_working


def session_low_and_start(equity, session, initial):
    start, low = np.empty(len(equity)), np.empty(len(equity))
    s, lo = initial, initial
    for t in range(len(equity)):
        if t > 0 and session[t] != session[t - 1]:
            s = lo = equity[t - 1]
        lo = min(lo, equity[t])
        start[t], low[t] = s, lo
    return start, low


def check_group(held, prices, marks, members, limit, slack):
    tradable = members & np.isfinite(prices)
    value = np.abs(held) * np.where(np.isfinite(prices), prices, np.nan_to_num(marks))
    locked = float(value[members & ~np.isfinite(prices)].sum())
    total = float(value[members].sum())
    assert total <= max(limit, locked) + slack * tradable.sum() + REL * abs(limit), (total, limit, locked)


@given(scenarios())
def test_no_limit_is_exceeded_beyond_price_moves(scenario):
    b, signals, cfg, halt_from = scenario
    rec, books = drive(b, signals, cfg, halt_from)
    counts = risk_kit.PROPERTY_COUNTS
    counts["examples"] += 1
    rm, ps = cfg.risk_management, cfg.position_sizing
    equity = rec.equity["equity"]
    start, low = session_low_and_start(equity, b.session, float(cfg.simulation.initial_cash))
    sector_names = sorted(set(b.sectors))
    sector_ids = np.array([sector_names.index(s) for s in b.sectors])
    slack = ps.min_trade_size + 1e-6
    for t in range(b.n_bars):
        counts["bars"] += 1
        pos, p, marks, e = rec.positions[t], b.close[t], rec.close[t], float(equity[t])
        held, rebalance_working = planned(books[t], pos)
        tradable = np.isfinite(p)
        new = rec.orders[rec.orders["bar"] == t]
        if not ps.allow_short:  # neither a plan nor a fill may go short
            assert np.all(held >= 0.0) and np.all(pos >= 0.0), "short without allow_short"
        if halt_from is not None and t >= halt_from:
            counts["halted_bars"] += 1
            assert not np.any(new["reason"] == REBALANCE) and rebalance_working == 0
            assert np.all(np.abs(held) <= np.abs(pos) + 1e-9)
            if rm.flatten_on_emergency_stop:
                assert np.all(held[np.isfinite(marks)] == 0.0)
        else:
            if low[t] <= start[t] * (1 - rm.max_daily_loss):
                counts["daily_loss_bars"] += 1
                grows = tradable & ((np.abs(held) > np.abs(pos)) | (held * pos < 0))
                assert np.all(np.abs(held - pos)[grows] * p[grows] <= slack), "daily loss: risk added"
            cap = min(ps.max_position_size, rm.max_position_risk / rm.stop_loss_pct) * e
            value = np.abs(held[tradable]) * p[tradable]
            assert np.all(value <= cap + slack + REL * cap), "position size / position risk"
            grown = tradable & (np.abs(pos) * np.nan_to_num(p) > cap + slack)
            counts["trims"] += int(grown.sum())
            for s in range(len(sector_names)):
                check_group(held, p, marks, sector_ids == s, rm.max_sector_exposure * e, slack)
            check_group(held, p, marks, np.ones(len(pos), bool), ps.max_total_exposure * e, slack)
        if t + 1 < b.n_bars:  # fills between t and t+1 only move toward the plan or out by a stop
            after = rec.positions[t + 1]
            assert np.all(np.abs(after) <= np.maximum(np.abs(pos), np.abs(held)) + 1e-9), "overfilled"
            crossed = (after * pos < 0) & (after * held <= 0)
            assert not np.any(crossed), "a position crossed zero that was not planned to"
    stops = rec.orders[(rec.orders["reason"] == int(OrderReason.STOP_LOSS)) & (rec.orders["filled_qty"] > 0)]
    counts["stop_fills"] += len(stops)

    compiled = run_backtest(b, signals, cfg, "prop", halt_from_bar=halt_from)
    for name in ("order_id", "bar", "symbol", "side", "tif", "reason", "status", "qty", "filled_qty", "limit_price",
                 "stop_price", "created_at", "decision_price"):
        np.testing.assert_array_equal(compiled.orders[name], rec.orders[name], err_msg=name)
    assert compiled.risk_events.tobytes() == rec.risk_events.tobytes()
    assert compiled.equity.tobytes() == rec.equity.tobytes()
