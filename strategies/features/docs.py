"""Render docs/features.md from the registry: `python -m parity.strategies.features.docs [--check]`."""

from __future__ import annotations

import sys
from pathlib import Path

from parity.strategies.features.registry import FEATURES, MAX_LOOKBACK

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "features.md"

_HEADER = f"""# Features

Generated from `strategies/features/registry.py` by `python -m parity.strategies.features.docs`; do not edit
by hand (a test fails when this file and the registry disagree).

{len(FEATURES)} features per symbol per bar, computed with polars over a time-major long frame
(`strategies/features/compute.py`). Window reductions and cross-sectional means run in small numba
kernels that reduce each window on its own, so the live computation over the last
{MAX_LOOKBACK + 1} bars equals the batch computation over the whole history bit for bit.

Notation: O, H, L, C, V are the bar's open, high, low, close and volume (shares);
r = ln(C_t / C_(t-1)); mean_w, std_w (ddof 1), sum_w, max_w and min_w run over the last w bars
including t; m_t is the universe's mean r at bar t; xs_rank is the rank across symbols at bar t
scaled to [0, 1] (ties share their average rank); sector_mean is the mean over the symbol's sector at
bar t. A feature is missing (NaN) until its lookback is filled and wherever an input in its window is
missing. **Lookback** is how many bars back the oldest input lies: the value at bar t reads bars
t - lookback .. t only.

| # | name | group | formula | lookback |
|---|---|---|---|---|
"""


def render() -> str:
    rows = [f"| {i} | `{f.name}` | {f.group} | {f.formula.replace('|', '&#124;')} | {f.lookback} |"
            for i, f in enumerate(FEATURES, start=1)]
    return _HEADER + "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not DOC_PATH.is_file() or DOC_PATH.read_text() != text:
            print(f"{DOC_PATH}: out of date; run `python -m parity.strategies.features.docs`")
            return 1
        return 0
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(text)
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
