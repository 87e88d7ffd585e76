"""Process helpers for the lifecycle tests: who is alive, whose children are whose, read from /proc
(psutil is not installed). Linux only, as the parent-death signal the tests check is."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
PARITY = str(Path(sys.executable).with_name("parity"))


def alive(pid: int) -> bool:
    """Running (a zombie, exited but not yet reaped, counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def descendants(pid: int) -> list[int]:
    todo, seen = children(pid), []
    while todo:
        child = todo.pop()
        if child not in seen:
            seen.append(child)
            todo += children(child)
    return seen


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group (the tests start each parent in a session of its own)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def wait_for(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def all_gone(pids: list[int], timeout: float) -> list[int]:
    """The pids still alive after `timeout` seconds (empty: all exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def env() -> dict[str, str]:
    """The environment for a child Python that imports this kit (and parity, installed)."""
    return {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}


MOMENTUM = REPO / "config" / "momentum.yaml"


def backtest_args(out: Path) -> list[str]:
    return [PARITY, "backtest", "--config", str(MOMENTUM), "--set", f"reporting.output_dir={out}"]


def start_backtest(cwd: Path, out: Path) -> subprocess.Popen:
    """`parity backtest` of config/momentum.yaml (~10 s) writing into `out`, in a session of its own."""
    return subprocess.Popen(backtest_args(out), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def partials(out: Path) -> list[Path]:
    return sorted(out.glob(".*.partial")) if out.is_dir() else []


def mid_run(proc: subprocess.Popen, out: Path) -> list[int]:
    """Wait until the run is under way (staging folder made, report worker started); its processes."""
    wait_for(lambda: partials(out) or proc.poll() is not None, 120, "the staging folder")
    assert proc.poll() is None, proc.communicate()
    wait_for(lambda: [p for p in descendants(proc.pid) if "multiprocessing" in cmdline(p)], 30, "the report worker")
    return descendants(proc.pid)
