"""A user's own daily job: score every symbol and write the scores where Parity reads them.

Here the "model" is a 5-day reversal (last week's losers are expected to bounce), computed from
the same embedded prices Parity trades; yours would load its own data and model. It writes one row
per session and symbol: ts (the session date), symbol, score (the raw prediction: config.yaml sets
`rank: true`, so Parity ranks it across symbols onto [-1, 1]), model_version.

    python make_signals.py                 # writes scores.parquet beside this file
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import parity

HORIZON = 5


def reversal_scores(close: pd.DataFrame) -> pd.DataFrame:
    """Minus the trailing 5-session return: NaN until 5 sessions exist."""
    return -(close / close.shift(HORIZON) - 1.0)


def main(out: Path) -> int:
    bars = parity.load_bars()  # Parity's embedded dataset, as its default backtest sees it
    close = bars.frame("close")
    wide = reversal_scores(close)
    wide.index = wide.index.tz_convert("America/New_York").date  # the session date, no time of day
    rows = wide.stack().rename("score").reset_index()
    rows.columns = ["ts", "symbol", "score"]
    rows = rows[np.isfinite(rows["score"])]
    rows["ts"] = pd.to_datetime(rows["ts"])
    rows["model_version"] = "reversal-v1"
    rows.to_parquet(out, index=False)
    print(f"wrote {len(rows):,} scores for {rows['symbol'].nunique()} symbols, "
          f"{rows['ts'].min():%Y-%m-%d} .. {rows['ts'].max():%Y-%m-%d}, to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("scores.parquet")))
