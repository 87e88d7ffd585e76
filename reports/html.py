"""report.html: one self-contained page (figures embedded as base64 PNG, no external assets).

The page is a list of sections; each section is a function `RunData -> html fragment | None`
(None = nothing to show for this run). Plug in another section with one line in SECTIONS, as
`cost_analysis_section` (reports/costs_report.py) is. Helpers here (`section`, `table_html`, `figure_html`)
give every section the same look.
"""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING, Any, Callable, Sequence

import pandas as pd

from parity.reports.costs_report import cost_analysis_section
from parity.reports.risk_section import risk_section
from parity.reports.run_data import RunData
from parity.reports.worker import Job, ReportWorker, share_jobs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Section = Callable[[RunData], "str | None"]
MAX_TABLE_ROWS = 60

# --- building blocks shared by all sections ------------------------------------------------------


def section(title: str, body: str, anchor: str = "") -> str:
    anchor = anchor or title.lower().replace(" ", "-")
    return f'<section id="{html.escape(anchor)}"><h2>{html.escape(title)}</h2>\n{body}\n</section>'


def table_html(frame: pd.DataFrame, max_rows: int = MAX_TABLE_ROWS, index: bool = False) -> str:
    """An escaped HTML table; long tables are cut to `max_rows` with a note saying so."""
    shown = frame.head(max_rows)
    out = shown.to_html(index=index, border=0, classes="data", float_format=_table_float, na_rep="")
    if len(frame) > max_rows:
        out += f'<p class="note">First {max_rows} of {len(frame):,} rows.</p>'
    return out


def _table_float(value: float) -> str:
    """Readable at a glance: 28,117,888 / 15.99 / 0.02617 (never 2.812e+07)."""
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def png_html(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"/></figure>'


def figure_html(fig: Figure, alt: str) -> str:
    from parity.reports.figures import render_png  # matplotlib: imported when a figure is drawn

    return png_html(render_png(fig), alt)


# --- sections ------------------------------------------------------------------------------------

# (stats key, label, format): format is "pct", "num", "int", "usd" or "bps".
SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("start", "Start", "str"),
    ("end", "End", "str"),
    ("bars", "Bars", "int"),
    ("start_equity", "Start equity", "usd"),
    ("end_equity", "End equity", "usd"),
    ("total_return", "Total return", "pct"),
    ("cagr", "CAGR", "pct"),
    ("annual_volatility", "Annual volatility", "pct"),
    ("sharpe", "Sharpe", "num"),
    ("sortino", "Sortino", "num"),
    ("max_drawdown", "Max drawdown", "pct"),
    ("turnover_annual", "Turnover (annualised, x equity)", "num"),
    ("turnover_total", "Turnover (total, x equity)", "num"),
    ("orders", "Orders", "int"),
    ("fills", "Fills", "int"),
    ("fill_rate", "Fill rate (shares)", "pct"),
    ("traded_notional", "Traded notional", "usd"),
    ("total_costs", "Total costs", "usd"),
    ("total_costs_bps", "Total costs (bps of traded)", "bps"),
)


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "pct":
        return f"{value * 100:,.2f}%"
    if kind == "usd":
        return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"
    if kind == "bps":
        return f"{value:,.2f} bps"
    if kind == "num":
        return f"{value:,.3f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


def summary_section(run: RunData) -> str | None:
    stats = run.stats
    if not stats:
        return None
    rows = [(label, format_value(stats.get(key), kind)) for key, label, kind in SUMMARY_ROWS if key in stats]
    body = table_html(pd.DataFrame(rows, columns=["metric", "value"]))
    costs = stats.get("costs") or {}
    if costs:
        bps = stats.get("costs_bps") or {}
        cost_rows = [(kind, format_value(usd, "usd"), format_value(bps.get(kind), "bps")) for kind, usd in costs.items()]
        body += "<h3>Costs by kind</h3>" + table_html(pd.DataFrame(cost_rows, columns=["kind", "USD", "bps of traded"]))
    by_status = stats.get("orders_by_status") or {}
    if by_status:
        body += "<h3>Orders by final status</h3>" + table_html(
            pd.DataFrame(sorted(by_status.items()), columns=["status", "orders"]))
    return section("Summary", body)


def data_notes_section(run: RunData) -> str:
    if not run.data_notes:
        return section("Data notes", "<p>The data loader reported nothing to note.</p>")
    items = "\n".join(f"<li>{html.escape(note)}</li>" for note in run.data_notes)
    return section("Data notes", f"<ul>{items}</ul>")


