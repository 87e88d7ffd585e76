"""PARITY: the same bars and signals through the stepped loop with (a) the SimBroker and (b) the
AlpacaBroker talking to the fake server, which fills each order at the SimBroker's price and
quantity for that bar, give identical orders, fills, positions and cash at every bar."""

from __future__ import annotations

import numpy as np
import pytest
from broker_kit import KEY, SECRET, alpaca_cfg

from parity.brokers.alpaca.credentials import Credentials
from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.replay import ReplayBroker, ReplayVenue
from parity.brokers.alpaca.resilience import RateLimiter
from parity.brokers.sim.broker import SimBroker
from parity.engine.clock import SimClock
from parity.engine.config.schema import ParityConfig
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.journal import Journal
from parity.engine.records import client_order_id
from parity.engine.signals import SignalSet
from parity.engine.stepper import run_stepped

CASH = 1_000_000.0
NO_FEES = {"commission_per_share": 0.0, "commission_min": 0.0, "sec_fee_rate": 0.0, "taf_per_share": 0.0,
           "taf_max_per_trade": 0.0}


def parity_config(order_type: str = "market", tif: str = "day") -> ParityConfig:
    # Alpaca paper charges no fees; slippage, participation caps and latency stay on: the fake is
    # told the SimBroker's prices and quantities, whatever produced them.
    return ParityConfig.model_validate({
        "position_sizing": {"max_position_size": 0.1, "min_trade_size": 100.0, "signal_threshold": 0.1},
        "order_management": {"default_order_type": order_type, "time_in_force": tif, "limit_price_offset": 0.002},
        "simulation": {"initial_cash": CASH, "fill": {"participation_rate": 0.02},
                       "slippage": {"fixed_bps": 2.0, "half_spread_bps": 1.0, "impact_coef": 0.1},
                       "fees": NO_FEES},
    })


def signals_for(bars, seed: int) -> SignalSet:
    rng = np.random.default_rng(seed)
    scores = rng.uniform(-1.0, 1.0, (bars.n_bars, bars.n_symbols))
    scores[0] = np.nan
    return SignalSet(scores, np.full(bars.n_bars, "", dtype=object))


@pytest.mark.parametrize("order_type, tif", [("market", "day"), ("limit", "day"), ("limit", "gtc")])
def test_sim_and_alpaca_fake_give_identical_runs(order_type: str, tif: str, tmp_path) -> None:
    bars = synthetic_bars(25, 6, seed=11)
    for col in range(bars.n_symbols):  # thin volume so the participation cap splits some fills
        bars.volume[:, col] = 2_000.0 + 500.0 * col
    signals = signals_for(bars, seed=5)
    cfg = parity_config(order_type, tif)

    sim = SimBroker(bars, cfg)
    a = run_stepped(bars, signals, cfg, sim, "par")
    sim_fills = sim.fill_records()
    assert len(a.orders) > 10 and len(sim_fills) > 10  # the run trades enough to mean something
    by_order_bar = {(client_order_id("par", int(f["order_id"])), int(f["bar"])): (float(f["price"]), float(f["qty"]))
                    for f in sim_fills}

    with FakeAlpaca(KEY, SECRET, cash=CASH, now=int(bars.open_ts[0]) - 3600 * 10**9,
                    enforce_buying_power=False) as fake:
        for sym in bars.symbols:  # synthetic tickers (S000..) are not real-looking: register them
            fake.set_asset(sym)
        venue = ReplayVenue(fake, bars, fill_prices=lambda cid, t: by_order_bar.get((cid, t)))
        journal = Journal(tmp_path / "journal.sqlite")
        with ReplayBroker(venue, alpaca_cfg(fake), Credentials(KEY, SECRET), journal=journal, run_key="par",
                          clock=SimClock(0), poll_interval_s=3600.0,
                          # replayed bars compress days into milliseconds: Alpaca's per-minute budget
                          # is about real minutes, so the replay lifts the client-side limit
                          limiter=RateLimiter(1_000_000)) as alpaca:
            fake.wait_for_listeners()
            b = run_stepped(bars, signals, cfg, alpaca, "par")
        final_positions = fake.positions
        final_cash = fake.cash

    same = ["order_id", "bar", "symbol", "side", "type", "tif", "status", "qty", "filled_qty", "limit_price"]
    assert len(a.orders) == len(b.orders) and len(a.fills) == len(b.fills)
    for name in same:  # field by field: NaN limit prices of market orders compare equal
        np.testing.assert_array_equal(a.orders[name], b.orders[name], err_msg=f"orders.{name}")
    for name in ["order_id", "bar", "symbol", "side", "qty", "price"]:
        np.testing.assert_array_equal(a.fills[name], b.fills[name], err_msg=f"fills.{name}")
    np.testing.assert_array_equal(a.positions, b.positions)
    # Alpaca reports money as decimal strings (the fake: 6 decimals), so the Alpaca side's cash is the
    # SimBroker's rounded to a millionth of a dollar; identical to well under a cent.
    np.testing.assert_allclose(a.equity["cash"], b.equity["cash"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(a.equity["equity"], b.equity["equity"], rtol=0, atol=1e-6)
    assert final_positions == sim.positions()
    assert final_cash == pytest.approx(sim.account().cash, abs=1e-6)
    assert journal.net_positions() == pytest.approx(sim.positions())
