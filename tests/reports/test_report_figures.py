"""Figures drawn with fixed margins (parity.reports.figures.fixed_figure) keep every text inside the image,
for small and for large numbers on their axes; render_png gives savefig's bytes with one draw."""

from __future__ import annotations

import io
from dataclasses import replace

import pandas as pd
import pytest
from matplotlib.text import Text

from report_kit import tiny_bars, tiny_records, tiny_signals
from parity.reports import costs_figures
from parity.reports.costs_run import analyse_costs
from parity.reports.figures import FIGURES, render_png
from parity.reports.risk_section import limit_usage, run_config, usage_figure
from parity.reports.run_data import RunData


def tiny_run(scale: float) -> RunData:
    """The kit's run with equity and cash times `scale` (1e6: axis labels in the billions)."""
    run = RunData.from_records("run-f", tiny_records(), tiny_signals(), tiny_bars())
    equity = run.equity.assign(equity=run.equity["equity"] * scale, cash=run.equity["cash"] * scale)
    return replace(run, equity=equity)


def fixed_layout_figures(run: RunData) -> dict:
    analysis = analyse_costs(run, bars=tiny_bars())
    usage = limit_usage(run, run_config(run))
    figs = {spec.name: spec.build(run) for spec in FIGURES}
    figs |= {
        "shortfall": costs_figures.shortfall_decomposition(analysis.summary),
        "by_symbol": costs_figures.cost_by_symbol(analysis.tables["symbol"]),
        "drag": costs_figures.cost_drag(analysis.drag),
        "usage": usage_figure(usage, pd.Index([])),
    }
    return {name: fig for name, fig in figs.items() if fig is not None and fig.get_layout_engine() is None}


@pytest.mark.parametrize("scale", [1.0, 1e6, -1.0], ids=["thousands", "billions", "negative"])
def test_every_text_of_a_fixed_layout_figure_is_inside_the_image(scale: float) -> None:
    figs = fixed_layout_figures(tiny_run(scale))
    # the kit has data for all of these; feature importance and IC per retrain keep constrained layout
    assert {"equity_drawdown", "exposure", "costs", "ic_over_time", "shortfall", "drag", "usage"} <= set(figs)
    for name, fig in figs.items():
        render_png(fig)  # draws: tick labels and offsets exist only after a draw
        # everything drawn (titles, tick labels, axis labels, offsets, legends), in inches
        drawn = fig.get_tightbbox(fig.canvas.get_renderer())
        width, height = fig.get_size_inches()
        assert drawn.x0 >= 0 and drawn.y0 >= 0 and drawn.x1 <= width and drawn.y1 <= height, (name, drawn.bounds)
        assert any(t.get_text() for t in fig.findobj(Text))


def test_render_png_gives_savefigs_bytes() -> None:
    for spec in FIGURES:
        fig = spec.build(tiny_run(1.0))
        if fig is None:
            continue
        buffer = io.BytesIO()
        spec.build(tiny_run(1.0)).savefig(buffer, format="png")
        assert render_png(fig) == buffer.getvalue(), spec.name
