"""Cost figures: each a function of cost-analysis results returning a matplotlib `Figure` (no pyplot
state, as in reports/figures.py), shown by the notebook and embedded in the run report."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from parity.engine.config.schema import SlippageConfig
from parity.reports.calibration import SlippageFit
from parity.reports.figures import DPI, fixed_figure

TOP_SYMBOLS = 25
_PARTS = (("delay", "delay"), ("timing", "execution: timing"), ("slippage", "execution: spread + impact"),
          ("fees", "fees"), ("opportunity", "opportunity"))
_COLORS = {"delay": "#8e44ad", "timing": "#2980b9", "slippage": "#c0392b", "fees": "#e67e22", "opportunity": "#7f8c8d"}


def shortfall_decomposition(summary: dict[str, Any]) -> Figure:
    """Waterfall of the run's implementation shortfall, in bps of decision notional."""
    values = [summary[f"shortfall_{key}_bps"] for key, _ in _PARTS]
    labels = [label for _, label in _PARTS]
    fig = fixed_figure(3.8)
    ax = fig.subplots()
    starts = np.concatenate([[0.0], np.cumsum(values)[:-1]])
    total = summary["shortfall_total_bps"]
    ax.bar(labels, values, bottom=starts, color=[_COLORS[k] for k, _ in _PARTS])
    ax.bar(["total"], [total], color="#2c3e50")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ends = [*(starts + np.asarray(values)), total]
    lo, hi = min(0.0, *starts, *ends), max(0.0, *starts, *ends)
    pad = 0.15 * (hi - lo or 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    for i, (v, end) in enumerate(zip([*values, total], ends)):
        ax.annotate(f"{v:+.2f}", (i, end), xytext=(0, 3 if v >= 0 else -3), textcoords="offset points",
                    ha="center", va="bottom" if v >= 0 else "top", fontsize=8)
    ax.set_ylabel("bps of decision notional (+ = cost)")
    ax.set_title("Implementation shortfall decomposition")
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig


def slippage_vs_participation(observations: pd.DataFrame, configured: SlippageConfig, fit: SlippageFit | None) -> Figure | None:
    """Per-fill slippage against participation, with the configured and the fitted model curves at the
    median daily vol of the fills."""
    used = observations[observations["used"] & (observations["participation"] > 0)]
    if used.empty:
        return None
    fig = fixed_figure(4.2, xlabel=True)
    ax = fig.subplots()
    ax.scatter(used["participation"] * 100.0, used["slippage_bps"], s=8, alpha=0.35, color="#1f4e79", label="fills")
    # participation spans decades: a log axis, with the curves drawn over the observed range
    grid = np.geomspace(float(used["participation"].min()), float(used["participation"].max()), 200)
    vol = float(used["daily_vol"].median())
    curves = [("model (config)", configured.fixed_bps + configured.half_spread_bps, configured.impact_coef, "#c0392b", "-")]
    if fit is not None:
        curves.append(("model (fitted)", fit.intercept_bps, fit.impact_coef, "#27ae60", "--"))
    for label, intercept, coef, color, style in curves:
        ax.plot(grid * 100.0, intercept + 1e4 * coef * vol * np.sqrt(grid), color=color, linestyle=style,
                label=f"{label}: {intercept:.2f} + {coef:.3g}·1e4·σ·√p (σ = {vol * 100:.2f}%)")
    ax.set_xscale("log")
    ax.set_xlabel("participation (% of bar volume, log scale)")
    ax.set_ylabel("slippage vs reference (bps)")
    ax.set_title("Slippage against participation")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def cost_by_symbol(by_symbol: pd.DataFrame, top: int = TOP_SYMBOLS) -> Figure | None:
    """Stacked shortfall components per symbol (USD), the `top` symbols by |total|."""
    if by_symbol.empty:
        return None
    table = by_symbol.reindex(by_symbol["total"].abs().sort_values(ascending=False).index[:top])[::-1]
    fig = fixed_figure(max(3.0, 0.28 * len(table) + 1.2), xlabel=True)
    ax = fig.subplots()
    y = np.arange(len(table))
    pos_left, neg_left = np.zeros(len(table)), np.zeros(len(table))
    for key, label in _PARTS:
        v = table[key].to_numpy(dtype=np.float64)
        left = np.where(v >= 0, pos_left, neg_left)
        ax.barh(y, v, left=left, color=_COLORS[key], label=label, height=0.7)
        pos_left += np.where(v >= 0, v, 0.0)
        neg_left += np.where(v < 0, v, 0.0)
    ax.scatter(table["total"], y, color="black", s=12, zorder=3, label="total")
    ax.set_yticks(y, [str(s) for s in table.index], fontsize=8)
    ax.axvline(0.0, color="grey", linewidth=0.8)
    ax.set_xlabel("USD (+ = cost)")
    ax.set_title(f"Shortfall by symbol (top {len(table)} by |total|)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def cost_drag(drag: pd.DataFrame) -> Figure | None:
    """Equity with and without the costs charged, and their cumulative drag in % of starting equity."""
    if drag.empty:
        return None
    fig = fixed_figure(5.0)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.4))
    top.plot(drag.index, drag["equity_before_costs"], color="#7f8c8d", label="before fees and slippage")
    top.plot(drag.index, drag["equity"], color="#1f4e79", label="equity (net)")
    top.set_ylabel("USD")
    top.set_title("Cumulative cost drag on equity")
    top.legend(fontsize=8)
    top.grid(alpha=0.3)
    bottom.fill_between(drag.index, drag["cum_fees"] / drag["equity"].iloc[0] * 100, 0.0, color=_COLORS["fees"],
                        alpha=0.6, label="fees", linewidth=0)
    bottom.plot(drag.index, drag["drag"] * 100.0, color=_COLORS["slippage"], label="fees + slippage")
    bottom.set_ylabel("% of start equity")
    bottom.legend(fontsize=8)
    bottom.grid(alpha=0.3)
    return fig


def realised_vs_model(comparison: pd.DataFrame) -> Figure | None:
    """Paper runs: realised slippage per fill against the simulator's assumption for it."""
    if comparison is None or comparison.empty:
        return None
    fig = Figure(figsize=(6.0, 5.0), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    ax.scatter(comparison["model_slippage_bps"], comparison["realised_slippage_bps"], s=10, alpha=0.5, color="#1f4e79")
    lo = float(np.nanmin([comparison["model_slippage_bps"].min(), comparison["realised_slippage_bps"].min(), 0.0]))
    hi = float(np.nanmax([comparison["model_slippage_bps"].max(), comparison["realised_slippage_bps"].max(), 1.0]))
    ax.plot([lo, hi], [lo, hi], color="grey", linestyle="--", label="realised = model")
    ax.set_xlabel("simulator's slippage (bps)")
    ax.set_ylabel("realised slippage vs arrival (bps)")
    ax.set_title("Paper fills: realised vs simulated slippage")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig
