"""The 45 features: name, group, formula and lookback, as data.

`lookback` is how many bars back the oldest input lies: the value at bar t reads bars
t - lookback .. t only (of every symbol, for the cross-sectional ones). Tests check each claim, and
docs/features.md is generated from this table (`python -m parity.strategies.features.docs`).

Notation: O, H, L, C, V are the bar's open, high, low, close and volume (shares); r = ln(C_t / C_{t-1});
mean_w / std_w / sum_w / max_w / min_w are over the last w bars including t (std: ddof = 1);
m_t is the universe's mean r at bar t; xs_rank is the cross-sectional rank at bar t scaled to [0, 1]
(average rank for ties); sector_mean is the mean over the symbol's sector at bar t.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    group: str
    formula: str
    lookback: int


_F = FeatureSpec

FEATURES: tuple[FeatureSpec, ...] = (
    # returns
    _F("ret_1", "returns", "ln(C_t / C_{t-1})", 1),
    _F("ret_5", "returns", "ln(C_t / C_{t-5})", 5),
    _F("ret_10", "returns", "ln(C_t / C_{t-10})", 10),
    _F("ret_20", "returns", "ln(C_t / C_{t-20})", 20),
    _F("ret_60", "returns", "ln(C_t / C_{t-60})", 60),
    _F("mom_60_5", "returns", "ln(C_{t-5} / C_{t-60}) (momentum without the last 5 bars)", 60),
    # volatility
    _F("vol_5", "volatility", "std_5(r)", 5),
    _F("vol_20", "volatility", "std_20(r)", 20),
    _F("vol_60", "volatility", "std_60(r)", 60),
    _F("vol_ratio_5_20", "volatility", "vol_5 / vol_20", 20),
    # range and gap
    _F("range_hl", "range_gap", "ln(H_t / L_t)", 0),
    _F("parkinson_20", "range_gap", "sqrt(mean_20(ln(H/L)^2) / (4 ln 2))", 19),
    _F("gap", "range_gap", "ln(O_t / C_{t-1})", 1),
    _F("intraday_ret", "range_gap", "ln(C_t / O_t)", 0),
    _F("close_location", "range_gap", "(C_t - L_t) / (H_t - L_t); 0.5 when H = L", 0),
    _F("atr_14", "range_gap", "mean_14(TR) / C_t, TR = max(H_t, C_{t-1}) - min(L_t, C_{t-1})", 14),
    # trend and oscillators
    _F("rsi_14", "trend_oscillator", "100 mean_14(max(r,0)) / (mean_14(max(r,0)) + mean_14(max(-r,0))); 50 when flat", 14),
    _F("macd", "trend_oscillator", "(mean_12(C) - mean_26(C)) / C_t (simple-average MACD)", 25),
    _F("macd_hist", "trend_oscillator", "macd_t - mean_9(macd)", 33),
    _F("dist_sma_10", "trend_oscillator", "C_t / mean_10(C) - 1", 9),
    _F("dist_sma_20", "trend_oscillator", "C_t / mean_20(C) - 1", 19),
    _F("dist_sma_50", "trend_oscillator", "C_t / mean_50(C) - 1", 49),
    _F("sma_10_50", "trend_oscillator", "mean_10(C) / mean_50(C) - 1", 49),
    _F("stoch_14", "trend_oscillator", "(C_t - min_14(L)) / (max_14(H) - min_14(L)); 0.5 when flat", 13),
    _F("dist_high_60", "trend_oscillator", "C_t / max_60(H) - 1", 59),
    _F("bollinger_z_20", "trend_oscillator", "(C_t - mean_20(C)) / std_20(C)", 19),
    # volume
    _F("volume_z_20", "volume", "(ln(1+V_t) - mean_20(ln(1+V))) / std_20(ln(1+V))", 19),
    _F("dollar_volume_z_20", "volume", "(ln(1+C_t V_t) - mean_20(ln(1+CV))) / std_20(ln(1+CV))", 19),
    _F("log_dollar_volume_20", "volume", "mean_20(ln(1+C V))", 19),
    _F("volume_ratio_5_20", "volume", "mean_5(V) / mean_20(V)", 19),
    _F("amihud_20", "volume", "1e6 mean_20(|r| / (C V)) (illiquidity)", 20),
    _F("signed_volume_20", "volume", "sum_20(sign(r) V) / sum_20(V)", 20),
    # cross-sectional ranks
    _F("xs_rank_ret_1", "cross_sectional", "xs_rank(ret_1)", 1),
    _F("xs_rank_ret_5", "cross_sectional", "xs_rank(ret_5)", 5),
    _F("xs_rank_ret_20", "cross_sectional", "xs_rank(ret_20)", 20),
    _F("xs_rank_mom_60_5", "cross_sectional", "xs_rank(mom_60_5)", 60),
    _F("xs_rank_vol_20", "cross_sectional", "xs_rank(vol_20)", 20),
    _F("xs_rank_dollar_volume_z_20", "cross_sectional", "xs_rank(dollar_volume_z_20)", 19),
    # sector-relative
    _F("sector_rel_ret_1", "sector_relative", "ret_1 - sector_mean(ret_1)", 1),
    _F("sector_rel_ret_5", "sector_relative", "ret_5 - sector_mean(ret_5)", 5),
    _F("sector_rel_ret_20", "sector_relative", "ret_20 - sector_mean(ret_20)", 20),
    _F("sector_rel_mom_60_5", "sector_relative", "mom_60_5 - sector_mean(mom_60_5)", 60),
    # market beta and residuals
    _F("beta_60", "beta_residual", "cov_60(r, m) / var_60(m)", 60),
    _F("resid_ret_20", "beta_residual", "ret_20 - beta_60 sum_20(m)", 60),
    _F("idio_vol_60", "beta_residual", "sqrt(max(var_60(r) - beta_60 cov_60(r, m), 0))", 60),
)

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
MAX_LOOKBACK: int = max(f.lookback for f in FEATURES)

assert len(FEATURES) == 45 and len(set(FEATURE_NAMES)) == 45, "the feature registry must list 45 distinct features"
