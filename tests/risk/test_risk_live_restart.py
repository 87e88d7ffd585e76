"""Protective stops survive a restart of the live runner: a new process adopts the GTC stops an earlier
one left at the venue (fake Alpaca server) instead of sending a second stop for the same shares."""

from __future__ import annotations

from collections import Counter


from parity.brokers.alpaca.credentials import Credentials
from parity.brokers.alpaca.replay import ReplayBroker
from parity.brokers.alpaca.resilience import RateLimiter
from parity.engine.data.synthetic import synthetic_bars
from parity.engine.journal import Journal
from parity.live_app import build_live
from parity.replay import VenueClock, history_bars, replay_world

from test_risk_paper_halt import paper_config

KEY, SECRET = "PKRISKRESTART000000", "risk-restart-secret-00000000000000000000"


def start_process(fake, venue, cfg, folder):  # noqa: ANN001, ANN201
    setup = build_live(cfg, "<test>", folder, VenueClock(fake), Credentials(KEY, SECRET), broker_cls=ReplayBroker,
                       broker_args=(venue,), use_stream=False, limiter=RateLimiter(1_000_000))
    setup.broker.start()
    setup.runner.start()
    return setup


def open_stops(fake) -> Counter:  # noqa: ANN001
    working = ("new", "accepted", "partially_filled", "pending_new")
    return Counter(o["symbol"] for o in fake.orders() if o["type"] == "stop" and o["status"] in working)


def test_a_restarted_runner_keeps_one_stop_per_position(tmp_path):
    bars = synthetic_bars(20, 5, seed=9)
    cfg = paper_config(tmp_path, bars)
    warmup = history_bars(cfg)
    with replay_world(cfg, bars, warmup, KEY, SECRET) as (fake, venue, cfg):

        setup = start_process(fake, venue, cfg, tmp_path)
        assert setup.runner.cycle().orders_sent > 0  # buys
        venue.play_bar(warmup)
        setup.broker.settle()
        setup.runner.cycle()  # positions now exist: protective stops go out
        setup.close()
        stops = open_stops(fake)
        assert stops and max(stops.values()) == 1
        assert set(stops) <= {s for s, q in fake.positions.items() if q != 0}  # (a position being sold needs none)

        for t in (warmup + 1, warmup + 2):  # two more sessions, each decided by a freshly started process
            venue.play_bar(t)
            setup = start_process(fake, venue, cfg, tmp_path)
            setup.broker.settle()
            setup.runner.cycle()
            setup.close()
            stops = open_stops(fake)
            assert max(stops.values(), default=0) == 1, stops  # never a second stop for the same position
            held = {s for s, q in fake.positions.items() if q != 0}
            assert stops and set(stops) <= held
        # without adoption the venue refuses the duplicate stops and, worse, the sales the stale stops
        # block ("insufficient qty available"): nothing may be rejected
        with Journal(cfg.alpaca.journal_path) as journal:
            assert journal.intents(("rejected",)) == []
