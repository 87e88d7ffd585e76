"""Config values read exactly or refused in one line: duplicate keys, inf/nan, dates, contradictions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parity.engine.config import ConfigError, ParityConfig, load_config, validate_config


def write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path: Path, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    return str(info.value)


# -- duplicate keys -------------------------------------------------------------------------------


def test_duplicate_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "simulation:\n  initial_cash: 100000\n  seed: 1\n  initial_cash: 5\n")
    assert error_of(path) == (f"{path}: line 4: simulation.initial_cash is set twice (first on line 2); "
                              "keep one of them")


def test_duplicate_section_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "data:\n  timeframe: 1Day\nreporting:\n  html: false\ndata:\n  start: '2010-01-04'\n")
    assert error_of(path) == f"{path}: line 5: data is set twice (first on line 1); keep one of them"


def test_same_key_in_different_sections_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "simulation:\n  seed: 3\nstrategy:\n  use: xgboost\n  params: {seed: 4}\n")
    config = load_config(path)
    assert config.simulation.seed == 3 and config.strategy.params == {"seed": 4}


# -- inf and nan ----------------------------------------------------------------------------------

FLOAT_KEYS = [
    "position_sizing.max_position_size", "position_sizing.max_total_exposure", "position_sizing.min_trade_size",
    "risk_management.max_daily_loss", "risk_management.stop_loss_pct", "order_management.limit_price_offset",
    "simulation.initial_cash", "simulation.fill.participation_rate", "simulation.slippage.fixed_bps",
    "simulation.latency.submit_ms", "simulation.fees.commission_per_share", "simulation.fees.taf_max_per_trade",
    "alpaca.http_timeout_s",
]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
@pytest.mark.parametrize("key", FLOAT_KEYS)
def test_inf_and_nan_are_refused_for_every_float(tmp_path: Path, key: str, value: str) -> None:
    path = write(tmp_path, "")
    message = error_of(path, (f"{key}={value}",))
    assert message.startswith(f"{path}: {key}: must be a finite number") and "\n" not in message


def test_every_float_field_of_the_schema_refuses_nan() -> None:
    """No float field anywhere in the schema lets NaN through (the list above is not the only guard)."""
    from pydantic import BaseModel

    def floats(model: type[BaseModel], prefix: str) -> list[str]:
        keys = []
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                keys += floats(ann, f"{prefix}{name}.")
            elif ann is float:
                keys.append(f"{prefix}{name}")
        return keys

    keys = floats(ParityConfig, "")
    assert len(keys) > 20
    for key in keys:
        section, *rest = key.split(".")
        raw: dict = {}
        node = raw.setdefault(section, {})
        for part in rest[:-1]:
            node = node.setdefault(part, {})
        node[rest[-1]] = float("nan")
        with pytest.raises(ConfigError, match="must be a finite number"):
            validate_config(raw)


# -- dates ----------------------------------------------------------------------------------------


def test_unquoted_yaml_dates_are_iso_dates(tmp_path: Path) -> None:
    path = write(tmp_path, "data:\n  start: 2010-01-04\n  end: 2010-06-30\n")
    config = load_config(path)
    assert (config.data.start, config.data.end) == ("2010-01-04", "2010-06-30")


def test_unquoted_date_through_set(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    config = load_config(path, ["data.start=2010-06-01", "data.end='2010-08-02'"])
    assert (config.data.start, config.data.end) == ("2010-06-01", "2010-08-02")


def test_start_after_end_names_both_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "data:\n  start: '2010-08-01'\n  end: 2010-06-01\n")
    assert error_of(path) == (f"{path}: data.end: 2010-06-01 is before data.start 2010-08-01; swap them")


@pytest.mark.parametrize("value", ["yesterday", "2010-13-01", "01/06/2010", "20100601x"])
def test_unparseable_date_names_the_key_and_the_form(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, "")
    message = error_of(path, (f"data.start={value}",))
    assert message.startswith(f"{path}: data.start: '{value}' is not a date; write YYYY-MM-DD")


@given(st.dates(), st.dates())
def test_any_two_dates_load_in_order_or_are_refused(a, b) -> None:
    raw = {"data": {"start": a, "end": b}}
    if a <= b:
        config = validate_config(raw)
        assert (config.data.start, config.data.end) == (a.isoformat(), b.isoformat())
    else:
        with pytest.raises(ConfigError, match=r"data.end: .* is before data.start"):
            validate_config(raw)


# -- contradictions -------------------------------------------------------------------------------


def test_position_size_above_total_exposure_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "position_sizing:\n  max_position_size: 0.5\n  max_total_exposure: 0.2\n")
    assert error_of(path) == (
        f"{path}: position_sizing.max_position_size: 0.5 is above position_sizing.max_total_exposure 0.2 (no "
        "position could reach its size); lower max_position_size to at most 0.2 or raise max_total_exposure")


def test_position_size_equal_to_total_exposure_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "position_sizing:\n  max_position_size: 0.5\n  max_total_exposure: 0.5\n")
    assert load_config(path).position_sizing.max_position_size == 0.5
