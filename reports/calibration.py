"""Fit the simulated broker's slippage and latency parameters to a run's fills.

Slippage model (brokers/sim/slippage.py), per slipped fill, in bps against the trader:

    slippage_bps = (fixed_bps + half_spread_bps) + impact_coef * x,   x = 1e4 * daily_vol * sqrt(participation)

Observed per fill: s * (price - reference_price) / reference_price * 1e4. The intercept and the
coefficient are fitted by non-negative least squares (scipy.optimize.lsq_linear, bounds >= 0, both
are >= 0 in the config) with OLS standard errors. daily_vol is recomputed exactly as the simulator
computes it (parity.brokers.sim.volatility.daily_vol over the run's closes, row = the fill's bar, i.e. known
before that bar opened; lookback = simulation.slippage.vol_lookback). Left out of the fit: fills
without a reference price, fills whose price equals their order's limit price (the simulator does not
slip a limit fill at its limit and caps a gapped one there, so they carry no or censored slippage),
and fills without a volatility or participation.

fixed_bps and half_spread_bps only ever appear as their sum, so fills cannot tell them apart: the fit
keeps the configured half_spread_bps (a quoted-spread fact) and gives the rest of the intercept to
fixed_bps (if the intercept is below the configured half spread, half_spread_bps takes all of it).

Latency: submit = arrival_at - created_at per order, fill = reported_at - ts per fill (ack is not in
the records, so the configured value is kept, as it is for a delay that is zero throughout: a paper
run records arrival_at = created_at, i.e. no submit delay observed). Their medians become submit_ms / fill_ms; when the
delays vary, distribution is lognormal with sigma = the pooled sd of log(delay / median).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from parity.engine.config.schema import LatencyConfig, SimulationConfig, SlippageConfig
from parity.reports.costs_prices import MarketPrices, utc_ns

MIN_FILLS = 3
_CONSTANT_SPREAD = 1e-6  # relative spread of delays below which latency counts as constant


@dataclass(frozen=True)
class SlippageFit:
    intercept_bps: float  # fixed_bps + half_spread_bps
    intercept_se: float
    impact_coef: float
    impact_se: float
    fixed_bps: float
    half_spread_bps: float
    r2: float
    residual_sd_bps: float
    n_fills: int  # used in the fit
    n_excluded: int


@dataclass(frozen=True)
class LatencyFit:
    submit_ms: float
    ack_ms: float  # configured value: not observable in the records
    fill_ms: float
    distribution: str  # "constant" or "lognormal"
    lognormal_sigma: float
    n_orders: int
    n_fills: int


@dataclass(frozen=True)
class Calibration:
    slippage: SlippageFit | None  # None when fewer than MIN_FILLS usable fills
    latency: LatencyFit
    vol_lookback: int
    configured: SimulationConfig
    source: str = ""  # what the fit rests on, for the snippet's header

    def yaml_snippet(self) -> str:
        return calibration_yaml(self)


def slippage_observations(orders: pd.DataFrame, fills: pd.DataFrame, prices: MarketPrices, vol_lookback: int) -> pd.DataFrame:
    """One row per fill: observed slippage_bps, daily_vol, participation, x, and `used` / `excluded_because`."""
    side = fills["side"].to_numpy(dtype=np.float64)
    price = fills["price"].to_numpy(dtype=np.float64)
    ref = fills["reference_price"].to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = side * (price - ref) / ref * 1e4
    limit = orders.set_index("order_id")["limit_price"].reindex(fills["order_id"].to_numpy()).to_numpy(dtype=np.float64)
    vol = fill_daily_vol(fills, prices, vol_lookback)
    part = fills["participation"].to_numpy(dtype=np.float64)
    x = 1e4 * vol * np.sqrt(part)
    reason = np.full(len(fills), "", dtype=object)
    reason[~np.isfinite(x) | (part < 0)] = "no volatility or participation"
    reason[np.isfinite(limit) & (price == limit)] = "filled at its limit price"
    reason[~(ref > 0)] = "no reference price"
    return pd.DataFrame({
        "order_id": fills["order_id"].to_numpy(), "symbol": fills["symbol"].to_numpy(), "bar": fills["bar"].to_numpy(),
        "qty": fills["qty"].to_numpy(dtype=np.float64), "slippage_bps": observed, "daily_vol": vol,
        "participation": part, "x": x, "used": reason == "", "excluded_because": reason,
    }, index=fills.index)


def fill_daily_vol(fills: pd.DataFrame, prices: MarketPrices, vol_lookback: int) -> np.ndarray:
    """The simulator's daily_vol for each fill's symbol at its bar (NaN where the bar is unknown)."""
    if not len(fills) or not len(prices.close_ts):
        return np.full(len(fills), np.nan)
    vol = prices.daily_vol(vol_lookback)
    bars = fills["bar"].to_numpy(dtype=np.int64)
    inside = (bars >= 0) & (bars < len(prices.close_ts))
    cols = np.array([prices.column(s) for s in fills["symbol"]], dtype=np.int64)
    out = np.full(len(fills), np.nan)
    out[inside] = vol[bars[inside], cols[inside]]
    return out


def fit_slippage(observations: pd.DataFrame, half_spread_bps: float) -> SlippageFit | None:
    """Non-negative least squares of slippage_bps on [1, x] over the usable fills; None if too few."""
    used = observations[observations["used"]]
    if len(used) < MIN_FILLS:
        return None
    a = np.column_stack([np.ones(len(used)), used["x"].to_numpy()])
    y = used["slippage_bps"].to_numpy()
    from scipy.optimize import lsq_linear  # here: scipy.optimize costs ~0.5 s to import; only fits need it

    result = lsq_linear(a, y, bounds=(0.0, np.inf), method="bvls")
    intercept, coef = (float(v) for v in result.x)
    resid = y - a @ result.x
    dof = max(len(y) - 2, 1)
    sigma2 = float(resid @ resid) / dof
    gram = a.T @ a
    se = np.sqrt(np.diag(sigma2 * np.linalg.pinv(gram))) if np.linalg.matrix_rank(gram) == 2 else np.array([np.nan, np.nan])
    total = float(((y - y.mean()) ** 2).sum())
    half = min(float(half_spread_bps), intercept)
    return SlippageFit(
        intercept_bps=intercept, intercept_se=float(se[0]), impact_coef=coef, impact_se=float(se[1]),
        fixed_bps=intercept - half, half_spread_bps=half,
        r2=1.0 - float(resid @ resid) / total if total > 0 else math.nan,
        residual_sd_bps=math.sqrt(sigma2), n_fills=int(len(used)), n_excluded=int(len(observations) - len(used)),
    )


def fit_latency(orders: pd.DataFrame, fills: pd.DataFrame, configured: LatencyConfig) -> LatencyFit:
    """Medians of the observed submit and fill delays (configured values where none is observed)."""
    submit = _delays_ms(orders["created_at"], orders["arrival_at"])
    fill = _delays_ms(fills["ts"], fills["reported_at"])
    # all zero = not recorded (a run through the Broker protocol sets arrival_at = created_at)
    submit, fill = (d if (d > 0).any() else d[:0] for d in (submit, fill))
    submit_ms = float(np.median(submit)) if len(submit) else float(configured.submit_ms)
    fill_ms = float(np.median(fill)) if len(fill) else float(configured.fill_ms)
    logs = [np.log(d[d > 0] / med) for d, med in ((submit, submit_ms), (fill, fill_ms)) if len(d) and med > 0]
    pooled = np.concatenate(logs) if logs else np.empty(0)
    spread = float(pooled.max() - pooled.min()) if len(pooled) else 0.0
    varies = len(pooled) > 1 and spread > _CONSTANT_SPREAD
    return LatencyFit(
        submit_ms=submit_ms, ack_ms=float(configured.ack_ms), fill_ms=fill_ms,
        distribution="lognormal" if varies else "constant",
        lognormal_sigma=float(np.std(pooled, ddof=1)) if varies else float(configured.lognormal_sigma),
        n_orders=int(len(submit)), n_fills=int(len(fill)),
    )


def calibrate(orders: pd.DataFrame, fills: pd.DataFrame, prices: MarketPrices, configured: SimulationConfig,
              source: str = "") -> Calibration:
    lookback = int(configured.slippage.vol_lookback)
    obs = slippage_observations(orders, fills, prices, lookback)
    return Calibration(
        slippage=fit_slippage(obs, configured.slippage.half_spread_bps),
        latency=fit_latency(orders, fills, configured.latency),
        vol_lookback=lookback, configured=configured, source=source,
    )


def calibration_yaml(cal: Calibration) -> str:
    """A `simulation:` block (slippage + latency) to paste into a config, with the fit's quality as comments.

    The values are validated against the config schema before they are printed.
    """
    fit, lat, cfg = cal.slippage, cal.latency, cal.configured.slippage
    slippage = {
        "fixed_bps": _round(fit.fixed_bps) if fit else cfg.fixed_bps,
        "half_spread_bps": _round(fit.half_spread_bps) if fit else cfg.half_spread_bps,
        "impact_coef": _round(fit.impact_coef) if fit else cfg.impact_coef,
        "vol_lookback": cal.vol_lookback,
    }
    latency = {"submit_ms": _round(lat.submit_ms), "ack_ms": _round(lat.ack_ms), "fill_ms": _round(lat.fill_ms),
               "distribution": lat.distribution, "lognormal_sigma": _round(lat.lognormal_sigma)}
    SlippageConfig.model_validate(slippage)
    LatencyConfig.model_validate(latency)
    head = [f"# Calibrated from {cal.source or 'a run'}'s fills (reports/calibration.py)."]
    if fit:
        head += [
            f"# slippage: {fit.n_fills:,} fills used, {fit.n_excluded:,} left out; R^2 {fit.r2:.3f}, "
            f"residual sd {fit.residual_sd_bps:.2f} bps",
            f"# fixed + half spread = {fit.intercept_bps:.4g} bps (se {fit.intercept_se:.2g}); "
            f"impact_coef se {fit.impact_se:.2g}",
            "# half_spread_bps is the configured value (fills cannot tell it from fixed_bps).",
        ]
    else:
        head.append(f"# slippage: fewer than {MIN_FILLS} usable fills; configured values kept.")
    head.append(f"# latency: {lat.n_orders:,} orders, {lat.n_fills:,} fills; ack_ms is not observable (configured value).")
    body = yaml.safe_dump({"simulation": {"slippage": slippage, "latency": latency}}, sort_keys=False)
    return "\n".join(head) + "\n" + body


def _delays_ms(start: pd.Series, stop: pd.Series) -> np.ndarray:
    if not len(start):
        return np.empty(0)
    d = (utc_ns(stop) - utc_ns(start)) / 1e6
    return d[np.isfinite(d) & (d >= 0)]


def _round(value: float) -> float:
    """Four significant figures: enough for a config, free of float noise (|x| < 1e-9 is 0)."""
    if not math.isfinite(value) or abs(value) < 1e-9:
        return 0.0 if math.isfinite(value) else value
    return float(f"{value:.4g}")


def main(argv: list[str] | None = None) -> int:
    """`python -m parity.reports.calibration RUN_DIR`: print the calibrated `simulation:` snippet of a run folder."""
    import argparse

    from parity.reports.costs_run import analyse_run_dir  # imports this module: keep it out of module import time

    parser = argparse.ArgumentParser(prog="python -m parity.reports.calibration", description=main.__doc__)
    parser.add_argument("run_dir", help="a run folder, e.g. reports/<run-id>")
    args = parser.parse_args(argv)
    print(analyse_run_dir(args.run_dir).calibration.yaml_snippet(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
