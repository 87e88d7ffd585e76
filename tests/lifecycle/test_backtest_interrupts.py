"""`parity backtest` stopped by a signal: SIGTERM unwinds exactly as Ctrl-C (SIGINT) does.

A real backtest of config/momentum.yaml (~10 s) in a session of its own; once its staging folder
and its report worker exist, the signal goes to the parent only. Afterwards: no `.partial` folder,
no run folder, every process it started gone, and an exit status naming the interruption.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import subprocess

from lifecycle_kit import all_gone, backtest_args, cmdline, group_members, mid_run, partials, start_backtest


@pytest.fixture(scope="module")
def warm_kernels(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One finished run first, so the signal lands in Python code and not in numba's first compile.
    (A signal during LLVM's compile callback is dropped by the interpreter with an 'Exception ignored'
    message; parity/interrupts.py still raises it before the run folder is committed.)"""
    folder = tmp_path_factory.mktemp("warm")
    subprocess.run(backtest_args(folder / "reports"), cwd=folder, capture_output=True, timeout=600, check=True)


@pytest.mark.usefixtures("warm_kernels")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signalled_backtest_leaves_no_partial_folder_and_no_process(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "reports"
    proc = start_backtest(tmp_path, out)
    try:
        started = mid_run(proc, out)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    name = signal.Signals(signum).name
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == f"interrupted by {name}: nothing was written"
    assert "Traceback" not in err
    assert partials(out) == [] and list(out.iterdir()) == []
    assert all_gone(started, timeout=10) == [], [cmdline(p) for p in started]
    assert all_gone(group_members(proc.pid), timeout=10) == []
