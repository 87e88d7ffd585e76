"""Helpers for the data tests: tiny long-format CSV files and the configs that read them."""

from __future__ import annotations

from pathlib import Path

from engine.config.schema import DataConfig

HEADER = "date,symbol,open,high,low,close,volume"


def write_csv(tmp_path: Path, lines: list[str], header: str = HEADER, name: str = "bars.csv") -> Path:
    """Write a header and `lines` (CSV rows as strings) to tmp_path/name; line 2 is lines[0]."""
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def csv_config(path: Path, **kw: object) -> DataConfig:
    # a universe path that does not exist: sectors default to "Unknown"
    return DataConfig(source="csv", path=path, universe=path.parent / "no_universe.csv", **kw)
