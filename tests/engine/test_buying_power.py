"""The buying-power rule: buys are sized within the account's buying power, with the reserve a venue
keeps for market orders (risk_management.buying_power_buffer), and every cut is a risk event."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from parity.brokers.sim.backtest import run_backtest
from parity.brokers.sim.broker import SimBroker
from parity.engine.broker import AccountState, OrderAck
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.kernels.portfolio import account_buying_power
from parity.engine.kernels.risk import review_targets
from parity.engine.kernels.step import make_book
from parity.engine.params import reserve_factors
from parity.engine.signals import SignalSet
from parity.engine.stepper import run_stepped
from parity.engine.types import RISK_EVENT_DTYPE, RiskAction, RiskRule

from engine_kit import LOOSE_RISK, params
from test_engine_backtest import CFG, DAY, OPEN_OFFSET, SESSION, hand_bars

# Two symbols at 10 and 20, each wanting 0.8 of equity: 1.6x gross, allowed by max_total_exposure 2.
LEVERED = {"position_sizing": {"max_position_size": 0.8, "max_total_exposure": 2.0, "min_trade_size": 0}}


def cash_book(positions, cash, equity, marks, buying_power):
    n = len(positions)
    return make_book(np.asarray(positions, dtype=np.float64), np.zeros(n), np.full(n, np.nan),
                     np.asarray(marks, dtype=np.float64), float(cash), float(equity), float(equity), float(equity),
                     np.zeros(n), np.zeros(n), np.full(n, np.nan), False, np.zeros(n, dtype=np.bool_),
                     float(buying_power))


def review(targets, book, p):
    has_view = np.ones(len(targets), dtype=np.bool_)
    prices = book.marks.copy()
    adjusted, events, n = review_targets(0, 0, np.asarray(targets, dtype=np.float64), has_view, prices, book,
                                         np.zeros(len(targets), dtype=np.int64), p.risk,
                                         np.zeros(4, RISK_EVENT_DTYPE), 0)
    return adjusted, events[:n]


def test_exposure_above_1x_on_a_cash_account_is_cut_to_its_buying_power():
    p = params(**LEVERED)
    book = cash_book([0.0, 0.0], cash=100_000, equity=100_000, marks=[10.0, 20.0], buying_power=100_000)
    # 8,000 * 10 * 1.04 + 4,000 * 20 * 1.04 = 166,400 > 100,000: one factor 100,000 / 166,400 = 0.6009...
    # -> 4,807.69 -> 4,807 and 2,403.85 -> 2,403 (49,992.80 + 49,982.40 = 99,975.20 <= 100,000)
    adjusted, events = review([8_000.0, 4_000.0], book, p)
    assert adjusted.tolist() == [4_807.0, 2_403.0]
    assert events[["symbol", "rule", "action", "requested", "allowed"]].tolist() == [
        (0, RiskRule.BUYING_POWER, RiskAction.SCALED, 8_000.0, 4_807.0),
        (1, RiskRule.BUYING_POWER, RiskAction.SCALED, 4_000.0, 2_403.0)]


def test_within_buying_power_nothing_is_cut():
    p = params(**LEVERED)
    book = cash_book([0.0, 0.0], cash=100_000, equity=100_000, marks=[10.0, 20.0], buying_power=200_000)
    adjusted, events = review([8_000.0, 4_000.0], book, p)
    assert adjusted.tolist() == [8_000.0, 4_000.0] and len(events) == 0


def test_a_sale_does_not_fund_a_buy_until_it_fills():
    """Fully invested in A with no cash: moving to B sells A now, and B waits for the proceeds."""
    p = params(**LEVERED)
    book = cash_book([1_000.0, 0.0], cash=0, equity=10_000, marks=[10.0, 20.0], buying_power=0)
    adjusted, events = review([0.0, 300.0], book, p)
    assert adjusted.tolist() == [0.0, 0.0]
    assert events[["symbol", "rule", "requested", "allowed"]].tolist() == [(1, RiskRule.BUYING_POWER, 300.0, 0.0)]


def test_only_the_added_part_of_a_target_is_cut():
    """Holding 1,000 A and 1,000 B with 5,200 of buying power: adding 1,000 A needs 10,400, so half goes;
    the held shares are never cut."""
    p = params(**LEVERED)
    book = cash_book([1_000.0, 1_000.0], cash=5_200, equity=35_200, marks=[10.0, 20.0], buying_power=5_200)
    adjusted, events = review([2_000.0, 1_000.0], book, p)
    assert adjusted.tolist() == [1_500.0, 1_000.0]
    assert events[["symbol", "requested", "allowed"]].tolist() == [(0, 2_000.0, 1_500.0)]


def test_without_a_reported_buying_power_the_rule_does_not_bind():
    p = params(**LEVERED)
    book = cash_book([0.0, 0.0], cash=100_000, equity=100_000, marks=[10.0, 20.0], buying_power=np.inf)
    adjusted, events = review([8_000.0, 4_000.0], book, p)
    assert adjusted.tolist() == [8_000.0, 4_000.0] and len(events) == 0


def test_reserve_factors_follow_the_order_type_and_the_configured_buffer():
    assert reserve_factors("market", 0.001, 0.04) == (1.04, 1.04)
    assert reserve_factors("limit", 0.01, 0.04) == (0.99, 1.04)  # a buy limit 1% below, a short at the buffer
    assert reserve_factors("limit", -0.05, 0.04) == (1.05, 1.04)  # marketable limits: at their limit
    assert params(**LEVERED, risk_management={**LOOSE_RISK, "buying_power_buffer": 0.0}).risk.buy_reserve == 1.0
    with pytest.raises(ValueError):
        ParityConfig.model_validate({"risk_management": {"buying_power_buffer": -0.01}})


def test_simulated_buying_power_is_cash_on_a_cash_account_and_margin_above():
    assert account_buying_power(40_000.0, 100_000.0, 60_000.0, 1.0) == 40_000.0
    assert account_buying_power(-5.0, 100_000.0, 100_005.0, 1.0) == 0.0
    assert account_buying_power(40_000.0, 100_000.0, 60_000.0, 2.0) == 140_000.0  # 2 x 100,000 - 60,000


def two_symbol_bars() -> Bars:
    t = 3
    o = np.array([[10.0, 20.0]] * t)
    open_ts = np.arange(t, dtype=np.int64) * DAY + OPEN_OFFSET
    return Bars(symbols=("AAA", "BBB"), sectors=("Tech", "Energy"), open_ts=open_ts, close_ts=open_ts + SESSION,
                session=np.arange(t, dtype=np.int64), open=o, high=o + 0.5, low=o - 0.5, close=o.copy(),
                volume=np.full((t, 2), 1e7))


LEVERED_RUN = ParityConfig.model_validate({
    **LEVERED,
    "risk_management": {**LOOSE_RISK},
    "simulation": {"initial_cash": 100_000, "fill": {"participation_rate": 1.0},
                   "slippage": {"fixed_bps": 0, "half_spread_bps": 0, "impact_coef": 0},
                   "latency": {"submit_ms": 0, "fill_ms": 0},
                   "fees": {"commission_per_share": 0, "commission_min": 0, "sec_fee_rate": 0, "taf_per_share": 0}},
})


def test_a_backtest_on_a_cash_account_never_spends_more_than_its_cash():
    bars = two_symbol_bars()
    signals = SignalSet(np.ones((3, 2)), np.array([""] * 3))
    r = run_backtest(bars, signals, LEVERED_RUN, "bp")
    # bar 0: cut as in the kernel test; filled at bar 1's open (10 and 20, no costs): cash 3,870.
    # bar 1: adding 3,193 AAA and 1,597 BBB needs 33,207.20 + 33,217.60 = 66,424.80: scale 3,870 / 66,424.80
    #        -> +186 (4,993) and +93 (2,496), costing 3,720: cash 150.
    # bar 2: adding 3,007 and 1,504 needs 62,556: scale 150 / 62,556 -> +7 and +3 (never filled: last bar).
    assert r.orders[["bar", "symbol", "qty"]].tolist() == [(0, 0, 4_807.0), (0, 1, 2_403.0), (1, 0, 186.0),
                                                          (1, 1, 93.0), (2, 0, 7.0), (2, 1, 3.0)]
    np.testing.assert_allclose(r.equity["cash"], [100_000, 3_870, 150], rtol=1e-12)
    bp = r.risk_events[r.risk_events["rule"] == RiskRule.BUYING_POWER]
    assert bp[["bar", "symbol", "requested", "allowed"]].tolist() == [
        (0, 0, 8_000.0, 4_807.0), (0, 1, 4_000.0, 2_403.0), (1, 0, 8_000.0, 4_993.0), (1, 1, 4_000.0, 2_496.0),
        (2, 0, 8_000.0, 5_000.0), (2, 1, 4_000.0, 2_499.0)]
    assert (r.equity["cash"] >= 0).all() and r.equity["gross_exposure"].max() <= 1.0


def test_the_stepped_loop_cuts_the_same_orders_from_the_simbrokers_account():
    bars = two_symbol_bars()
    signals = SignalSet(np.ones((3, 2)), np.array([""] * 3))
    compiled = run_backtest(bars, signals, LEVERED_RUN, "bp")
    broker = SimBroker(bars, LEVERED_RUN)
    stepped = run_stepped(bars, signals, LEVERED_RUN, broker, "bp")
    assert stepped.risk_events.tobytes() == compiled.risk_events.tobytes()
    assert stepped.orders["qty"].tolist() == compiled.orders["qty"].tolist()
    assert stepped.equity.tobytes() == compiled.equity.tobytes()


class PaperAccount:
    """A broker that reports 100,000 of cash but only 5,000 of buying power, and accepts every order."""

    def __init__(self):
        self.submitted = []

    def account(self):
        return AccountState(cash=100_000.0, equity=100_000.0, buying_power=5_000.0)

    def positions(self):
        return {}

    def submit(self, orders):
        self.submitted.extend(orders)
        return [OrderAck(o.client_order_id, accepted=True) for o in orders]

    def cancel(self, ids):
        pass

    def open_orders(self):
        return []

    def events_since(self, cursor):
        return [], cursor


def test_the_stepped_loop_sizes_buys_within_the_brokers_reported_buying_power():
    bars = hand_bars([10], [10.5])
    signals = SignalSet(np.array([[1.0]]), np.array([""]))
    broker = PaperAccount()
    r = run_stepped(bars, signals, CFG, broker, "paper")
    # wanted 0.1 * 100,000 / 10.5 -> 952 shares; 952 * 10.5 * 1.04 = 10,395.84 > 5,000:
    # 952 * 5,000 / 10,395.84 = 457.88 -> 457 (457 * 10.5 * 1.04 = 4,990.44)
    assert [o.qty for o in broker.submitted] == [457.0]
    assert r.risk_events[["rule", "requested", "allowed"]].tolist() == [(RiskRule.BUYING_POWER, 952.0, 457.0)]


@st.composite
def cash_account_runs(draw):
    """Random walks for 4 symbols over 15 daily bars, random scores, gross targets up to 3x equity."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t, n = 15, 4
    close = 20.0 * np.exp(np.cumsum(rng.normal(0.0, 0.03, (t, n)), axis=0))
    open_ = close * np.exp(rng.normal(0.0, 0.02, (t, n)))
    open_ts = np.arange(t, dtype=np.int64) * DAY + OPEN_OFFSET
    bars = Bars(symbols=("A", "B", "C", "D"), sectors=("s",) * n, open_ts=open_ts, close_ts=open_ts + SESSION,
                session=np.arange(t, dtype=np.int64), open=open_, high=np.maximum(open_, close) * 1.01,
                low=np.minimum(open_, close) * 0.99, close=close, volume=np.full((t, n), 1e6))
    scores = rng.uniform(-1.0, 1.0, (t, n))
    cfg = ParityConfig.model_validate({
        "position_sizing": {"max_position_size": draw(st.floats(0.2, 1.0)),
                            "max_total_exposure": draw(st.floats(1.0, 3.0)), "min_trade_size": 0},
        "risk_management": {**LOOSE_RISK, "stop_orders": draw(st.booleans()),
                            "buying_power_buffer": draw(st.floats(0.0, 0.1))},
        "simulation": {"initial_cash": 100_000, "fill": {"participation_rate": draw(st.floats(0.001, 1.0))}}})
    return bars, SignalSet(scores, np.array([""] * t)), cfg


@given(cash_account_runs())
def test_buys_decided_on_a_cash_account_never_reserve_more_than_its_cash(case):
    """Daily DAY orders: nothing bought earlier still works at a decision, and sales fund nothing until
    they fill, so every bar's buys, priced with the reserve at the decision price, fit in its cash."""
    bars, signals, cfg = case
    r = run_backtest(bars, signals, cfg, "prop")
    reserve = 1.0 + cfg.risk_management.buying_power_buffer
    buys = r.orders[r.orders["side"] == 1]
    spent = np.bincount(buys["bar"], weights=buys["qty"] * buys["decision_price"] * reserve,
                        minlength=bars.n_bars)
    cash = np.maximum(r.equity["cash"], 0.0)
    assert (spent <= cash * (1 + 1e-12) + 1e-9).all()
