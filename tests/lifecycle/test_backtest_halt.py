"""`parity backtest` and an active emergency stop (`parity halt`): a backtest simulates history and is
not stopped by today's live flag; it says so in one visible note and trades exactly as without it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
from lifecycle_kit import MOMENTUM, PARITY


def backtest(cwd: Path, run_id: str, halt_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run([PARITY, "backtest", "--config", str(MOMENTUM), "--run-id", run_id,
                           "--set", f"reporting.output_dir={cwd / 'reports'}", "--set", "reporting.html=false",
                           "--set", f"risk_management.halt_file={halt_file}"],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def notes(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.replace("\r", "\n").splitlines() if line.strip().startswith("note:")]


def test_a_backtest_notes_an_active_halt_and_does_not_honour_it(tmp_path: Path) -> None:
    halt_file = tmp_path / "state" / "HALT"
    free = backtest(tmp_path, "free", halt_file)
    assert free.returncode == 0, free.stderr
    assert notes(free.stderr) == []

    set_it = subprocess.run([PARITY, "halt", "--file", str(halt_file), "--reason", "fire drill"],
                            capture_output=True, text=True, timeout=60)
    assert set_it.returncode == 0, set_it.stderr
    halted = backtest(tmp_path, "halted", halt_file)
    assert halted.returncode == 0, halted.stderr
    [note] = notes(halted.stderr)
    assert note.startswith("note: an emergency stop is active since 20") and "UTC" in note
    assert note.endswith(f"(fire drill; {halt_file}): it halts live trading; this backtest does not honour it")
    for table in ("orders", "fills", "equity"):  # traded exactly as without the halt
        a, b = (pd.read_parquet(tmp_path / "reports" / run / f"{table}.parquet") for run in ("free", "halted"))
        pd.testing.assert_frame_equal(a, b)
    assert halt_file.is_file()  # the flag is the live processes' to act on; a backtest leaves it
