"""The content-keyed Bars cache (engine/data/bars_cache.py) behind `load_bars` for the embedded source.

A tiny stand-in for the embedded package (two symbols x three sessions, same file layout) lets the
tests change the source bytes; the cache folder is the config's data.cache_dir under tmp_path.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from parity.engine.config.schema import DataConfig
from parity.engine.data import bars_cache, embedded, load_bars_with_report

# 2010-01-04 .. 2010-01-06 are three consecutive XNYS sessions. Volume is in 100-share lots.
PRICES = """Date,Symbol,Open,High,Low,Close,Volume
20100104,AAA,10,11,9,10.5,100
20100105,AAA,10.5,11,10,10.8,120
20100106,AAA,10.8,11.2,10.4,11,90
20100104,BBB,20,21,19,20.5,50
20100105,BBB,20.5,21,20,20.2,60
20100106,BBB,20.2,20.9,19.9,20.6,70
"""
UNIVERSE = "symbol,sector\nAAA,Tech\nBBB,Energy\n"


@pytest.fixture()
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake embedded data folder; returns the price file."""
    data = tmp_path / "package_data"
    data.mkdir()
    (data / embedded.PRICES_FILE).write_text(PRICES)
    (tmp_path / "universe.csv").write_text(UNIVERSE)
    monkeypatch.setattr(embedded, "data_dir", lambda: data)
    monkeypatch.delenv(bars_cache.ENV_SWITCH, raising=False)
    return data / embedded.PRICES_FILE


def config(tmp_path: Path, **kw: object) -> DataConfig:
    return DataConfig(universe=tmp_path / "universe.csv", cache_dir=tmp_path / "cache", **kw)


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / bars_cache.SUBDIR).glob("*.npz"))


def assert_same(a, b) -> None:
    (bars_a, report_a), (bars_b, report_b) = a, b
    assert report_a == report_b
    assert (bars_a.symbols, bars_a.sectors, bars_a.notes) == (bars_b.symbols, bars_b.sectors, bars_b.notes)
    for name in ("open_ts", "close_ts", "session", "open", "high", "low", "close", "volume"):
        x, y = getattr(bars_a, name), getattr(bars_b, name)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True), name


def test_second_load_comes_from_the_cache_unchanged(tmp_path: Path, source: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_bars_with_report(config(tmp_path))
    assert len(entries(tmp_path)) == 1
    # a hit never reads the source: make reading it fail
    monkeypatch.setattr(embedded, "read_prices", lambda *a, **k: pytest.fail("source read on a cache hit"))
    second = load_bars_with_report(config(tmp_path))
    assert_same(first, second)
    bars = second[0]
    assert bars.symbols == ("AAA", "BBB") and bars.sectors == ("Tech", "Energy")
    assert bars.close[2, 0] == 11.0 and bars.volume[0, 1] == 5000.0  # 50 lots of 100 shares


def test_changed_source_bytes_give_a_new_entry_with_the_new_prices(tmp_path: Path, source: Path) -> None:
    before = load_bars_with_report(config(tmp_path))[0]
    source.write_text(PRICES.replace("20100106,AAA,10.8,11.2,10.4,11,90", "20100106,AAA,10.8,11.2,10.4,10.9,90"))
    after = load_bars_with_report(config(tmp_path))[0]
    assert before.close[2, 0] == 11.0 and after.close[2, 0] == 10.9
    assert len(entries(tmp_path)) == 2


def test_changed_universe_or_window_gives_a_new_entry(tmp_path: Path, source: Path) -> None:
    assert load_bars_with_report(config(tmp_path))[0].n_symbols == 2
    (tmp_path / "universe.csv").write_text("symbol,sector\nBBB,Energy\n")
    assert load_bars_with_report(config(tmp_path))[0].symbols == ("BBB",)
    assert load_bars_with_report(config(tmp_path, end="2010-01-05"))[0].n_bars == 2
    assert len(entries(tmp_path)) == 3


def test_corrupt_or_truncated_entry_is_ignored_and_rewritten(tmp_path: Path, source: Path) -> None:
    good = load_bars_with_report(config(tmp_path))
    [entry] = entries(tmp_path)
    whole = entry.read_bytes()
    for damaged in (b"not a zip file at all", whole[: len(whole) // 2]):
        entry.write_bytes(damaged)
        assert bars_cache.read_entry(entry) is None
        assert_same(load_bars_with_report(config(tmp_path)), good)  # rebuilt from the source
        assert bars_cache.read_entry(entry) is not None  # and stored again whole
        assert entries(tmp_path) == [entry]


def test_a_missing_universe_is_still_reported_in_the_loaders_words(tmp_path: Path, source: Path) -> None:
    (tmp_path / "universe.csv").unlink()
    with pytest.raises(Exception, match="data.universe: file not found"):
        load_bars_with_report(config(tmp_path))
    assert entries(tmp_path) == []


def test_switched_off_by_the_environment(tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bars_cache.ENV_SWITCH, "off")
    load_bars_with_report(config(tmp_path))
    assert entries(tmp_path) == []


def test_old_entries_are_pruned_to_keep(tmp_path: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bars_cache, "KEEP", 2)
    for age, end in enumerate(("2010-01-04", "2010-01-05", "2010-01-06")):
        seen = set(entries(tmp_path))
        load_bars_with_report(config(tmp_path, end=end))
        [new] = set(entries(tmp_path)) - seen
        os.utime(new, (1_000_000 + age, 1_000_000 + age))  # distinct ages, whatever the clock's resolution
    kept = entries(tmp_path)
    assert len(kept) == 2
    assert {bars_cache.read_entry(p)[0].n_bars for p in kept} == {2, 3}  # the two newest windows


def test_an_unwritable_cache_folder_only_means_no_cache(tmp_path: Path, source: Path) -> None:
    (tmp_path / "cache").write_text("a file where the folder should be")
    bars, _ = load_bars_with_report(config(tmp_path))
    assert bars.n_bars == 3
