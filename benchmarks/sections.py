"""Where the compiled backtest spends its time: `python -m benchmarks.sections [D|M|L] [POSITION_SIZE]`.

numba has no profiler for compiled code, so this mirrors the per-bar loop of
parity.brokers.sim.backtest._simulate with the CPU's cycle counter read between its sections (match_bar,
fills into the book, records, working-order split, decide_bar, cancels + latency draws) and prints
each section's share. The mirror calls the same kernels in the same order (its final equity is
checked against run_backtest), so only the counters are added.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.core.extending import intrinsic

from parity.brokers.sim.backtest import bars_per_session, fill_vol, run_backtest, session_ends
from parity.brokers.sim.latency import draw_delay_ns
from parity.brokers.sim.matching import match_bar
from parity.brokers.sim.params import sim_params
from parity.engine.kernels.buffers import ensure_capacity
from parity.engine.kernels.cancels import working_by_symbol
from parity.engine.kernels.orders import cancel_working
from parity.engine.kernels.portfolio import apply_fills, mark_to_market, update_marks
from parity.engine.kernels.orders import generate_orders
from parity.engine.kernels.risk import review_targets
from parity.engine.kernels.sizing import size_targets
from parity.engine.kernels.step import make_book
from parity.engine.kernels.stops import hold_exiting_positions, place_stops
from parity.engine.params import engine_params
from parity.engine.types import EQUITY_DTYPE, FILL_DTYPE, ORDER_DTYPE, RISK_EVENT_DTYPE

SECTIONS = ("vol + match_bar", "apply fills + mark", "records", "working split + book", "decide: sizing",
            "decide: risk + exits", "decide: orders", "decide: stops", "cancels + latency")


@intrinsic
def cycles(typingctx):
    """llvm.readcyclecounter: the CPU's time-stamp counter (a few ns to read)."""
    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(64), []),
                                            "llvm.readcyclecounter")
        return builder.call(fn, [])
    return types.int64(), codegen


@njit(cache=True)
def _simulate_timed(open_, high, low, close, volume, open_ts, close_ts, session, ends, vol_lookback, per_session,
                    scores, sector_ids, params, sim, initial_cash, seed, orders, fills, events, spent):
    np.random.seed(seed)
    n_bars, n_symbols = close.shape
    vol_scale = np.sqrt(per_session)
    vol = np.full(n_symbols, np.nan)
    vol_bar = np.full(n_symbols, -1, dtype=np.int64)
    skip_noted = np.zeros(n_symbols, dtype=np.bool_)
    equity_rec = np.empty(n_bars, dtype=EQUITY_DTYPE)
    positions_rec = np.empty((n_bars, n_symbols))
    marks_rec = np.empty((n_bars, n_symbols))
    positions = np.zeros(n_symbols)
    avg_entry = np.full(n_symbols, np.nan)
    marks = np.full(n_symbols, np.nan)
    pending = np.zeros(n_symbols)
    exit_pending = np.zeros(n_symbols)
    stop_qty = np.zeros(n_symbols)
    stop_price = np.full(n_symbols, np.nan)
    cancel = np.zeros(n_symbols, dtype=np.int8)
    working = np.empty(max(16, 2 * n_symbols), dtype=np.int64)
    n_working = n_orders = n_fills = n_events = np.int64(0)
    cash = initial_cash
    equity = initial_cash
    session_start = initial_cash
    session_low = initial_cash
    for t in range(n_bars):
        c0 = cycles()
        if t > 0 and session[t] != session[t - 1]:
            session_start = equity
            session_low = equity
        fills = ensure_capacity(fills, n_fills + n_working)
        first_fill = n_fills
        fill_vol(t, orders, working, n_working, open_, high, low, close, volume, open_ts[t], vol_lookback, vol_scale,
                 sim, vol, vol_bar)
        n_working, n_fills = match_bar(t, orders, working, n_working, open_[t], high[t], low[t], close[t], volume[t],
                                       open_ts[t], ends[t], vol, sim, fills, n_fills)
        c1 = cycles()
        cash = apply_fills(fills, first_fill, n_fills, positions, avg_entry, cash)
        update_marks(marks, close[t])
        equity, gross, net = mark_to_market(positions, marks, cash)
        session_low = min(session_low, equity)
        c2 = cycles()
        rec = equity_rec[t]
        rec["ts"] = close_ts[t]
        rec["cash"] = cash
        rec["equity"] = equity
        rec["gross_exposure"] = gross / equity if equity != 0.0 else np.nan
        rec["net_exposure"] = net / equity if equity != 0.0 else np.nan
        for i in range(n_symbols):
            positions_rec[t, i] = positions[i]
            marks_rec[t, i] = marks[i]
        c3 = cycles()
        working_by_symbol(orders, working, n_working, pending, exit_pending, stop_qty, stop_price)
        book = make_book(positions, pending, avg_entry, marks, cash, equity, session_start, session_low, exit_pending,
                         stop_qty, stop_price, False, skip_noted)
        c4 = cycles()
        first_order = n_orders
        # decide_bar's body (engine/kernels/step.py, not halted), one section per kernel
        ts, prices = close_ts[t], close[t]
        targets, has_view, events, n_events = size_targets(t, ts, scores[t], prices, book, params.sizing, events,
                                                           n_events)
        c41 = cycles()
        adjusted, events, n_events = review_targets(t, ts, targets, has_view, prices, book, sector_ids, params.risk,
                                                    events, n_events)
        levels = np.empty(n_symbols)
        events, n_events = hold_exiting_positions(t, ts, adjusted, prices, book, params.risk, events, n_events, levels)
        c42 = cycles()
        orders, n_orders, events, n_events = generate_orders(t, ts, adjusted, prices, book, params.orders, orders,
                                                             n_orders, cancel, events, n_events)
        c43 = cycles()
        orders, n_orders, events, n_events = place_stops(t, ts, first_order, prices, book, params.risk, orders,
                                                         n_orders, cancel, events, n_events, levels)
        c5 = cycles()
        n_working = cancel_working(orders, working, n_working, cancel)
        working = ensure_capacity(working, n_working + n_orders - first_order)
        for k in range(first_order, n_orders):
            o = orders[k]
            o["arrival_at"] = o["created_at"] + draw_delay_ns(sim.submit_ns, sim.latency_dist, sim.lognormal_sigma)
            working[n_working] = k
            n_working += 1
        c6 = cycles()
        spent[0] += c1 - c0
        spent[1] += c2 - c1
        spent[2] += c3 - c2
        spent[3] += c4 - c3
        spent[4] += c41 - c4
        spent[5] += c42 - c41
        spent[6] += c43 - c42
        spent[7] += c5 - c43
        spent[8] += c6 - c5
    return equity_rec


