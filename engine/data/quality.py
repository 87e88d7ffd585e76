"""Bar-level checks every source goes through: prices must be positive, high/low must bracket the body.

Both work on the T x N arrays in place and return what they did as `BarIssue`s, so every repaired
or rejected bar is named in `Bars.notes`. A rejected bar has all five fields set to NaN: no price
is invented for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from parity.engine.data.report import BarIssue

# A high below max(open, close) or a low above min(open, close) by at most this fraction of that
# price is a rounding or late-print mismatch and is repaired; beyond it one of the four prices is
# wrong and we cannot tell which, so the bar is rejected. (The embedded dataset has 78 such bars:
# 75 within 1%, 3 beyond it: FISV 2010-01-29 1.3%, CTAS 2010-05-24 1.2%, HUM 2010-08-20 4.2%.)
BRACKET_TOLERANCE = 0.01

PRICE_FIELDS = ("open", "high", "low", "close")


def repair_brackets(
    o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray,
    symbols: Sequence[str], label: Callable[[int], str], tolerance: float = BRACKET_TOLERANCE,
) -> tuple[BarIssue, ...]:
    """Repair (high = max of the four, low = min) or reject bars whose high/low miss the body."""
    top, bottom = np.fmax(o, c), np.fmin(o, c)
    with np.errstate(invalid="ignore"):
        high_short = (top - h) / top  # > 0: high below the body
        low_short = (lo - bottom) / bottom  # > 0: low above the body
        worst = np.fmax(high_short, low_short)
        rows, cols = np.nonzero(worst > 0)
    issues = []
    for t, n in zip(rows.tolist(), cols.tolist()):
        what = []
        if high_short[t, n] > 0:
            what.append(f"high {h[t, n]:.6g} below max(open, close) {top[t, n]:.6g} by {high_short[t, n]:.2%}")
        if low_short[t, n] > 0:
            what.append(f"low {lo[t, n]:.6g} above min(open, close) {bottom[t, n]:.6g} by {low_short[t, n]:.2%}")
        if worst[t, n] <= tolerance:
            new_high = max(o[t, n], h[t, n], lo[t, n], c[t, n])
            new_low = min(o[t, n], h[t, n], lo[t, n], c[t, n])
            h[t, n], lo[t, n] = new_high, new_low
            issues.append(BarIssue(symbols[n], label(t), "repaired",
                                   f"{'; '.join(what)}; set high {new_high:.6g}, low {new_low:.6g} "
                                   f"(within the {tolerance:.0%} tolerance)"))
        else:
            for arr in (o, h, lo, c, v):
                arr[t, n] = np.nan
            issues.append(BarIssue(symbols[n], label(t), "rejected",
                                   f"{'; '.join(what)}; beyond the {tolerance:.0%} tolerance, bar set to NaN"))
    return tuple(issues)
