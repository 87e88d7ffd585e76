import numpy as np
import pytest

from parity.engine.kernels.portfolio import apply_fill, apply_fills, mark_to_market, update_marks
from parity.engine.types import FILL_DTYPE


def test_buy_then_add_then_reduce_then_flip():
    # buy 100 @ 10 with 1.00 fees: cash 10,000 - 1,000 - 1 = 8,999
    pos, avg, cash = apply_fill(0.0, np.nan, 10_000.0, 1, 100.0, 10.0, 1.0)
    assert (pos, avg, cash) == (100.0, 10.0, 8_999.0)
    # add 100 @ 12: avg (100*10 + 100*12) / 200 = 11; cash 8,999 - 1,200 = 7,799
    pos, avg, cash = apply_fill(pos, avg, cash, 1, 100.0, 12.0, 0.0)
    assert (pos, avg, cash) == (200.0, 11.0, 7_799.0)
    # sell 50 @ 13 with 0.50 fees: avg unchanged; cash 7,799 + 650 - 0.5 = 8,448.5
    pos, avg, cash = apply_fill(pos, avg, cash, -1, 50.0, 13.0, 0.5)
    assert (pos, avg, cash) == (150.0, 11.0, 8_448.5)
    # sell 200 @ 14: flips to -50 short, entry restarts at 14; cash 8,448.5 + 2,800 = 11,248.5
    pos, avg, cash = apply_fill(pos, avg, cash, -1, 200.0, 14.0, 0.0)
    assert (pos, avg, cash) == (-50.0, 14.0, 11_248.5)
    # buy 50 @ 15 to close: flat -> NaN entry; cash 11,248.5 - 750 = 10,498.5
    pos, avg, cash = apply_fill(pos, avg, cash, 1, 50.0, 15.0, 0.0)
    assert pos == 0.0 and np.isnan(avg) and cash == 10_498.5
    # P&L check: +2*50 +3*50 (long legs: sold 50@13 and 150@14 vs avg 11) - 50 (short 14 -> 15) - 1.5 fees
    assert cash - 10_000.0 == pytest.approx(50 * 2 + 150 * 3 - 50 * 1 - 1.5)


def test_apply_fills_uses_every_fee_and_only_the_given_slice():
    fills = np.zeros(3, FILL_DTYPE)
    fills["symbol"] = [1, 0, 1]
    fills["side"] = [1, -1, -1]
    fills["qty"] = [10, 5, 4]
    fills["price"] = [20.0, 50.0, 25.0]
    fills["commission"] = [0.35, 0.35, 0.35]
    fills["sec_fee"] = [0.0, 0.01, 0.02]
    fills["taf_fee"] = [0.0, 0.001, 0.002]
    positions = np.array([5.0, 0.0])
    avg = np.array([40.0, np.nan])
    cash = apply_fills(fills, 0, 2, positions, avg, 1_000.0)
    # -10*20 - 0.35 + 5*50 - 0.35 - 0.01 - 0.001 = 1,000 - 200.35 + 249.639 = 1,049.289
    assert cash == pytest.approx(1_049.289, abs=1e-12)
    assert positions.tolist() == [0.0, 10.0] and np.isnan(avg[0]) and avg[1] == 20.0


def test_marks_carry_forward_and_value_the_book():
    marks = np.array([np.nan, 10.0, 20.0])
    update_marks(marks, np.array([5.0, np.nan, 21.0]))
    assert marks.tolist() == [5.0, 10.0, 21.0]
    equity, gross, net = mark_to_market(np.array([10.0, -30.0, 0.0]), marks, 1_000.0)
    # values 50 and -300: gross 350, net -250, equity 1,000 - 250
    assert (equity, gross, net) == (750.0, 350.0, -250.0)
