"""The run report's cost section: headline numbers, the main tables, four figures and the calibrated
config snippet. `cost_analysis_section` is a parity.reports.html Section (RunData -> html | None)."""

from __future__ import annotations

import html as html_lib
from typing import TYPE_CHECKING, Any

import pandas as pd

from parity.reports.run_data import RunData

if TYPE_CHECKING:
    from parity.reports.costs_run import CostAnalysis

# (summary key, label, format) for the headline table; formats as parity.reports.html.format_value.
HEADLINE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("orders", "Orders", "int"),
    ("trades", "Orders with fills (trades)", "int"),
    ("fill_rate", "Fill rate (shares, triggered orders)", "pct"),
    ("untriggered_orders", "Stop orders never triggered (not costed)", "int"),
    ("arrival_estimated_orders", "Orders without a recorded arrival price", "int"),
    ("shortfall_total_bps", "Implementation shortfall", "bps"),
    ("shortfall_delay_bps", "  delay (decision -> arrival)", "bps"),
    ("shortfall_execution_bps", "  execution (arrival -> fill)", "bps"),
    ("shortfall_slippage_bps", "    of which spread + impact", "bps"),
    ("shortfall_fees_bps", "  fees", "bps"),
    ("shortfall_opportunity_bps", "  opportunity (unfilled)", "bps"),
    ("shortfall_total", "Implementation shortfall (USD)", "usd"),
    ("costs_charged", "Costs charged (fees + slippage)", "usd"),
    ("gross_pnl", "Gross P&L (before costs charged)", "usd"),
    ("net_pnl", "Net P&L", "usd"),
    ("cost_share_of_gross_pnl", "Costs / gross P&L", "pct"),
    ("cost_per_trade", "Cost per trade", "usd"),
    ("break_even_cost_per_trade", "Break-even cost per trade", "usd"),
    ("cost_per_trade_bps", "Cost per trade (bps of traded)", "bps"),
    ("break_even_cost_bps", "Break-even cost (bps of traded)", "bps"),
)
TABLE_COLUMNS = ("orders", "filled_orders", "notional", "total", "total_bps", "delay_bps", "execution_bps",
                 "fees_bps", "opportunity_bps")
SECTION_TABLES = (("side", "By side"), ("type", "By order type"), ("reason", "By reason (rebalance, stop loss, ...)"), ("participation_bucket", "By participation"),
                  ("vol_bucket", "By daily volatility"), ("sector", "By sector"), ("time_of_day", "By time of day"),
                  ("month", "By month"))


def cost_analysis_section(run: RunData) -> str | None:
    """The report section for `run`; None when the run placed no orders."""
    if run.orders.empty:
        return None
    # Imported when the section is drawn: the analysis and its figures pull in numba kernels, scipy and
    # matplotlib, which `import parity.reports.html` (the CLI, the paper runner) should not pay for.
    from parity.reports.costs_run import analyse_costs

    return render_cost_section(analyse_costs(run))


def headline_table(summary: dict[str, Any]) -> pd.DataFrame:
    """The headline figures as a two-column table of formatted values (report and notebook)."""
    from parity.reports.html import format_value  # html.py lists this module's section: import it lazily

    rows = [(label, format_value(_finite(summary.get(key)), kind)) for key, label, kind in HEADLINE_ROWS]
    return pd.DataFrame(rows, columns=["metric", "value"])


def render_cost_section(analysis: CostAnalysis) -> str:
    from parity.reports import costs_figures
    from parity.reports.html import figure_html, section, table_html  # html.py lists this section: import lazily

    parts = [
        '<p class="note">Positive = cost to the trader. bps of decision notional (qty x decision price) unless '
        "stated; conventions in reports/costs.py. Prices from the run's " + html_lib.escape(analysis.prices_source) + ".</p>",
        table_html(headline_table(analysis.summary)),
    ]
    s = analysis.summary
    figures = [
        ("Shortfall decomposition", costs_figures.shortfall_decomposition(s)),
        ("Slippage against participation", costs_figures.slippage_vs_participation(
            analysis.observations, analysis.config.simulation.slippage, analysis.calibration.slippage)),
        ("Shortfall by symbol", costs_figures.cost_by_symbol(analysis.tables["symbol"])),
        ("Cumulative cost drag", costs_figures.cost_drag(analysis.drag)),
    ]
    if analysis.comparison is not None:
        figures.append(("Realised vs simulated slippage", costs_figures.realised_vs_model(analysis.comparison)))
    parts += [f"<h3>{html_lib.escape(title)}</h3>" + figure_html(fig, title) for title, fig in figures if fig is not None]
    for key, title in SECTION_TABLES:
        if key in analysis.tables:
            table = analysis.tables[key][list(TABLE_COLUMNS)].reset_index()
            parts.append(f"<h3>{html_lib.escape(title)}</h3>" + table_html(table))
    if analysis.comparison_summary is not None:
        cmp = pd.DataFrame([analysis.comparison_summary])
        parts.append("<h3>Paper fills against the simulator's assumptions</h3>" + table_html(cmp))
    parts.append("<h3>Calibrated simulator parameters</h3><pre>"
                 + html_lib.escape(analysis.calibration.yaml_snippet()) + "</pre>")
    return section("Transaction costs", "\n".join(parts), anchor="transaction-costs")


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value
