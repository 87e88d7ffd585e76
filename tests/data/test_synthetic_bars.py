"""synthetic_bars: seeded, well-formed OHLCV on the XNYS calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.engine.data import synthetic_bars


def test_same_seed_same_bytes_other_seed_differs() -> None:
    a, b, c = synthetic_bars(50, 4, seed=7), synthetic_bars(50, 4, seed=7), synthetic_bars(50, 4, seed=8)
    for name in ("open", "high", "low", "close", "volume"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes()
    assert not np.array_equal(a.close, c.close)


@settings(max_examples=25, deadline=None)
@given(n_bars=st.integers(1, 300), n_symbols=st.integers(1, 6), seed=st.integers(0, 2**32 - 1),
       timeframe=st.sampled_from(["1Day", "1Min", "5Min", "1Hour"]))
def test_bars_are_well_formed(n_bars: int, n_symbols: int, seed: int, timeframe: str) -> None:
    b = synthetic_bars(n_bars, n_symbols, seed=seed, timeframe=timeframe)
    assert b.open.shape == (n_bars, n_symbols)
    assert np.isfinite(b.close).all() and (b.low > 0).all()
    assert (b.high >= np.maximum(b.open, b.close)).all()
    assert (b.low <= np.minimum(b.open, b.close)).all()
    assert (b.volume >= 1).all() and (b.volume == np.rint(b.volume)).all()  # whole shares
    assert (np.diff(b.open_ts) > 0).all() and (b.close_ts > b.open_ts).all()
    assert (np.diff(b.session) >= 0).all()


def test_daily_bars_are_xnys_sessions_with_early_close() -> None:
    # 2024-07-03 closes at 13:00 ET (17:00 UTC); 2024-07-04 is a holiday.
    b = synthetic_bars(3, 2, start="2024-07-02")
    closes = pd.to_datetime(b.close_ts, utc=True)
    assert list(closes.strftime("%Y-%m-%d %H:%M")) == ["2024-07-02 20:00", "2024-07-03 17:00", "2024-07-05 20:00"]
    assert pd.Timestamp(b.open_ts[0], tz="UTC") == pd.Timestamp("2024-07-02 13:30", tz="UTC")
    assert list(np.diff(b.session)) == [1, 1]  # consecutive sessions: the holiday is not a session
    assert b.symbols == ("S000", "S001") and b.sectors == ("Sector0", "Sector1")


def test_minute_bars_cover_the_regular_session() -> None:
    # 2024-07-03 is an early close: 13:30..17:00 UTC = 210 one-minute bars, then 2024-07-05.
    b = synthetic_bars(211, 1, timeframe="1Min", start="2024-07-03")
    opens = pd.to_datetime(b.open_ts, utc=True)
    assert opens[0] == pd.Timestamp("2024-07-03 13:30", tz="UTC")
    assert opens[209] == pd.Timestamp("2024-07-03 16:59", tz="UTC")
    assert opens[210] == pd.Timestamp("2024-07-05 13:30", tz="UTC")
    assert ((b.close_ts - b.open_ts) == 60 * 10**9).all()
    assert b.session[209] + 1 == b.session[210] and b.session[0] == b.session[209]


def test_sectors_round_robin() -> None:
    b = synthetic_bars(2, 7, n_sectors=3)
    assert b.sectors == ("Sector0", "Sector1", "Sector2", "Sector0", "Sector1", "Sector2", "Sector0")