def profile(name: str) -> None:
    from benchmarks.workloads import WORKLOADS, bench_config, ma_crossover, make_bars

    w = WORKLOADS[name]
    bars = make_bars(w)
    signals = ma_crossover(bars, w.fast, w.slow)
    config = bench_config(bars.n_symbols, float(sys.argv[2]) if len(sys.argv) > 2 else None)

    def run(spent):
        sector_ids, _ = bars.sector_ids()
        return _simulate_timed(
            bars.open, bars.high, bars.low, bars.close, bars.volume, bars.open_ts.astype(np.int64),
            bars.close_ts.astype(np.int64), bars.session.astype(np.int64), session_ends(bars.session),
            int(config.simulation.slippage.vol_lookback), float(bars_per_session(bars)),
            np.ascontiguousarray(signals.scores), sector_ids, engine_params(config),
            sim_params(config.simulation), float(config.simulation.initial_cash), int(config.simulation.seed),
            np.zeros(4096, ORDER_DTYPE), np.zeros(4096, FILL_DTYPE), np.zeros(4096, RISK_EVENT_DTYPE), spent)

    run(np.zeros(len(SECTIONS), dtype=np.int64))  # compile
    spent = np.zeros(len(SECTIONS), dtype=np.int64)
    start = time.perf_counter()
    equity = run(spent)
    loop_s = time.perf_counter() - start
    reference = run_backtest(bars, signals, config, "sections").equity["equity"][-1]
    assert equity["equity"][-1] == reference, "the timed mirror no longer matches parity.brokers.sim.backtest"
    total = spent.sum()
    print(f"{w.label()}: timed run {loop_s:.3f} s; per bar "
          f"{loop_s / w.n_bars * 1e6:.1f} us")
    for section, c in zip(SECTIONS, spent):
        print(f"  {section:<22} {100.0 * c / total:5.1f} %   {c / w.n_bars:8.0f} cycles/bar")


if __name__ == "__main__":
    profile(sys.argv[1] if len(sys.argv) > 1 else "M")
