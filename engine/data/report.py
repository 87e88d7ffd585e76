"""What the data checks found and did, as typed values; `DataReport.notes()` feeds `Bars.notes`."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal


MAX_ISSUE_NOTES = 200  # bar issues spelled out in Bars.notes; the report keeps every one
MAX_NAMED = 10  # symbols spelled out in a one-line note


@dataclass(frozen=True)
class Split:
    """A split found in the data: `ratio` new shares per old share (2.0 for 2:1, 0.1 for 1:10)."""

    symbol: str
    when: str  # label of the first bar at the new price (the session date for daily bars)
    ratio: float
    prev_close: float  # raw close before the split
    open: float  # raw open of the first bar after it

    @property
    def label(self) -> str:
        frac = Fraction(self.ratio).limit_denominator(100)
        return f"{frac.numerator}:{frac.denominator}"

    def note(self) -> str:
        if self.ratio >= 1:
            how = f"earlier prices divided by {self.ratio:g}, volumes multiplied by {self.ratio:g}"
        else:
            how = f"earlier prices multiplied by {1 / self.ratio:g}, volumes divided by {1 / self.ratio:g}"
        return f"split {self.symbol} {self.when} {self.label} (close {self.prev_close:.4g} -> open {self.open:.4g}): {how}"


@dataclass(frozen=True)
class BarIssue:
    """One bar that was repaired in place or rejected (all five fields set to NaN)."""

    symbol: str
    when: str
    action: Literal["repaired", "rejected"]
    what: str

    def note(self) -> str:
        return f"{self.action} {self.symbol} {self.when}: {self.what}"


@dataclass(frozen=True)
class DataReport:
    source: str
    n_bars: int
    n_symbols: int
    missing_sessions: tuple[str, ...] = ()  # calendar sessions with no data for any symbol (left out)
    missing_bars: tuple[str, ...] = ()  # intraday: bars inside present sessions with no data for any symbol
    symbol_gaps: tuple[tuple[str, int, str], ...] = ()  # (symbol, bars without data, first such bar)
    splits: tuple[Split, ...] = ()
    bar_issues: tuple[BarIssue, ...] = ()
    source_notes: tuple[str, ...] = field(default=())  # what the reader did (unit changes, renames)
    zero_volume: tuple[tuple[str, int, str], ...] = ()  # (symbol, bars with zero volume, first such bar)

    def notes(self) -> tuple[str, ...]:
        lines = [f"{self.source}: {self.n_bars} bars x {self.n_symbols} symbols", *self.source_notes]
        if self.missing_sessions:
            lines.append(f"{len(self.missing_sessions)} calendar sessions with no data for any symbol, left out of "
                         f"the bar index (no prices invented): {', '.join(self.missing_sessions)}")
        if self.missing_bars:
            shown = ", ".join(self.missing_bars[:10]) + (" ..." if len(self.missing_bars) > 10 else "")
            lines.append(f"{len(self.missing_bars)} bars missing for every symbol, left out: {shown}")
        lines += [f"{sym}: no data on {n} bar{'s' if n > 1 else ''} (NaN), first {first}" for sym, n, first in self.symbol_gaps]
        if self.zero_volume:
            shown = ", ".join(f"{sym} {n} (first {first})" for sym, n, first in self.zero_volume[:MAX_NAMED])
            more = len(self.zero_volume) - MAX_NAMED
            total = sum(n for _, n, _ in self.zero_volume)
            lines.append(f"{total} bar{'s' * (total > 1)} with zero volume, kept as traded bars: {shown}"
                         + (f" and {more} more symbols" if more > 0 else ""))
        lines += [s.note() for s in self.splits]
        lines += [b.note() for b in self.bar_issues[:MAX_ISSUE_NOTES]]
        if len(self.bar_issues) > MAX_ISSUE_NOTES:
            more = self.bar_issues[MAX_ISSUE_NOTES:]
            n_rejected = sum(b.action == "rejected" for b in more)
            lines.append(f"... and {len(more)} more bars ({len(more) - n_rejected} repaired, {n_rejected} rejected); "
                         f"DataReport.bar_issues lists them all")
        return tuple(lines)
