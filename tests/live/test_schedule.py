"""MarketSchedule: decisions at each bar's close on the exchange calendar (holidays, early closes)."""

from __future__ import annotations

import pandas as pd

from parity.live import MarketSchedule


def ns(text: str) -> int:
    return int(pd.Timestamp(text).value)


def test_daily_decisions_skip_holidays_and_follow_early_closes() -> None:
    s = MarketSchedule("XNYS", "1Day", settle_s=120)
    # Wed 2024-11-27 normal close 21:00 UTC; Thu 28 Thanksgiving; Fri 29 closes 13:00 ET = 18:00 UTC
    times = s.decision_times(ns("2024-11-27T12:00Z"), ns("2024-12-03T00:00Z"))
    assert [str(pd.Timestamp(t, tz="UTC")) for t in times] == [
        "2024-11-27 21:02:00+00:00", "2024-11-29 18:02:00+00:00", "2024-12-02 21:02:00+00:00"]
    # asked during the holiday, the next decision is Friday's early close
    assert s.next_decision(ns("2024-11-28T15:00Z")) == ns("2024-11-29T18:02Z")


def test_intraday_decisions_at_each_bar_close() -> None:
    s = MarketSchedule("XNYS", "1Hour")
    # 2024-11-29 (early close): 14:30..18:00 UTC -> hourly closes 15:30, 16:30, 17:30 and the short last bar 18:00
    times = s.decision_times(ns("2024-11-29T14:00Z"), ns("2024-11-29T23:00Z"))
    assert [pd.Timestamp(t, tz="UTC").strftime("%H:%M") for t in times] == ["15:30", "16:30", "17:30", "18:00"]


def test_run_forever_sleeps_until_each_close_then_decides() -> None:
    from parity.live import LiveRunner

    class Clock:
        now = ns("2024-11-27T20:00Z")

        def now_ns(self) -> int:
            return self.now

    clock = Clock()
    decided: list[int] = []
    runner = LiveRunner.__new__(LiveRunner)  # only the driving loop is under test
    runner.clock = clock
    runner.cycle = lambda: decided.append(clock.now)
    runner.write_outputs = lambda: None
    closed: list[int] = []
    runner.close_scorer = lambda: closed.append(clock.now)

    def sleep(seconds: float) -> None:
        clock.now += int(seconds * 1e9)

    idles: list[int] = []
    runner.run_forever(MarketSchedule("XNYS", "1Day"), sleep, stop=lambda: len(decided) >= 2,
                       idle=lambda: idles.append(clock.now))
    assert decided == [ns("2024-11-27T21:00Z"), ns("2024-11-29T18:00Z")]
    # it sleeps at most a minute at a time and syncs with the broker after each: 60 wakes in the first hour
    assert idles[:2] == [ns("2024-11-27T20:01Z"), ns("2024-11-27T20:02Z")] and len(idles) > 60
    # the next daily decision is hours away each time (> IDLE_RELEASE_S): the scoring worker is ended
    assert closed == decided
