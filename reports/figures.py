"""Report figures: each a function of a `RunData` that returns a matplotlib Figure, or None when the
run has nothing to show (no fills, no diagnostics).

Figures are built with `matplotlib.figure.Figure` directly, not pyplot: no global figure registry,
no GUI backend, nothing to close, safe in threads and tests (rendering uses the Agg canvas).
Add a figure by writing one builder and listing it in FIGURES.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from parity.reports.run_data import RunData
from parity.reports.stats import COST_KINDS, fill_costs

WIDTH_IN = 10.0
DPI = 100
TOP_FEATURES = 20
IC_ROLLING_BARS = 20
# Margins (inches) of a figure drawn without a layout engine: room for the title, numeric tick
# labels and an axis label on each side. Constrained layout would measure every text in a second pass
# (about half the drawing time), so figures whose labels have a known size use these instead; those
# with labels of any length (feature names, rotated retrain labels) keep constrained layout.
MARGINS_IN = {"left": 0.85, "right": 0.2, "top": 0.35, "bottom": 0.4}
XLABEL_IN = 0.2  # more room at the bottom for an x-axis label


def fixed_figure(height_in: float, width_in: float = WIDTH_IN, *, xlabel: bool = False) -> Figure:
    """A Figure with fixed margins (MARGINS_IN) for its subplots."""
    fig = Figure(figsize=(width_in, height_in), dpi=DPI)
    bottom = MARGINS_IN["bottom"] + (XLABEL_IN if xlabel else 0.0)
    fig.subplots_adjust(left=MARGINS_IN["left"] / width_in, right=1.0 - MARGINS_IN["right"] / width_in,
                        bottom=bottom / height_in, top=1.0 - MARGINS_IN["top"] / height_in, hspace=0.08)
    return fig


@dataclass(frozen=True)
class FigureSpec:
    name: str
    title: str
    build: Callable[[RunData], Figure | None]
    group: str = "run"  # "run": the Figures section; "signals": the Signal diagnostics section


def bars(ax: Axes, x: object, heights: np.ndarray, *, width: float, color: str, label: str) -> None:
    """The bars `ax.bar(x, heights, width)` draws (centred on x, from 0), as one PolyCollection instead of
    one Rectangle artist per bar: a run has hundreds to thousands of bars, and per-artist work was most
    of such a figure's drawing time."""
    ax.xaxis.update_units(x)
    centres = np.asarray(ax.xaxis.convert_units(x), dtype=np.float64)
    heights = np.asarray(heights, dtype=np.float64)
    keep = np.isfinite(centres) & np.isfinite(heights)
    left, right, top = centres[keep] - width / 2, centres[keep] + width / 2, heights[keep]
    zero = np.zeros_like(top)
    corners = np.stack([np.column_stack(p) for p in ((left, zero), (left, top), (right, top), (right, zero))], axis=1)
    ax.add_collection(PolyCollection(corners, facecolors=color, edgecolors="none", label=label))
    ax.autoscale_view()


def equity_and_drawdown(run: RunData) -> Figure | None:
    if run.equity.empty:
        return None
    ts = run.equity["ts"]
    equity = run.equity["equity"]
    drawdown = equity / equity.cummax() - 1.0
    fig = fixed_figure(5.5)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    top.plot(ts, equity, color="#1f4e79", linewidth=1.4)
    top.set_ylabel("equity (USD)")
    top.set_title("Equity")
    top.grid(alpha=0.3)
    bottom.fill_between(ts, drawdown * 100.0, 0.0, color="#c0392b", alpha=0.45, linewidth=0)
    bottom.set_ylabel("drawdown (%)")
    bottom.grid(alpha=0.3)
    return fig


