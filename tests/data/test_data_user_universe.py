"""data.universe with a user's csv/parquet file: set, it selects the symbols that trade and gives
their sectors; unset, every symbol of the file trades with sector "Unknown". Either way a note says
what was left out or defaulted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_helpers import csv_config, write_csv
from parity.engine.config.schema import DataConfig
from parity.engine.data import DataError, load_bars

DAYS = ("2024-07-01", "2024-07-02")


def rows_for(*symbols: str) -> list[str]:
    return [f"{day},{sym},10,11,9,10,100" for sym in symbols for day in DAYS]


def universe_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "u.csv"
    path.write_text(text)
    return path


def test_universe_selects_the_symbols_that_trade_and_names_the_dropped_ones(tmp_path) -> None:
    path = write_csv(tmp_path, rows_for("AAA", "BBB", "CCC", "DDD"))
    universe = universe_file(tmp_path, "symbol,sector\nCCC,Energy\nAAA,Utilities\n")
    bars = load_bars(csv_config(path, universe=universe))
    assert bars.symbols == ("CCC", "AAA")  # the universe's order, as for the embedded source
    assert bars.sectors == ("Energy", "Utilities")
    dropped = [n for n in bars.notes if "not in data.universe" in n]
    assert dropped == [f"{path}: 2 symbols not in data.universe ({universe}) left out: BBB, DDD"]


def test_dropped_note_lists_the_first_few_only(tmp_path) -> None:
    symbols = [f"S{i:02d}" for i in range(15)]
    path = write_csv(tmp_path, rows_for(*symbols))
    universe = universe_file(tmp_path, "symbol,sector\nS00,Energy\n")
    (note,) = [n for n in load_bars(csv_config(path, universe=universe)).notes if "not in data.universe" in n]
    assert note.endswith("14 symbols not in data.universe (" + str(universe) + ") left out: "
                         + ", ".join(symbols[1:11]) + " and 4 more")


def test_universe_symbol_without_rows_is_an_error_naming_symbol_and_file(tmp_path) -> None:
    path = write_csv(tmp_path, rows_for("AAA"))
    universe = universe_file(tmp_path, "symbol,sector\nAAA,Energy\nZZZ,Energy\n")
    with pytest.raises(DataError, match=rf"^{path}: no rows for ZZZ, listed in data.universe \({universe}\) "
                                        r"\(add its bars to the file or remove it from the universe\)$"):
        load_bars(csv_config(path, universe=universe))


def test_universe_symbol_in_another_case_gets_a_hint(tmp_path) -> None:
    path = write_csv(tmp_path, rows_for("aaa"))
    universe = universe_file(tmp_path, "symbol,sector\nAAA,Energy\n")
    with pytest.raises(DataError, match=r"no rows for AAA, .* \(the file has 'aaa': symbols are case-sensitive\)$"):
        load_bars(csv_config(path, universe=universe))


def test_explicit_missing_universe_is_an_error_with_the_absolute_path(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path, rows_for("AAA"))
    cfg = DataConfig(source="csv", path="bars.csv", universe="nowhere/u.csv")
    with pytest.raises(DataError, match=rf"^data.universe: file not found: {tmp_path / 'nowhere' / 'u.csv'} "):
        load_bars(cfg)


def test_no_universe_trades_every_symbol_as_unknown_with_a_note(tmp_path) -> None:
    path = write_csv(tmp_path, rows_for("BBB", "AAA"))
    bars = load_bars(csv_config(path))
    assert bars.symbols == ("AAA", "BBB") and bars.sectors == ("Unknown", "Unknown")
    (note,) = [n for n in bars.notes if "data.universe" in n]
    assert note == (f"{path}: data.universe not set: all 2 symbols of the file trade, each with sector Unknown "
                    f"(the sector cap then treats them as one sector; set data.universe to a symbol,sector CSV "
                    f"to choose symbols and sectors)")


def test_blank_sector_in_the_universe_is_a_note(tmp_path) -> None:
    path = write_csv(tmp_path, rows_for("AAA", "BBB"))
    universe = universe_file(tmp_path, "symbol,sector\nAAA,\nBBB,Energy\n")
    bars = load_bars(csv_config(path, universe=universe))
    assert bars.sectors == ("Unknown", "Energy")
    assert f"{universe}: 1 symbol with sector Unknown (the sector cap treats them as one sector): AAA" in bars.notes


def test_parquet_source_follows_the_same_rules(tmp_path) -> None:
    frame = pd.DataFrame({"date": list(DAYS) * 2, "symbol": ["AAA", "AAA", "BBB", "BBB"], "open": 10.0,
                          "high": 11.0, "low": 9.0, "close": 10.0, "volume": 100.0})
    path = tmp_path / "bars.parquet"
    frame.to_parquet(path)
    universe = universe_file(tmp_path, "symbol,sector\nBBB,Energy\n")
    bars = load_bars(DataConfig(source="parquet", path=path, universe=universe))
    assert bars.symbols == ("BBB",) and bars.sectors == ("Energy",)
