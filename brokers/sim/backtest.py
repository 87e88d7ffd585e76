"""The compiled backtest: one numba loop over the bars, calling the engine's decision kernel and the
simulated venue's matching kernel.

Per bar t, in this order:
1. match_bar: working orders that reached the venue by bar t's open trade against bar t;
2. their fills move cash, positions and average entry prices (parity.engine.kernels.portfolio);
3. the book is marked at bar t's close and recorded (equity row, positions row);
4. decide_bar on scores row t (the same kernel the stepped and live loops call): cancels, then new
   orders, each arriving at the venue close_ts[t] + a submit-latency draw.
A fill is assumed known by the next decision (its reported_at is a few ms after the bar's open; a
bar is longer than that). Orders decided on the last bar are recorded but never reach a bar.
`halt_from_bar` schedules an emergency stop (engine/halt.py) from that bar's decision on, so the
halt can be tested end to end on history.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from parity.brokers.sim.latency import draw_delay_ns
from parity.brokers.sim.matching import STOP, STOP_LIMIT, executes_now, match_bar, stop_triggered
from parity.brokers.sim.params import SimParams, sim_params
from parity.brokers.sim.volatility import daily_vol, vol_at
from parity.engine.config.schema import ParityConfig
from parity.engine.data.bars import Bars
from parity.engine.kernels.buffers import ensure_capacity
from parity.engine.kernels.cancels import working_by_symbol
from parity.engine.kernels.orders import cancel_working
from parity.engine.kernels.portfolio import account_buying_power, apply_fills, mark_to_market, update_marks
from parity.engine.kernels.step import decide_bar, make_book
from parity.engine.params import EngineParams, engine_params
from parity.engine.records import RunRecords
from parity.engine.signals import SignalSet
from parity.engine.types import EQUITY_DTYPE, FILL_DTYPE, ORDER_DTYPE, RISK_EVENT_DTYPE


def session_ends(session: np.ndarray) -> np.ndarray:
    """bool (T,): bar t is the last bar of its session (the run's last bar counts as one)."""
    ends = np.ones(session.shape[0], dtype=np.bool_)
    ends[:-1] = session[1:] != session[:-1]
    return ends


def bars_per_session(bars: Bars) -> float:
    """The mean number of bars per session: the scale from a bar's volatility to a day's."""
    return bars.n_bars / max(len(np.unique(bars.session)), 1)


def bar_volatility(bars: Bars, config: ParityConfig) -> np.ndarray:
    """daily_vol() for these bars, scaled by their mean number of bars per session."""
    return daily_vol(bars.close, config.simulation.slippage.vol_lookback, bars_per_session(bars))


def check_inputs(bars: Bars, signals: SignalSet) -> None:
    if signals.scores.shape != (bars.n_bars, bars.n_symbols):
        raise ValueError(f"SignalSet.scores has shape {signals.scores.shape} but the bars are "
                         f"({bars.n_bars}, {bars.n_symbols}); generate the signals from the same bars")


@njit(cache=True, inline="always")
def fill_vol(t: int, orders, working, n_working: int, open_, high, low, close, volume, bar_open_ts: int,
             lookback: int, scale: float, sim: SimParams, vol, vol_bar) -> None:
    """Write vol[s] = daily_vol(close)[t, s] for every symbol with an order that executes in bar t.

    Market impact is the only reader of the daily vol, and only for an executing order, so computing
    these few figures (about one a bar) replaces computing all T x N of them up front; vol_at gives
    the same floats. Other entries keep stale values that match_bar never reads. Without impact
    (impact_coef 0) nothing reads it at all."""
    if sim.impact_coef == 0.0:
        return
    for w in range(n_working):
        o = orders[working[w]]
        s = o.symbol
        if vol_bar[s] == t:
            continue
        if ((o.type == STOP or o.type == STOP_LIMIT) and not o.triggered
                and not stop_triggered(o.side, o.stop_price, high[t, s], low[t, s])):
            continue  # the usual case, a resting protective stop: one comparison instead of executes_now
        if executes_now(o, t, bar_open_ts, open_[t, s], high[t, s], low[t, s], volume[t, s], sim.limit_fill_mode):
            vol[s] = vol_at(close, t, s, lookback, scale)
            vol_bar[s] = t


@njit(cache=True)
def _simulate(open_, high, low, close, volume, open_ts, close_ts, session, ends, vol_lookback: int,
              bars_per_session: float, scores, sector_ids, params: EngineParams, sim: SimParams, initial_cash: float,
              seed: int, orders, fills, events, halt_from_bar: int):
    np.random.seed(seed)
    n_bars, n_symbols = close.shape
    vol_scale = np.sqrt(bars_per_session)
    vol = np.full(n_symbols, np.nan)  # daily_vol row t, filled only where an order executes (see fill_vol)
    vol_bar = np.full(n_symbols, -1, dtype=np.int64)  # the bar each vol entry belongs to
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
    skip_noted = np.zeros(n_symbols, dtype=np.bool_)
    working = np.empty(max(16, 2 * n_symbols), dtype=np.int64)
    # np.int64(0), not 0: a literal 0 would make numba compile every kernel these counters reach twice,
    # once for Literal[int](0) on its first typing pass and again for int64 after the loop unifies them
    n_working = n_orders = n_fills = n_events = np.int64(0)
    cash = initial_cash
    equity = initial_cash
    session_start = initial_cash
    session_low = initial_cash
    for t in range(n_bars):
        if t > 0 and session[t] != session[t - 1]:
            session_start = equity  # the previous close's equity
            session_low = equity
        fills = ensure_capacity(fills, n_fills + n_working)
        first_fill = n_fills
        fill_vol(t, orders, working, n_working, open_, high, low, close, volume, open_ts[t], vol_lookback, vol_scale,
                 sim, vol, vol_bar)
        n_working, n_fills = match_bar(t, orders, working, n_working, open_[t], high[t], low[t], close[t], volume[t],
                                       open_ts[t], ends[t], vol, sim, fills, n_fills)
        cash = apply_fills(fills, first_fill, n_fills, positions, avg_entry, cash)
        update_marks(marks, close[t])
        equity, gross, net = mark_to_market(positions, marks, cash)
        session_low = min(session_low, equity)
        rec = equity_rec[t]
        rec["ts"] = close_ts[t]
        rec["cash"] = cash
        rec["equity"] = equity
        rec["gross_exposure"] = gross / equity if equity != 0.0 else np.nan
        rec["net_exposure"] = net / equity if equity != 0.0 else np.nan
        for i in range(n_symbols):  # element loops compile faster than row slice assignment
            positions_rec[t, i] = positions[i]
            marks_rec[t, i] = marks[i]

        working_by_symbol(orders, working, n_working, pending, exit_pending, stop_qty, stop_price)
        halted = halt_from_bar >= 0 and t >= halt_from_bar
        book = make_book(positions, pending, avg_entry, marks, cash, equity, session_start, session_low, exit_pending,
                         stop_qty, stop_price, halted, skip_noted,
                         account_buying_power(cash, equity, gross, sim.margin_multiplier))
        first_order = n_orders
        orders, n_orders, events, n_events = decide_bar(t, close_ts[t], scores[t], close[t], book, sector_ids, params,
                                                        orders, n_orders, cancel, events, n_events)
        n_working = cancel_working(orders, working, n_working, cancel)
        working = ensure_capacity(working, n_working + n_orders - first_order)
        for k in range(first_order, n_orders):
            o = orders[k]
            o["arrival_at"] = o["created_at"] + draw_delay_ns(sim.submit_ns, sim.latency_dist, sim.lognormal_sigma)
            working[n_working] = k
            n_working += 1
    return orders[:n_orders], fills[:n_fills], events[:n_events], equity_rec, positions_rec, marks_rec


def run_backtest(bars: Bars, signals: SignalSet, config: ParityConfig, run_key: str, *,
                 initial_capacity: int = 4096, halt_from_bar: int | None = None) -> RunRecords:
    """Simulate `signals` traded on `bars` under `config`; the same inputs give byte-identical records.

    `initial_capacity` only sizes the first record buffers (they grow by doubling when full); it never
    changes the result. `halt_from_bar`: emergency stop in force from that bar's decision on.
    """
    check_inputs(bars, signals)
    sector_ids, _ = bars.sector_ids()
    cap = max(int(initial_capacity), 1)
    orders, fills, events, equity, positions, marks = _simulate(
        bars.open, bars.high, bars.low, bars.close, bars.volume, bars.open_ts.astype(np.int64),
        bars.close_ts.astype(np.int64), bars.session.astype(np.int64), session_ends(bars.session),
        int(config.simulation.slippage.vol_lookback), float(bars_per_session(bars)),
        np.ascontiguousarray(signals.scores, dtype=np.float64), sector_ids,
        engine_params(config), sim_params(config.simulation), float(config.simulation.initial_cash),
        int(config.simulation.seed), np.zeros(cap, ORDER_DTYPE), np.zeros(cap, FILL_DTYPE),
        np.zeros(cap, RISK_EVENT_DTYPE), -1 if halt_from_bar is None else int(halt_from_bar))
    # The records are views of the grown buffers, not copies: a buffer is at most twice its records
    # (it grows by doubling), and copying millions of records cost more than the loop's bookkeeping.
    return RunRecords(symbols=bars.symbols, sectors=bars.sectors, run_key=run_key, orders=orders, fills=fills,
                      equity=equity, positions=positions, close=marks, risk_events=events)
