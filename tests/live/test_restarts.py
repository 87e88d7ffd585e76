"""Cron-style restarts of the live runner: a bar is never decided twice, a client_order_id is never
reused, and a crash in the middle of sending is completed on restart (same journal, same venue)."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager

import pytest
from live_kit import market, paper_config

from parity.brokers.alpaca.credentials import Credentials
from parity.brokers.alpaca.replay import ReplayBroker
from parity.brokers.alpaca.resilience import RateLimiter
from parity.live_app import build_live
from parity.live_records import records_from_journal
from parity.replay import VenueClock, history_bars, replay_world

KEY, SECRET = "PKRESTART0000000000", "restart-secret-000000000000000000000000"


class SimulatedCrash(BaseException):
    pass


def start_process(fake, venue, cfg, folder):  # noqa: ANN001, ANN201
    """What `parity run` does when cron starts it: wire everything, reconcile, make the stepper."""
    setup = build_live(cfg, "<test>", folder, VenueClock(fake), Credentials(KEY, SECRET), broker_cls=ReplayBroker,
                       broker_args=(venue,), use_stream=False, limiter=RateLimiter(1_000_000))
    setup.broker.start()
    report = setup.runner.start()
    return setup, report


@contextmanager
def paper_world(tmp_path):  # noqa: ANN001, ANN201
    """A fake Alpaca holding the warm-up history, the venue that replays later bars into it, and a
    paper config pointed at it: (fake, venue, cfg, bars, warmup)."""
    bars = market(n_bars=16)
    cfg = paper_config(tmp_path, bars)
    warmup = history_bars(cfg)
    with replay_world(cfg, bars, warmup, KEY, SECRET) as (fake, venue, cfg):
        yield fake, venue, cfg, bars, warmup


def test_restarts_never_decide_twice_or_reuse_an_id_and_finish_an_interrupted_send(tmp_path) -> None:
    with paper_world(tmp_path) as (fake, venue, cfg, bars, warmup):

        # day 1: decide and send
        setup, _ = start_process(fake, venue, cfg, tmp_path)
        first = setup.runner.cycle()
        assert first.decided and first.orders_sent > 0
        assert setup.runner.order_key.endswith("e0")
        setup.close()

        # cron fires again the same evening: nothing new to decide, nothing sent
        setup, report = start_process(fake, venue, cfg, tmp_path)
        assert report.lines() == ["journal and broker agree; nothing to do"]
        posted = len(fake.posted_client_order_ids())
        assert not setup.runner.cycle().decided
        assert len(fake.posted_client_order_ids()) == posted
        assert setup.runner.order_key.endswith("e1")  # a new process never reuses the old ids

        # next session: its bar fills yesterday's orders at the open; today's decision goes out
        venue.play_bar(warmup)
        setup.broker.settle()
        second = setup.runner.cycle()
        assert second.decided and second.orders_sent > 0
        setup.close()

        # the next session's run crashes after journaling and sending only part of its orders
        venue.play_bar(warmup + 1)
        setup, _ = start_process(fake, venue, cfg, tmp_path)
        setup.broker.settle()
        sent = []

        def crash_after_two(req):  # noqa: ANN001, ANN202
            if len(sent) == 2:
                raise SimulatedCrash
            sent.append(req.client_order_id)

        setup.broker._before_send = crash_after_two
        with pytest.raises(SimulatedCrash):
            setup.runner.cycle()
        setup.close()

        # restart: the journaled-but-unsent order is sent (its bar is still the newest), the bar is not
        # decided again, and every order exists once
        setup, report = start_process(fake, venue, cfg, tmp_path)
        assert len(report.resent) == 1 and report.dropped == []
        assert not setup.runner.cycle().decided
        counts = Counter(fake.posted_client_order_ids())
        assert max(counts.values()) == 1
        venue.play_bar(warmup + 2)
        setup.broker.settle()
        setup.broker.sync(force_poll=True)
        assert setup.journal.net_positions() == pytest.approx(fake.positions)
        # the run's orders table names the ids the venue actually received, across all four starts
        frame = records_from_journal(setup.journal, setup.runner.run_key, bars.symbols, bars.sectors).orders_frame()
        assert sorted(frame["client_order_id"]) == sorted(fake.posted_client_order_ids())
        # starts e0, e1 and e2 sent orders; e3 only re-sent e2's journaled intent under its original id
        assert {cid.rsplit("-", 1)[0][-2:] for cid in frame["client_order_id"]} == {"e0", "e1", "e2"}
        setup.close()


def test_a_position_bought_between_cron_runs_gets_its_protective_stop_from_the_entry(tmp_path) -> None:
    with paper_world(tmp_path) as (fake, venue, cfg, bars, warmup):
        setup, _ = start_process(fake, venue, cfg, tmp_path)
        assert setup.runner.cycle().orders_sent > 0
        setup.close()
        venue.play_bar(warmup)  # the buys fill at the next open while no process runs
        held = {s: q for s, q in fake.positions.items() if q > 0}
        assert held

        setup, _ = start_process(fake, venue, cfg, tmp_path)
        entries = setup.broker.position_details()
        assert setup.runner.cycle().decided
        working = [o for o in fake.orders() if o["status"] in ("new", "accepted")]
        stops = {o["symbol"]: float(o["stop_price"]) for o in working if o["type"] == "stop"}
        exits = {o["symbol"] for o in working if o["type"] == "market" and o["side"] == "sell"}
        pct = cfg.risk_management.stop_loss_pct
        assert stops, "no protective stop was placed for positions bought between runs"
        for symbol in held:  # each holding is sold today, or protected stop_loss_pct below the broker's entry
            if symbol not in exits:
                assert stops[symbol] == pytest.approx(entries[symbol][1] * (1 - pct), abs=0.011)
        setup.close()
