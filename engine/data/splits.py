"""Find stock splits inside the window from the overnight price ratio, and adjust for them.

A split shows up as a jump from the previous close to the next open by (almost exactly) a split
ratio: about 1/2 for a 2:1 split, about 10 for a 1:10 reverse split. A candidate must be within
SPLIT_TOLERANCE of one of SPLIT_RATIOS, which are far enough apart that at most one matches and
all imply a jump of 29% or more. Bars before the split are put on the post-split basis: prices
divided by the ratio, volumes multiplied by it, so returns and share counts are continuous.

A split's new price level persists: a bar that jumps by a split ratio and is followed by a bar
that jumps back by the inverse ratio (within the same tolerance) is a one-bar bad print, not a split
followed by its reverse; `reject_bad_prints` rejects it (all five fields NaN, named in the notes)
before splits are looked for. A bad print that lasts two bars or more is still read as two splits.

Limitation: this reads prices only. A spin-off or special dividend whose price drop lands within
the tolerance of a split ratio (e.g. Questar's spin-off of QEP, 2010-07-01, close 45.49 -> open
15.31, ~1/3) is taken for a split; check the named splits against corporate-action records when
it matters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import numpy as np

from parity.engine.data.report import BarIssue, Split

# New shares per old share. 5:4 (a 20% drop) is left out: ordinary moves reach it too often.
SPLIT_RATIOS = (1.5, 2.0, 3.0, 4.0, 5.0, 8.0, 10.0, 20.0,
                1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 8, 1 / 10, 1 / 15, 1 / 20, 1 / 25, 1 / 50)
# Max |log(price ratio * split ratio)|: ~6%. ESRX's 2:1 on 2010-06-08 opened 4.8% off the exact half.
SPLIT_TOLERANCE = float(np.log(1.06))


def previous_close(close: np.ndarray) -> np.ndarray:
    """Close of the last earlier bar with data, per symbol (NaN before a symbol's first bar)."""
    t = close.shape[0]
    idx = np.where(np.isnan(close), -1, np.arange(t)[:, None])
    np.maximum.accumulate(idx, axis=0, out=idx)
    prev = np.full_like(close, np.nan)
    rows = idx[:-1]
    cols = np.broadcast_to(np.arange(close.shape[1]), rows.shape)
    prev[1:] = np.where(rows >= 0, close[np.maximum(rows, 0), cols], np.nan)
    return prev


def reject_bad_prints(
    o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray,
    symbols: Sequence[str], label: Callable[[int], str],
) -> tuple[BarIssue, ...]:
    """Set to NaN, in place, every bar that opens a split ratio away from the close before while the next
    bar opens the inverse ratio away from its close (back at the old level): a one-bar bad print."""
    prev = previous_close(c)
    next_open = previous_close(o[::-1])[::-1]  # open of the next bar with data
    with np.errstate(invalid="ignore", divide="ignore"):
        log_jump = np.log(o / prev)
        log_back = np.log(next_open / c)  # the jump from this bar's close to the next open
    issues = []
    for ratio in SPLIT_RATIOS:
        with np.errstate(invalid="ignore"):
            there = np.abs(log_jump + np.log(ratio)) < SPLIT_TOLERANCE
            back = np.abs(log_back - np.log(ratio)) < SPLIT_TOLERANCE
            rows, cols = np.nonzero(there & back)
        factor = Fraction(1 / ratio).limit_denominator(100)
        for t, n in zip(rows.tolist(), cols.tolist()):
            issues.append(BarIssue(symbols[n], label(t), "rejected",
                                   f"open {o[t, n]:.6g} is {factor} x the close before ({prev[t, n]:.6g}) and the "
                                   f"next bar opens back at {next_open[t, n]:.6g}: a one-bar bad print, not a "
                                   f"split; bar set to NaN"))
            for arr in (o, h, lo, c, v):
                arr[t, n] = np.nan
    return tuple(sorted(issues, key=lambda i: (i.when, i.symbol)))


def find_splits(
    open_: np.ndarray, close: np.ndarray, symbols: Sequence[str], label: Callable[[int], str],
) -> tuple[tuple[Split, int, int], ...]:
    """Each split found, with the (row, column) of its first post-split bar, in time order."""
    prev = previous_close(close)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_jump = np.log(open_ / prev)
    found = []
    for ratio in SPLIT_RATIOS:
        with np.errstate(invalid="ignore"):
            rows, cols = np.nonzero(np.abs(log_jump + np.log(ratio)) < SPLIT_TOLERANCE)
        for t, n in zip(rows.tolist(), cols.tolist()):
            found.append((Split(symbols[n], label(t), ratio, float(prev[t, n]), float(open_[t, n])), t, n))
    return tuple(sorted(found, key=lambda item: (item[1], item[2])))


def adjust_for_splits(
    prices: Sequence[np.ndarray], volume: np.ndarray, splits: Sequence[tuple[Split, int, int]],
) -> None:
    """Put bars before each split on the post-split basis, in place."""
    for split, t, n in splits:
        for arr in prices:
            arr[:t, n] /= split.ratio
        volume[:t, n] *= split.ratio