def figure_group_html(run: RunData, group: str) -> list[str]:
    from parity.reports.figures import FIGURES

    parts = []
    for spec in FIGURES:
        if spec.group == group and (fig := spec.build(run)) is not None:
            parts.append(f"<h3>{html.escape(spec.title)}</h3>" + figure_html(fig, spec.title))
    return parts


def figures_section(run: RunData) -> str | None:
    parts = figure_group_html(run, "run")
    return section("Figures", "\n".join(parts)) if parts else None


def risk_events_section(run: RunData) -> str:
    events = run.risk_events
    if events.empty:
        return section("Risk events", "<p>No risk rule changed a target in this run.</p>")
    counts = pd.crosstab(events["rule"], events["action"], margins=True, margins_name="total")
    counts.columns.name = None  # one header row: rule | <actions> | total
    body = f"<p>{len(events):,} events (rows: rule; columns: action).</p>" + table_html(counts.reset_index())
    body += "<h3>Latest events</h3>" + table_html(events.sort_values(["ts", "bar"]).tail(20).iloc[::-1])
    return section("Risk events", body)


def signal_diagnostics_section(run: RunData) -> str | None:
    parts = []
    if not run.signals.empty:
        scores = run.signals["score"]
        covered = scores.notna()
        summary = pd.DataFrame([{
            "rows": len(scores),
            "with a score": f"{covered.mean() * 100:.1f}%",
            "mean |score|": float(scores[covered].abs().mean()) if covered.any() else None,
            "model versions": int(run.signals["model_version"][run.signals["model_version"] != ""].nunique()),
        }])
        parts.append("<h3>Scores</h3>" + table_html(summary))
    parts += figure_group_html(run, "signals")
    for name, table in run.diagnostics.items():
        parts.append(f"<h3>{html.escape(name.replace('_', ' '))}</h3>" + diagnostics_table_html(name, table))
    return section("Signal diagnostics", "\n".join(parts)) if parts else None


def diagnostics_table_html(name: str, table: pd.DataFrame) -> str:
    """Short tables in full; long ones (one row per bar) as summary statistics of their columns."""
    if len(table) <= MAX_TABLE_ROWS:
        return table_html(table)
    numeric = table.select_dtypes("number")
    if numeric.empty:
        return table_html(table)
    described = numeric.describe().T.reset_index(names="column")
    return (table_html(described)
            + f'<p class="note">{len(table):,} rows summarised; the full table is diagnostics/{html.escape(name)}.parquet.</p>')


def config_section(run: RunData) -> str | None:
    if not run.config_yaml:
        return None
    body = f"<details><summary>Show config.yaml</summary><pre>{html.escape(run.config_yaml)}</pre></details>"
    return section("Resolved config", body)


SECTIONS: tuple[Section, ...] = (
    summary_section,
    data_notes_section,
    figures_section,
    cost_analysis_section,
    risk_events_section,
    risk_section,
    signal_diagnostics_section,
    config_section,
)

_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1080px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
table.data { border-collapse: collapse; font-size: .9em; margin: .5em 0; }
table.data th, table.data td { padding: .25em .7em; border-bottom: 1px solid #eee; text-align: right; }
table.data th:first-child, table.data td:first-child { text-align: left; }
figure { margin: .5em 0; } img { max-width: 100%; }
.note { color: #666; font-size: .85em; } pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
"""


# Rough cost (seconds of CPU, measured on the momentum baseline in a warm process) of the sections
# that draw figures, so the report worker is handed the heaviest first; the others cost next to nothing.
SECTION_WEIGHTS: dict[Section, float] = {cost_analysis_section: 0.7, figures_section: 0.3,
                                         signal_diagnostics_section: 0.2, risk_section: 0.15}


def section_jobs(run: RunData, sections: Sequence[Section] = SECTIONS) -> list[Job]:
    """One report job per section (see parity.reports.worker): `section(run)` -> html fragment or None."""
    return [(build, (run,)) for build in sections]


def render_report(run: RunData, sections: Sequence[Section] = SECTIONS, worker: ReportWorker | None = None) -> str:
    """The whole page; sections returning None are left out. With a `worker`, sections are drawn in
    two processes at once (the page is the same)."""
    jobs = section_jobs(run, sections)
    return assemble_report(run, share_jobs(jobs, worker, [SECTION_WEIGHTS.get(build, 0.0) for build in sections]))


def assemble_report(run: RunData, fragments: Sequence[str | None]) -> str:
    """The page from the sections' fragments, in section order (None: left out)."""
    body = "\n".join(fragment for fragment in fragments if fragment)
    title = f"Parity run {html.escape(run.run_id)}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title><style>{_CSS}</style></head>\n"
        f"<body><h1>{title}</h1>\n{body}\n</body></html>\n"
    )
