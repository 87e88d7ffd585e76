"""The emergency stop's state: a flag file that outlives the process that set it.

`parity halt` (parity/commands/halt.py) writes the file; every live loop (`parity run`, `parity paper
--replay`) asks a `HaltSwitch` once per bar (parity.engine.stepper.Stepper's `halt` hook) and, while
the file exists, decides the bar under the emergency stop (engine/kernels/emergency.py): no new risk,
working orders cancelled, positions flattened if `risk_management.flatten_on_emergency_stop`.
Because the state is a file, a restarted process comes back halted until someone runs `parity halt
--clear`. A file that exists but cannot be read still means halted: the switch fails safe. SIGUSR1
(`install_signal`) sets the same file from inside the running process. A backtest does not read the
flag: it simulates history, and today's emergency stop is about today's account (`parity backtest`
notes an active one).

Where a journal is in use, the switch notes every change it sees (kind "halt"), so the audit trail
shows when a halt took effect and when it was lifted. Time comes from an injected clock (ns UTC).
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol


class NoteWriter(Protocol):  # parity.engine.journal.Journal satisfies it
    def note(self, ts: int, kind: str, text: str) -> None: ...


@dataclass(frozen=True)
class HaltState:
    reason: str
    set_at_ns: int  # 0 when the file could not be read
    source: str  # "cli", "signal", "unreadable", ...


def read_halt(path: str | Path) -> HaltState | None:
    """The halt in force at `path`, or None. An unreadable or malformed file still counts as a halt."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return HaltState(reason=f"halt file unreadable: {exc}", set_at_ns=0, source="unreadable")
    try:
        data = json.loads(text)
        return HaltState(reason=str(data["reason"]), set_at_ns=int(data["set_at_ns"]), source=str(data["source"]))
    except (ValueError, KeyError, TypeError):
        return HaltState(reason=f"halt file {path} is not valid JSON; treated as a halt", set_at_ns=0,
                         source="unreadable")


def set_halt(path: str | Path, reason: str, now_ns: int, source: str = "cli") -> HaltState:
    """Write the flag file atomically (a reader never sees half a file); returns what was written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = HaltState(reason=reason, set_at_ns=int(now_ns), source=source)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".halt-", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump({"reason": state.reason, "set_at_ns": state.set_at_ns, "source": state.source}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return state


def clear_halt(path: str | Path) -> bool:
    """Remove the flag file; True if there was a halt to clear."""
    try:
        Path(path).unlink()
        return True
    except FileNotFoundError:
        return False


class HaltSwitch:
    """Asked once per bar (`switch(bar)` or `switch.is_set()`); journals each change it observes."""

    def __init__(self, path: str | Path, now_ns: Callable[[], int], journal: NoteWriter | None = None) -> None:
        self.path = Path(path)
        self._now_ns = now_ns
        self._journal = journal
        self._last: bool | None = None

    def is_set(self) -> bool:
        state = read_halt(self.path)
        halted = state is not None
        if halted != self._last:
            if self._journal is not None and (halted or self._last is not None):
                text = (f"emergency stop in force: {state.reason} (source {state.source})" if state is not None
                        else "emergency stop cleared")
                self._journal.note(self._now_ns(), "halt", text)
            self._last = halted
        return halted

    def __call__(self, bar: int) -> bool:
        """The Stepper's per-bar `halt` hook."""
        return self.is_set()

    def install_signal(self, signum: int = signal.SIGUSR1) -> None:
        """Make `kill -USR1 <pid>` halt this process (and, through the file, any restart of it)."""
        def handler(_signum: int, _frame: object) -> None:
            set_halt(self.path, f"signal {signal.Signals(_signum).name}", self._now_ns(), source="signal")

        signal.signal(signum, handler)


def scheduled_halt(from_bar: int) -> Callable[[int], bool]:
    """Test hook for stepped replays: halted from bar `from_bar` on (the compiled loop takes
    `run_backtest(..., halt_from_bar=k)`)."""
    return lambda bar: bar >= from_bar