def exposure(run: RunData) -> Figure | None:
    if run.equity.empty:
        return None
    fig = fixed_figure(3.5)
    ax = fig.subplots()
    ax.plot(run.equity["ts"], run.equity["gross_exposure"] * 100.0, label="gross", color="#1f4e79", linewidth=2.2)
    # dashed on top: long-only runs have net == gross, and both lines must stay visible
    ax.plot(run.equity["ts"], run.equity["net_exposure"] * 100.0, label="net", color="#e67e22", linestyle="--")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_ylabel("% of equity")
    ax.set_title("Exposure")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def costs_over_time(run: RunData) -> Figure | None:
    if run.fills.empty:
        return None
    costs = fill_costs(run.fills)[list(COST_KINDS)]
    cumulative = costs.groupby(run.fills["ts"].to_numpy()).sum().sort_index().cumsum()
    fig = fixed_figure(3.5)
    ax = fig.subplots()
    ax.stackplot(cumulative.index, *(cumulative[k].to_numpy() for k in COST_KINDS), labels=COST_KINDS, alpha=0.8)
    ax.set_ylabel("cumulative cost (USD)")
    ax.set_title("Trading costs by kind")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def feature_importance(run: RunData) -> Figure | None:
    table = run.diagnostics.get("feature_importance")
    if table is None or table.empty or not {"feature", "gain"} <= set(table.columns):
        return None
    top = table.nlargest(TOP_FEATURES, "gain").iloc[::-1]
    fig = Figure(figsize=(WIDTH_IN, 0.25 * len(top) + 1.2), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    ax.barh(top["feature"].astype(str), top["gain"], color="#1f4e79")
    ax.set_xlabel("gain")
    ax.set_title(f"Feature importance (top {len(top)} by gain)")
    ax.grid(alpha=0.3, axis="x")
    return fig


def ic_over_time(run: RunData) -> Figure | None:
    """Per-bar IC ("ic_per_bar": ts, ic) as thin bars, with its rolling mean."""
    table = run.diagnostics.get("ic_per_bar")
    if table is None or table.empty or not {"ts", "ic"} <= set(table.columns) or table["ic"].notna().sum() == 0:
        return None
    ic = pd.Series(table["ic"].to_numpy(dtype=float), index=pd.DatetimeIndex(table["ts"]))
    rolling = ic.rolling(IC_ROLLING_BARS, min_periods=IC_ROLLING_BARS // 2).mean()
    fig = fixed_figure(3.5)
    ax = fig.subplots()
    bars(ax, ic.index, ic.to_numpy(), width=1.0, color="#9aa9b8", label="IC per bar")
    ax.plot(rolling.index, rolling.to_numpy(), color="#1f4e79", linewidth=1.6, label=f"{IC_ROLLING_BARS}-bar mean")
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_ylabel("rank IC")
    ax.set_title(f"Information coefficient per bar (mean {ic.mean():.3f})")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def ic_per_retrain(run: RunData) -> Figure | None:
    """One bar per retrain for every numeric column whose name mentions IC (ic, rank_ic, ic_mean...)."""
    table = run.diagnostics.get("ic_per_retrain")
    if table is None or table.empty:
        return None
    ic_cols = [c for c in table.columns if "ic" in str(c).lower().split("_") and pd.api.types.is_numeric_dtype(table[c])]
    if not ic_cols:
        return None
    labels = table[table.columns[0]].astype(str).to_numpy() if table.columns[0] not in ic_cols else np.arange(len(table)).astype(str)
    fig = Figure(figsize=(WIDTH_IN, 3.5), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(table))
    width = 0.8 / len(ic_cols)
    for i, col in enumerate(ic_cols):
        ax.bar(x + i * width - 0.4 + width / 2, table[col].to_numpy(dtype=float), width, label=str(col))
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xticks(x, labels, rotation=45, ha="right", fontsize=8)
    ax.set_title("Out-of-sample IC per retrain")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3, axis="y")
    return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("equity_drawdown", "Equity and drawdown", equity_and_drawdown),
    FigureSpec("exposure", "Gross and net exposure", exposure),
    FigureSpec("costs", "Trading costs over time", costs_over_time),
    FigureSpec("ic_over_time", "IC over time", ic_over_time, group="signals"),
    FigureSpec("ic_per_retrain", "IC per retrain", ic_per_retrain, group="signals"),
    FigureSpec("feature_importance", "Feature importance", feature_importance, group="signals"),
)


def render_png(fig: Figure) -> bytes:
    """PNG bytes of `fig`: the same bytes as `fig.savefig(buffer, format="png")`, one draw instead of
    two (savefig draws a laid-out figure once more, without output, before the real draw)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


def warm_up_rendering() -> None:
    """Draw a small figure with text: loads the font files and caches the first real figure would pay for."""
    fig = Figure(figsize=(2.0, 1.5), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    ax.plot(pd.to_datetime(["2020-01-01", "2020-06-01"]), [1.0, 2.0], label="x")
    ax.set_title("warm-up")
    ax.legend()
    render_png(fig)


def render_figures(run: RunData, specs: tuple[FigureSpec, ...] = FIGURES) -> dict[str, tuple[str, bytes]]:
    """name -> (title, PNG bytes) for every figure the run has data for, in `specs` order."""
    out: dict[str, tuple[str, bytes]] = {}
    for spec in specs:
        fig = spec.build(run)
        if fig is not None:
            out[spec.name] = (spec.title, render_png(fig))
    return out
