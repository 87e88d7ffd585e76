"""Child interpreters for the live runner's heavy, occasional work (scoring, writing the run folder).

The runner is a long-lived service that idles between bar closes; the modules that score signals
(polars, scipy.stats, XGBoost) and write reports (vectorbt, matplotlib, pyarrow.parquet) hold
~250 MB it would otherwise keep resident all day. Work done in a `python -m parity.<module>` child
returns that memory to the system when the child exits. Each child's peak RSS is read from the
child itself (VmHWM) and handed back, so the runner can report it apart from its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PEAK_PREFIX = "parity-child-peak-rss-mb "


class ChildError(RuntimeError):
    """A child process failed; the message names the module, its exit status and its last words."""


def child_env() -> dict[str, str]:
    """The parent's environment with this checkout first on PYTHONPATH (the parent may have been
    started from another folder, or with the repo on sys.path only)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def spawn(module: str, capture_stderr: bool, pass_fds: tuple[int, ...] = ()) -> subprocess.Popen:
    """Start `python -m module` with stdin and stdout pipes; stderr captured, or shared with the
    parent's (a long-lived child logging into an unread pipe would block once the pipe is full)."""
    return subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE if capture_stderr else None, env=child_env(),
                            pass_fds=pass_fds)


def own_peak_rss_mb() -> float:
    """This process's peak RSS since its exec (VmHWM). A child's ru_maxrss, as its parent sees it,
    also counts the parent's pages it was forked with, so children measure themselves."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def report_peak() -> None:
    """A child's last stdout line: its own peak RSS, for `run_once`."""
    print(f"{PEAK_PREFIX}{own_peak_rss_mb():.1f}", flush=True)


@dataclass(frozen=True)
class Exit:
    code: int  # exit status; negative: killed by that signal
    peak_rss_mb: float  # the child's own peak resident set size (NaN if it died before saying)
    stderr: str

    def failure(self, what: str) -> ChildError:
        how = f"killed by signal {signal.Signals(-self.code).name}" if self.code < 0 else f"exit status {self.code}"
        tail = " | ".join(self.stderr.strip().splitlines()[-3:]) or "no message on stderr"
        return ChildError(f"{what} failed ({how}): {tail}")


def run_once(module: str, payload: bytes, timeout_s: float) -> Exit:
    """`python -m module` fed `payload` on stdin; killed after `timeout_s`."""
    proc = spawn(module, capture_stderr=True)
    try:
        out, err = proc.communicate(payload, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\nkilled after {timeout_s:g} s".encode()
    peak = float("nan")
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith(PEAK_PREFIX):
            peak = float(line[len(PEAK_PREFIX):])
    return Exit(int(proc.returncode), peak, err.decode("utf-8", "replace"))
