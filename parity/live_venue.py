"""The replay's fake Alpaca venue in its own process (`python -m parity.live_venue`).

`parity paper --replay` normally runs the FakeAlpaca server and the ReplayVenue in the runner's own
process. With the venue here instead, the runner's process holds what it holds against the real
Alpaca (which is never in-process), so its memory can be measured alone (the paper benchmark). The
runner still talks to the fake over HTTP and the trade-updates websocket; only the replay's controls
(play a bar, read the clock, the fake's orders for settling) go through the worker pipe.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager
from typing import Any, Iterator

import pandas as pd

from parity.engine.config import ParityConfig
from parity.engine.data.bars import Bars
from parity.live_child import Worker, serve

MODULE = "parity.live_venue"


class RemoteFake:
    """The parts of a FakeAlpaca the replay and the ReplayBroker use, answered by the venue process."""

    def __init__(self, worker: Worker) -> None:
        self._worker = worker

    @property
    def now(self) -> pd.Timestamp:
        return pd.Timestamp(self._worker.call("now"), tz="UTC")

    @property
    def cash(self) -> float:
        return self._worker.call("cash")

    @property
    def positions(self) -> dict[str, float]:
        return self._worker.call("positions")

    def orders(self) -> list[dict[str, Any]]:
        return self._worker.call("orders")

    def posted_client_order_ids(self) -> list[str | None]:
        return self._worker.call("posted")

    def wait_for_listeners(self, count: int = 1, timeout: float = 10.0) -> None:
        self._worker.call("wait_for_listeners", count, timeout)


class RemoteVenue:
    """A ReplayVenue in the venue process: `play_bar(t)` and its `fake`."""

    def __init__(self, worker: Worker) -> None:
        self.fake = RemoteFake(worker)
        self._worker = worker

    def play_bar(self, t: int) -> None:
        self._worker.call("play_bar", t)


@contextmanager
def remote_replay_world(config: ParityConfig, bars: Bars, warmup: int, key_id: str,
                        secret_key: str) -> Iterator[tuple[RemoteFake, RemoteVenue, ParityConfig]]:
    """`parity.replay.replay_world` with the fake and the venue in a worker process."""
    worker = Worker(MODULE, "replay venue")
    try:
        cfg = worker.call("start", config, bars, warmup, key_id, secret_key)
        venue = RemoteVenue(worker)
        yield venue.fake, venue, cfg
    finally:
        worker.close()


class _Venue:
    def __init__(self) -> None:
        self.stack = ExitStack()
        self.fake: Any = None
        self.venue: Any = None

    def handle(self, request: tuple) -> Any:
        op, args = request[0], request[1:]
        if op == "start":
            from parity.replay import replay_world

            self.fake, self.venue, cfg = self.stack.enter_context(replay_world(*args))
            return cfg
        fake = self.fake
        if op == "now":
            return int(fake.now.value)
        if op == "play_bar":
            return self.venue.play_bar(*args)
        if op == "orders":
            return fake.orders()
        if op == "cash":
            return fake.cash
        if op == "positions":
            return fake.positions
        if op == "posted":
            return fake.posted_client_order_ids()
        if op == "wait_for_listeners":
            return fake.wait_for_listeners(*args)
        raise ValueError(f"unknown request '{op}'")


def main() -> int:
    venue = _Venue()
    try:
        serve(venue.handle)
    finally:
        venue.stack.close()
    return 0


if __name__ == "__main__":
    # requests carry parity/engine classes; unpickle them with this module imported under its own name
    from parity.live_venue import main as _main

    sys.exit(_main())
