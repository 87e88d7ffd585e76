"""The printed report: rich tables of the figures and the issue-7 targets, met or missed."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def _s(x: float) -> str:
    return f"{x:.4f} s" if x < 0.1 else f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def _rate(cells: int, seconds: float) -> str:
    r = cells / seconds
    return f"{r / 1e6:.1f} M" if r >= 1e6 else f"{r / 1e3:.0f} k"


def engine_table(engine: dict) -> Table:
    t = Table(title="Full engine vs vectorbt from_orders (same fills) vs bare numba floor")
    for col in ("workload", "Parity (warm)", "rows/s", "1st call, cold cache", "1st call, disk cache",
                "vectorbt (warm)", "vbt 1st call", "floor", "Parity/vbt", "Parity/floor", "final equity",
                "diff vbt / floor", "orders / fills / risk events", "peak RSS Parity / all"):
        t.add_column(col, justify="right" if col != "workload" else "left")
    for r in engine.values():
        t.add_row(r["workload"], _s(r["parity_s"]), _rate(r["cells"], r["parity_s"]), _s(r["parity_first_cold_s"]),
                  _s(r["parity_first_s"]), _s(r["vbt_s"]), _s(r["vbt_first_s"]), _s(r["floor_s"]),
                  f"{r['parity_s'] / r['vbt_s']:.2f}", f"{r['parity_s'] / r['floor_s']:.0f}",
                  f"{r['parity_equity']:,.2f}",
                  f"{r['vbt_equity'] - r['parity_equity']:.1e} / {r['floor_equity'] - r['parity_equity']:.1e}",
                  f"{r['orders']:,} / {r['fills']:,} / {r['risk_events']:,}", f"{r['rss_parity_mb']:,.0f} / {r['rss_peak_mb']:,.0f} MB")
    return t


def targets(results: dict) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for every target whose figures were run."""
    rows = []
    engine = results.get("engine", {})
    if "M" in engine:
        m = engine["M"]
        ratio = m["parity_s"] / m["vbt_s"]
        rows.append(("M: Parity <= 0.5 x vectorbt", f"{ratio:.2f} x", ratio <= 0.5))
        floor = m["parity_s"] / m["floor_s"]
        rows.append(("M: Parity within 10 x the floor", f"{floor:.0f} x", floor <= 10))
    if "L" in engine:
        big = engine["L"]
        rows.append(("L runs within 24 GB", f"peak {big['rss_peak_mb'] / 1024:.1f} GB", big["rss_peak_mb"] < 24 * 1024))
        if "M" in engine:
            m = engine["M"]
            per_cell = (big["parity_s"] / big["cells"]) / (m["parity_s"] / m["cells"])
            rows.append(("L: time linear in symbols (per-cell time L / M ~ 1)", f"{per_cell:.2f}", per_cell <= 1.25))
    e2e = results.get("e2e")
    if e2e:
        rows.append((f"backtest {e2e['config']}, embedded data, fresh clone < 10 s", _s(e2e["cold_s"]), e2e["cold_s"] < 10))
        rows.append(("backtest, embedded data, warm < 3 s (HTML report on)", _s(e2e["warm_s"]), e2e["warm_s"] < 3))
        rows.append(("backtest, warm, reporting.html=false", _s(e2e["warm_no_html_s"]), e2e["warm_no_html_s"] < 3))
    live = results.get("live")
    if live:
        rows.append((f"live step p99 < 5 ms ({live['symbols']} symbols)", f"{live['p99_ms']:.2f} ms",
                     live["p99_ms"] < 5))
    paper = results.get("paper")
    if paper:
        rows.append(("paper runner RSS < 300 MB", f"{paper['rss_peak_mb']:.0f} MB", paper["rss_peak_mb"] < 300))
        children = [paper.get(k, float("nan")) for k in ("rss_scoring_child_mb", "rss_report_child_mb")]
        tree = paper["rss_peak_mb"] + max((c for c in children if c == c), default=0.0)  # c == c: not NaN
        rows.append(("  with its largest child working", f"~{tree:.0f} MB", tree < 300))
    return rows


def _stages(st: dict) -> str:
    return ", ".join(f"{k[:-2]} {v:.2f} s" for k, v in st.items() if k.endswith("_s") and k != "wall_s")


def print_report(results: dict, console: Console | None = None) -> None:
    console = console or Console(width=200)
    console.print(f"[bold]Parity benchmarks[/bold]  {results['date']}  ({results['machine']}); "
                  f"max_position_size {results.get('position_size', '1 / symbols')}")
    if results.get("engine"):
        console.print(engine_table(results["engine"]))
    live = results.get("live")
    if live:
        console.print(f"Live step (stepped loop + SimBroker, {live['symbols']} symbols, {live['steps']:,} steps): "
                      f"p50 {live['p50_ms']:.3f} ms, p99 {live['p99_ms']:.3f} ms, max {live['max_ms']:.2f} ms, "
                      f"mean {live['mean_ms']:.3f} ms")
        if "max_ms_no_freeze" in live:
            console.print(f"  same loop without gc.freeze(): p99 {live['p99_ms_no_freeze']:.3f} ms, "
                          f"max {live['max_ms_no_freeze']:.2f} ms; one full gc.collect() with the runner's modules loaded: "
                          f"{live['full_gc_ms_no_freeze']:.1f} ms before gc.freeze(), {live['full_gc_ms']:.1f} ms after")
    paper = results.get("paper")
    if paper:
        console.print(f"Paper runner ({paper['sessions']} sessions, {paper.get('history_bars', '?')} bars of history; "
                      f"{paper.get('rss_measured', '')}): peak RSS {paper['rss_peak_mb']:.0f} MB; its children while "
                      f"they work: scoring {paper.get('rss_scoring_child_mb', float('nan')):.0f} MB, report "
                      f"{paper.get('rss_report_child_mb', float('nan')):.0f} MB; {paper['seconds']:.1f} s, "
                      f"{paper['posted']} orders sent")
    e2e = results.get("e2e")
    if e2e:
        console.print(f"parity backtest --config {e2e['config']} (embedded data, process start included): fresh "
                      f"clone {_s(e2e['cold_s'])}, warm {_s(e2e['warm_s'])}, warm without HTML "
                      f"{_s(e2e['warm_no_html_s'])}; python start {_s(e2e['python_start_s'])}")
        console.print(f"  warm stages in-process: {_stages(e2e['stages'])}")
        console.print(f"  warm stages, reporting.html=false: {_stages(e2e['stages_no_html'])}")
        if "default_stages" in e2e:
            console.print(f"parity backtest --config {e2e['default_config']} "
                          f"({e2e['default_stages']['strategy']}), first run in the clone: {_s(e2e['default_warm_s'])}; warm stages "
                          f"(signals = walk-forward model training + scoring): {_stages(e2e['default_stages'])}")
    for part, error in results.get("errors", {}).items():
        console.print(f"[red]{part} failed[/red]: {error}")
    rows = targets(results)
    if rows:
        t = Table(title="Issue 7 targets")
        for col in ("target", "measured", "met"):
            t.add_column(col)
        for name, measured, met in rows:
            t.add_row(name, measured, "[green]yes[/green]" if met else "[red]no[/red]")
        console.print(t)
