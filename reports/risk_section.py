"""The report's "Risk limits" section: how close the run came to each limit over time, what every
rule did, protective stops and the emergency stop.

Limit usage per bar is computed from the run's records (equity and positions at each close) and
the limits in its resolved config, as a percentage of the limit (100% = at the limit):
- position size: the largest |position value| / (max_position_size * equity);
- position risk: the largest |position value| * stop_loss_pct / (max_position_risk * equity);
- sector exposure: the largest sector's gross value / (max_sector_exposure * equity);
- total exposure: gross exposure / max_total_exposure;
- daily loss: the fall of equity from the session's start (the previous session's last close) /
  max_daily_loss (sessions are UTC calendar days of the bar closes, as for US equities).
Usage at a close can exceed 100% only by price moves since the last decision; the next decision
trims it (tests/risk/ proves this property).
"""

from __future__ import annotations

import html

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import yaml

from parity.engine.config.schema import ParityConfig
from parity.reports.run_data import RunData

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LIMITS = ("position size", "position risk", "sector exposure", "total exposure", "daily loss")
RULE_OF_LIMIT = {"position size": "position_size", "position risk": "position_risk",
                 "sector exposure": "sector_exposure", "total exposure": "total_exposure", "daily loss": "daily_loss"}


def run_config(run: RunData) -> ParityConfig:
    """The run's resolved config (defaults if the run folder has none)."""
    if not run.config_yaml:
        return ParityConfig()
    return ParityConfig.model_validate(yaml.safe_load(run.config_yaml) or {})


def limit_usage(run: RunData, config: ParityConfig) -> pd.DataFrame:
    """Per bar close (index ts): usage of each limit in LIMITS, in % of the limit."""
    eq = run.equity.set_index("ts")["equity"].astype(float)
    if eq.empty:
        return pd.DataFrame(columns=list(LIMITS))
    ps, rm = config.position_sizing, config.risk_management
    safe = eq.where(eq > 0)
    pos = run.positions.assign(value=run.positions["market_value"].abs())
    largest = pos.groupby("ts")["value"].max().reindex(eq.index, fill_value=0.0)
    sector = pos.groupby(["ts", "sector"])["value"].sum().groupby("ts").max().reindex(eq.index, fill_value=0.0)
    gross = run.equity.set_index("ts")["gross_exposure"].astype(float)
    day = pd.Series(eq.index.normalize(), index=eq.index)
    previous_close = eq.shift(1).fillna(eq.iloc[0])
    session_start = previous_close.groupby(day).transform("first")
    drawdown = (session_start - eq).clip(lower=0.0) / session_start
    return pd.DataFrame({
        "position size": largest / (ps.max_position_size * safe),
        "position risk": largest * rm.stop_loss_pct / (rm.max_position_risk * safe),
        "sector exposure": sector / (rm.max_sector_exposure * safe),
        "total exposure": gross / ps.max_total_exposure,
        "daily loss": drawdown / rm.max_daily_loss,
    }, index=eq.index) * 100.0


def usage_figure(usage: pd.DataFrame, halted: pd.Index) -> Figure:
    from parity.reports.figures import fixed_figure  # matplotlib: imported when a figure is drawn

    fig = fixed_figure(3.8)
    ax = fig.subplots()
    for name in LIMITS:
        ax.plot(usage.index, usage[name], label=name, linewidth=1.1)
    ax.axhline(100.0, color="#c0392b", linewidth=1.0, linestyle="--", label="limit")
    if len(halted):
        ax.axvspan(halted.min(), halted.max(), color="grey", alpha=0.2, label="emergency stop")
    ax.set_ylabel("% of limit")
    ax.set_title("Limit usage at each close")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", ncols=4, fontsize="small")
    return fig


def usage_table(usage: pd.DataFrame, events: pd.DataFrame, config: ParityConfig) -> pd.DataFrame:
    ps, rm = config.position_sizing, config.risk_management
    limit = {"position size": ps.max_position_size, "position risk": rm.max_position_risk,
             "sector exposure": rm.max_sector_exposure, "total exposure": ps.max_total_exposure,
             "daily loss": rm.max_daily_loss}
    rows = []
    for name in LIMITS:
        col = usage[name].dropna() if name in usage else pd.Series(dtype=float)
        rule = events[events["rule"] == RULE_OF_LIMIT[name]] if not events.empty else events
        rows.append({
            "limit": name, "setting": f"{limit[name] * 100:.2f}% of equity",
            "peak usage": f"{col.max():.1f}%" if len(col) else "n/a",
            "mean usage": f"{col.mean():.1f}%" if len(col) else "n/a",
            "closes above the limit": int((col > 100.0 + 1e-9).sum()),
            "scaled": int((rule["action"] == "scaled").sum()) if len(rule) else 0,
            "refused": int((rule["action"] == "refused").sum()) if len(rule) else 0,
        })
    return pd.DataFrame(rows)


def protective_table(run: RunData) -> pd.DataFrame:
    o = run.orders
    rows = []
    for reason, label in (("stop_loss", "protective stops and stop-outs"), ("emergency_flatten", "emergency flatten")):
        mine = o[o["reason"] == reason] if not o.empty else o
        rows.append({"orders": label, "sent": len(mine),
                     "filled (any part)": int((mine["filled_qty"] > 0).sum()) if len(mine) else 0,
                     "shares filled": float(mine["filled_qty"].sum()) if len(mine) else 0.0})
    return pd.DataFrame(rows)


def risk_section(run: RunData) -> str | None:
    """A parity.reports.html Section (listed in parity.reports.html.SECTIONS; imported from there, so the html
    helpers are imported here at call time)."""
    from parity.reports.html import section, table_html

    if run.equity.empty:
        return None
    config = run_config(run)
    events = run.risk_events
    halted_ts = pd.Index(events.loc[(events["rule"] == "emergency_stop") & (events["symbol"] == "*"), "ts"]) \
        if not events.empty else pd.Index([])
    usage = limit_usage(run, config)
    parts = [usage_figure_html(usage, halted_ts),
             "<h3>Limits: usage and rule actions</h3>" + table_html(usage_table(usage, events, config)),
             "<p class=\"note\">Usage is measured at each close; above 100% only by price moves since the last "
             "decision, which the next decision trims.</p>",
             "<h3>Protective orders</h3>" + table_html(protective_table(run))]
    if len(halted_ts):
        parts.append(f"<p><strong>Emergency stop in force</strong> on {len(halted_ts):,} bars, from "
                     f"{html.escape(str(halted_ts.min()))} to {html.escape(str(halted_ts.max()))}.</p>")
    stops = events[events["rule"].isin(["stop_loss", "emergency_stop"])] if not events.empty else events
    if len(stops):
        parts.append("<h3>Stop and emergency events</h3>" + table_html(stops.sort_values(["ts", "bar"])))
    return section("Risk limits", "\n".join(parts))


def usage_figure_html(usage: pd.DataFrame, halted: pd.Index) -> str:
    from parity.reports.html import figure_html

    if usage.empty or not np.isfinite(usage.to_numpy(dtype=float)).any():
        return "<p>No limit usage to plot.</p>"
    return figure_html(usage_figure(usage, halted), "Limit usage over time")
