"""Alpaca bars: download through alpaca-py from the fake, parquet cache, and `data.source: alpaca`."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest
from broker_kit import KEY, SECRET, alpaca_cfg

from parity.brokers.alpaca.credentials import Credentials
from parity.brokers.alpaca.fake import FakeAlpaca
from parity.brokers.alpaca.market_data import AlpacaBars
from parity.engine.config.schema import DataConfig
from parity.engine.data.alpaca_source import cache_path, load_alpaca_bars, merge_into_cache
from parity.engine.data.errors import DataError

# Three sessions, two symbols, Alpaca-style daily stamps (midnight New York, in UTC).
DAYS = ["2024-01-02T05:00:00Z", "2024-01-03T05:00:00Z", "2024-01-04T05:00:00Z"]
ROWS = [(s, d, 10.0 + k, 11.0 + k, 9.0 + k, 10.5 + k, 1000.0 * (k + 1)) for k, d in enumerate(DAYS) for s in ("AAA", "BBB")]


@pytest.fixture
def fake():
    with FakeAlpaca(KEY, SECRET, now="2024-01-05T15:00:00Z") as f:
        f.load_bars(pd.DataFrame(ROWS, columns=["symbol", "t", "o", "h", "l", "c", "v"]))
        yield f


def test_download_cache_and_load_through_the_data_checks(fake: FakeAlpaca, tmp_path) -> None:
    source = AlpacaBars(alpaca_cfg(fake), Credentials(KEY, SECRET))
    frame = source.fetch(["AAA", "BBB"], "1Day", datetime(2024, 1, 1, tzinfo=timezone.utc),
                         datetime(2024, 1, 5, tzinfo=timezone.utc))
    assert len(frame) == 6 and list(frame.columns) == ["symbol", "ts", "open", "high", "low", "close", "volume"]
    path = cache_path(tmp_path / "cache", "iex", "1Day")
    merge_into_cache(frame.iloc[:4], path)
    merged = merge_into_cache(frame, path)  # overlapping download: no duplicates
    assert len(merged) == 6
    (tmp_path / "u.csv").write_text("symbol,sector\nAAA,Tech\nBBB,Energy\n")
    cfg = DataConfig(source="alpaca", universe=tmp_path / "u.csv", cache_dir=tmp_path / "cache")
    bars, report = load_alpaca_bars(cfg)
    assert bars.symbols == ("AAA", "BBB") and bars.sectors == ("Tech", "Energy")
    # the second session's bar: open 11, close 11.5 for both symbols
    np.testing.assert_array_equal(bars.close[:, 0], [10.5, 11.5, 12.5])
    assert pd.Timestamp(bars.close_ts[0], tz="UTC") == pd.Timestamp("2024-01-02T21:00Z")  # 16:00 New York


def test_missing_cache_says_how_to_fill_it(tmp_path) -> None:
    (tmp_path / "u.csv").write_text("symbol,sector\nAAA,Tech\n")
    cfg = DataConfig(source="alpaca", universe=tmp_path / "u.csv", cache_dir=tmp_path / "nothing")
    with pytest.raises(DataError, match="parity data download"):
        load_alpaca_bars(cfg)


def test_parity_data_download_command(fake: FakeAlpaca, tmp_path, monkeypatch, capsys) -> None:
    from parity.cli import main

    (tmp_path / "u.csv").write_text("symbol,sector\nAAA,Tech\nBBB,Energy\n")
    cfg_file = tmp_path / "c.yaml"
    cfg_file.write_text(f"data:\n  universe: {tmp_path / 'u.csv'}\n  cache_dir: {tmp_path / 'cache'}\n"
                        f"alpaca:\n  data_url: {fake.base_url}\n")
    monkeypatch.setenv("APCA_API_KEY_ID", KEY)
    monkeypatch.setenv("APCA_API_SECRET_KEY", SECRET)
    assert main(["data", "download", "--config", str(cfg_file), "--start", "2024-01-01", "--end", "2024-01-04"]) == 0
    assert "6 bar(s) for 2 symbol(s)" in capsys.readouterr().out
    assert len(pd.read_parquet(cache_path(tmp_path / "cache", "iex", "1Day"))) == 6
    monkeypatch.delenv("APCA_API_SECRET_KEY")
    assert main(["data", "download", "--config", str(cfg_file), "--start", "2024-01-01"]) == 2
    assert "APCA_API_SECRET_KEY" in capsys.readouterr().err


def test_extended_hours_bars_are_left_out_of_intraday_data() -> None:
    from parity.engine.data.alpaca_source import pipeline_frame

    # 2024-01-02: 13:00 UTC is pre-market (8:00 New York), 14:30 the open, 21:15 after hours
    ts = pd.to_datetime(["2024-01-02T13:00Z", "2024-01-02T14:30Z", "2024-01-02T20:45Z", "2024-01-02T21:15Z"], utc=True)
    frame = pd.DataFrame({"symbol": "AAA", "ts": ts, "open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0, "volume": 1.0})
    kept = pipeline_frame(frame, "15Min", "XNYS")
    assert list(kept["ts"]) == list(ts[1:3]) and list(kept["row"]) == [1, 2]
