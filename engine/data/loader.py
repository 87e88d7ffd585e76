"""`load_bars`: the one entry point from a `DataConfig` to checked, calendar-aligned `Bars`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parity.engine.config.schema import DataConfig
from parity.engine.data import bars_cache, embedded
from parity.engine.data.bars import Bars
from parity.engine.data.errors import DataError
from parity.engine.data.report import DataReport
from parity.engine.data.universe import read_universe, universe_path


def load_bars(cfg: DataConfig, base_dir: Path = Path("."), feed: str = "iex") -> Bars:
    """Bars for `cfg` (relative paths resolve against `base_dir`); `Bars.notes` says what was found.
    `feed` (alpaca.feed) picks which cached Alpaca download `data.source: alpaca` reads."""
    return load_bars_with_report(cfg, base_dir, feed)[0]


def load_bars_with_report(cfg: DataConfig, base_dir: Path = Path("."), feed: str = "iex") -> tuple[Bars, DataReport]:
    start, end = _window_date(cfg.start, "data.start"), _window_date(cfg.end, "data.end")
    if start is not None and end is not None and end < start:
        raise DataError(f"data.end {end:%Y-%m-%d} is before data.start {start:%Y-%m-%d} (swap them)")
    # The checks (and exchange_calendars behind them) are imported where bars are built, so that bars
    # read back from the cache do not pay for them.
    if cfg.source == "embedded":
        if cfg.timeframe != "1Day":
            raise DataError(f"data.timeframe: the embedded dataset is daily, not {cfg.timeframe} (set data.timeframe: 1Day)")

        universe_file = universe_path(cfg.universe, base_dir)

        def build() -> tuple[Bars, DataReport]:
            from parity.engine.data.pipeline import build_bars

            universe = read_universe(universe_file)
            frame, notes = embedded.read_prices(universe)
            return build_bars(frame, source="embedded", timeframe="1Day", calendar=cfg.calendar, start=start,
                              end=end, symbols=list(universe), sectors=universe, source_notes=notes)

        key = bars_cache.cache_key([embedded.data_dir() / embedded.PRICES_FILE, universe_file], _settings(cfg))
        return bars_cache.cached(_resolve(cfg.cache_dir, base_dir) / bars_cache.SUBDIR, key, build)
    if cfg.source in ("csv", "parquet"):
        assert cfg.path is not None  # the schema requires it for file sources
        from parity.engine.data.calendar import calendar_tz
        from parity.engine.data.pipeline import build_bars
        from parity.engine.data.user_file import apply_universe, read_user_file

        path = _resolve(cfg.path, base_dir)
        frame, notes = read_user_file(path, cfg.source, cfg.timeframe, calendar_tz(cfg.calendar))
        # Unlike the other sources, an unset data.universe here means "every symbol of the file".
        universe = None if cfg.universe is None else _resolve(cfg.universe, base_dir)
        frame, symbols, sectors, universe_notes = apply_universe(frame, path, universe)
        return build_bars(frame, source=str(path), timeframe=cfg.timeframe, calendar=cfg.calendar, start=start,
                          end=end, symbols=symbols, sectors=sectors, source_notes=(*notes, *universe_notes))
    if cfg.source == "alpaca":
        from parity.engine.data.alpaca_source import load_alpaca_bars  # reads the parquet cache; no network

        return load_alpaca_bars(cfg, base_dir, feed)
    raise DataError(f"data.source '{cfg.source}' is not known (use embedded, csv, parquet or alpaca)")


def _settings(cfg: DataConfig) -> dict[str, object]:
    """The data settings that shape the bars (not where they are cached)."""
    return cfg.model_dump(mode="json", exclude={"cache_dir", "path", "universe"})


def _resolve(path: Path, base_dir: Path) -> Path:
    return path if path.is_absolute() else base_dir / path


def _window_date(value: str | None, key: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError):
        raise DataError(f"{key}: '{value}' is not a date (use YYYY-MM-DD)") from None
