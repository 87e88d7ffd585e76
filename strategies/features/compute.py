"""The 45 features as polars expressions over a time-major long frame, computed in one lazy pass.

`compute_features` is the batch entry point: the whole history at once, returning a (T, N, 45)
float64 array (NaN while a feature warms up or where an input is missing). The live path
(`incremental.py`) runs the very same function over the last MAX_LOOKBACK + 1 bars and keeps the
newest row; `rolling.py` explains why the two agree to the bit.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from parity.engine.data.bars import Bars
from parity.strategies.features.registry import FEATURE_NAMES
from parity.strategies.features.rolling import Rolling, pick_max, pick_min, safe_div

_o, _h, _l, _c, _v = (pl.col(x) for x in ("o", "h", "l", "c", "v"))


def _flat_is_half(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """num / den, 0.5 when den is 0 (a flat bar or window), null if either is null."""
    return pl.when(num.is_null() | den.is_null()).then(None).when(den != 0).then(num / den).otherwise(0.5)


def _stages(sector_codes: np.ndarray) -> list[dict[str, pl.Expr]]:
    """Column definitions, stage by stage; a stage may use the columns of earlier stages."""
    w = Rolling(sector_codes)
    col = pl.col
    base = {
        "r": (_c / w.lag(_c, 1)).log(),
        "_c1": w.lag(_c, 1),
        "_hl": (_h / _l).log(),
        "_lv": _v.log1p(),
        "_dv": _c * _v,
    }
    derived = {
        "_tr": pick_max(_h, col("_c1")) - pick_min(_l, col("_c1")),
        "_gain": col("r").clip(lower_bound=0.0),
        "_loss": (-col("r")).clip(lower_bound=0.0),
        "_ldv": col("_dv").log1p(),
        "_illiq": safe_div(col("r").abs(), col("_dv")),
        "_sv": col("r").sign() * _v,
        "_hl2": col("_hl") * col("_hl"),
    }
    time_series = {
        "ret_1": col("r"),
        **{f"ret_{k}": (_c / w.lag(_c, k)).log() for k in (5, 10, 20, 60)},
        "mom_60_5": (w.lag(_c, 5) / w.lag(_c, 60)).log(),
        "vol_5": w.std(col("r"), 5),
        "vol_20": w.std(col("r"), 20),
        "_var_r60": w.var(col("r"), 60),
        "range_hl": col("_hl"),
        "parkinson_20": (w.mean(col("_hl2"), 20) / (4.0 * math.log(2.0))).sqrt(),
        "gap": (_o / col("_c1")).log(),
        "intraday_ret": (_c / _o).log(),
        "close_location": _flat_is_half(_c - _l, _h - _l),
        "atr_14": w.mean(col("_tr"), 14) / _c,
        "_gain14": w.mean(col("_gain"), 14),
        "_loss14": w.mean(col("_loss"), 14),
        **{f"_sma{k}": w.mean(_c, k) for k in (10, 12, 20, 26, 50)},
        "_std_c20": w.std(_c, 20),
        "_min_l14": w.min(_l, 14),
        "_max_h14": w.max(_h, 14),
        "dist_high_60": _c / w.max(_h, 60) - 1.0,
        "volume_z_20": safe_div(col("_lv") - w.mean(col("_lv"), 20), w.std(col("_lv"), 20)),
        "dollar_volume_z_20": safe_div(col("_ldv") - w.mean(col("_ldv"), 20), w.std(col("_ldv"), 20)),
        "log_dollar_volume_20": w.mean(col("_ldv"), 20),
        "volume_ratio_5_20": safe_div(w.mean(_v, 5), w.mean(_v, 20)),
        "amihud_20": 1e6 * w.mean(col("_illiq"), 20),
        "signed_volume_20": safe_div(w.sum(col("_sv"), 20), w.sum(_v, 20)),
        "_m": w.xs_mean(col("r")),
    }
    indicators = {
        "vol_60": col("_var_r60").clip(lower_bound=0.0).sqrt(),
        "vol_ratio_5_20": safe_div(col("vol_5"), col("vol_20")),
        "rsi_14": 100.0 * _flat_is_half(col("_gain14"), col("_gain14") + col("_loss14")),
        "macd": (col("_sma12") - col("_sma26")) / _c,
        **{f"dist_sma_{k}": _c / col(f"_sma{k}") - 1.0 for k in (10, 20, 50)},
        "sma_10_50": col("_sma10") / col("_sma50") - 1.0,
        "stoch_14": _flat_is_half(_c - col("_min_l14"), col("_max_h14") - col("_min_l14")),
        "bollinger_z_20": safe_div(_c - col("_sma20"), col("_std_c20")),
        **{f"xs_rank_{x}": w.xs_rank(col(x)) for x in ("ret_1", "ret_5", "ret_20", "mom_60_5", "vol_20", "dollar_volume_z_20")},
        **{f"sector_rel_{x}": col(x) - w.sector_mean(col(x)) for x in ("ret_1", "ret_5", "ret_20", "mom_60_5")},
        "_cov_rm60": w.cov(col("r"), col("_m"), 60),
        "_var_m60": w.var(col("_m"), 60),
        "_msum20": w.sum(col("_m"), 20),
    }
    betas = {
        "macd_hist": col("macd") - w.mean(col("macd"), 9),
        "beta_60": safe_div(col("_cov_rm60"), col("_var_m60")),
    }
    residuals = {
        "resid_ret_20": col("ret_20") - col("beta_60") * col("_msum20"),
        "idio_vol_60": (col("_var_r60") - col("beta_60") * col("_cov_rm60")).clip(lower_bound=0.0).sqrt(),
    }
    return [base, derived, time_series, indicators, betas, residuals]


def panel_frame(open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray,
                volume: np.ndarray) -> pl.DataFrame:
    """(T, N) arrays -> time-major long frame; NaN and non-positive prices become null."""
    t, n = close.shape

    def clean(a: np.ndarray, positive: bool) -> np.ndarray:
        a = np.asarray(a, dtype=np.float64).reshape(-1)
        bad = ~np.isfinite(a) | ((a <= 0) if positive else (a < 0))
        return np.where(bad, np.nan, a)

    return pl.DataFrame({
        "t": np.repeat(np.arange(t, dtype=np.int64), n),
        "o": clean(open_, True), "h": clean(high, True), "l": clean(low, True),
        "c": clean(close, True), "v": clean(volume, False),
    }, nan_to_null=True)


def features_from_arrays(open_: np.ndarray, high: np.ndarray, low: np.ndarray, close: np.ndarray,
                         volume: np.ndarray, sector_codes: np.ndarray) -> np.ndarray:
    """(T, N, 45) float64 features for (T, N) OHLCV arrays; NaN where undefined."""
    t, n = close.shape
    lazy = panel_frame(open_, high, low, close, volume).lazy()
    for stage in _stages(np.asarray(sector_codes, dtype=np.int64)):
        lazy = lazy.with_columns(**stage)
    values = lazy.select(FEATURE_NAMES).collect().to_numpy().astype(np.float64, copy=False)
    values = values.reshape(t, n, len(FEATURE_NAMES))
    values[~np.isfinite(values)] = np.nan
    return values


def compute_features(bars: Bars) -> np.ndarray:
    """Batch: the 45 features for every bar and symbol of `bars`, (T, N, 45)."""
    codes, _ = bars.sector_ids()
    return features_from_arrays(bars.open, bars.high, bars.low, bars.close, bars.volume, codes)
