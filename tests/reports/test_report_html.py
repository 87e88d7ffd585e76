"""report.html: self-contained, the expected sections, figures as PNG, sections pluggable in one line."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from report_kit import tiny_bars, tiny_records, tiny_signals
from parity.reports.costs_report import cost_analysis_section
from parity.reports.figures import FIGURES, render_figures
from parity.reports.html import SECTIONS, diagnostics_table_html, format_value, render_report, section
from parity.reports.risk_section import risk_section
from parity.reports.run_data import RunData
from parity.reports.stats import compute_stats

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def tiny_run(with_diagnostics: bool = True) -> RunData:
    run = RunData.from_records("run-<1>", tiny_records(), tiny_signals(with_diagnostics), tiny_bars())
    return run.with_stats(compute_stats(run.equity, run.fills, run.orders, 252.0))


def embedded_pngs(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def test_page_is_self_contained_with_every_section_and_figure() -> None:
    page = render_report(tiny_run())
    for heading in ("Summary", "Data notes", "Figures", "Transaction costs", "Risk events", "Signal diagnostics"):
        assert f"<h2>{heading}</h2>" in page
    own = render_report(tiny_run(), sections=tuple(s for s in SECTIONS if s not in (cost_analysis_section, risk_section)))
    # equity, exposure, costs, IC x2, importance: the kit has data for all (the cost section adds its own)
    assert len(embedded_pngs(own)) == len(FIGURES)
    pngs = embedded_pngs(page)
    assert all(p.startswith(PNG_MAGIC) for p in pngs)
    assert "http://" not in page and "https://" not in page  # nothing fetched when the page opens
    assert "AAA: 2-for-1 split on 2010-01-05 adjusted" in page
    assert "8.90%" in page  # total return 0.089
    assert "run-&lt;1&gt;" in page and "run-<1>" not in page  # text is escaped


def test_risk_events_are_counted_by_rule_and_action() -> None:
    page = render_report(tiny_run())
    risk = page[page.index("<h2>Risk events</h2>"):]
    cells = re.sub(r"\s+", "", risk)
    # kit: one daily_loss refusal, one position_size scale-down; columns refused | scaled | total
    assert "<th>rule</th><th>refused</th><th>scaled</th><th>total</th>" in cells
    assert "<td>daily_loss</td><td>1</td><td>0</td><td>1</td>" in cells
    assert "<td>position_size</td><td>0</td><td>1</td><td>1</td>" in cells
    assert "<td>total</td><td>1</td><td>1</td><td>2</td>" in cells


def test_figures_without_data_are_left_out() -> None:
    run = tiny_run(with_diagnostics=False)
    run = replace(run, fills=run.fills.iloc[0:0])
    assert set(render_figures(run)) == {"equity_drawdown", "exposure"}


def test_a_section_plugs_in_with_one_line() -> None:
    def cost_section(run: RunData) -> str:
        return section("Cost analysis", f"<p>{len(run.fills)} fills analysed</p>")

    page = render_report(tiny_run(), sections=(*SECTIONS, cost_section))
    assert "<h2>Cost analysis</h2>" in page and "2 fills analysed" in page
    assert page.index("<h2>Summary</h2>") < page.index("<h2>Cost analysis</h2>")


def test_long_diagnostics_tables_are_summarised() -> None:
    ic = pd.DataFrame({"ts": pd.date_range("2020-01-01", periods=100, tz="UTC"), "ic": np.linspace(-0.1, 0.1, 100)})
    page = diagnostics_table_html("ic_per_bar", ic)
    assert "100 rows summarised" in page and "diagnostics/ic_per_bar.parquet" in page
    assert "<td>ic</td>" in page and "100" in page  # describe(): the count of the ic column


def test_money_and_ratios_are_formatted_for_people() -> None:
    assert format_value(-44620.774, "usd") == "-$44,620.77"
    assert format_value(1234.5, "usd") == "$1,234.50"
    assert format_value(-0.0572, "pct") == "-5.72%"
    assert format_value(None, "num") == "n/a"  # a statistic stored as null (undefined)
