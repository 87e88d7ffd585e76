"""Child interpreters for the live runner's heavy, occasional work (scoring, writing the run folder).

The runner is a long-lived service that idles between bar closes; the modules that score signals
(polars, scipy.stats, XGBoost) and write reports (vectorbt, matplotlib, pyarrow.parquet) hold
~250 MB it would otherwise keep resident all day. Work done in a `python -m parity.<module>` child
returns that memory to the system when the child exits. Each child's peak RSS is read from the
child itself (VmHWM) and handed back, so the runner can report it apart from its own. A child dies
with the runner, even a runner killed outright (`die_with_runner`, first thing in every child).
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import signal
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass
from typing import IO, Any, Callable

PEAK_PREFIX = "parity-child-peak-rss-mb "
PARENT_PID_ENV = "PARITY_PARENT_PID"  # set by spawn: the runner a child must not outlive
log = logging.getLogger(__name__)


class ChildError(RuntimeError):
    """A child process failed; the message names the module, its exit status and its last words."""


def child_env() -> dict[str, str]:
    """The parent's environment without the Alpaca keys (no child talks to Alpaca), and with the
    folders the user's strategy was imported from first on PYTHONPATH, so a child imports it too."""
    from parity.strategy_registry import search_dirs

    env = {k: v for k, v in os.environ.items() if not k.startswith("APCA_")}
    env[PARENT_PID_ENV] = str(os.getpid())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (*search_dirs, env.get("PYTHONPATH", "")) if p)
    return env


def die_with_runner() -> None:
    """In a child started by `spawn`: die when the process that spawned it dies (Linux's
    parent-death signal, parity.reports.worker.die_with_parent). A busy child would otherwise work on
    for minutes after a killed runner and end in a BrokenPipeError on a pipe nobody reads. Does
    nothing in a process not started by `spawn`."""
    from parity.reports.worker import die_with_parent

    parent = os.environ.pop(PARENT_PID_ENV, "")  # popped: the child's own children are not its runner's
    if parent.isdigit():
        die_with_parent(int(parent))


def spawn(module: str, capture_stderr: bool) -> subprocess.Popen:
    """Start `python -m module` with stdin and stdout pipes; stderr captured, or shared with the
    parent's (a long-lived child logging into an unread pipe would block once the pipe is full).
    Call it from the thread that uses the child (see die_with_runner): the main thread."""
    return subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE if capture_stderr else None, env=child_env())


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


# --- request/reply workers ---------------------------------------------------------------------------
# Pickled tuples (op, *args) on the worker's stdin; pickled replies ("ok", value) or ("error", message,
# traceback) on its stdout, whose fd 1 the worker points at stderr so a library's stray print cannot
# corrupt them. Both ends are this code, started by this process: nothing else speaks it.


class Worker:
    """One `python -m module` worker process (see `serve`) and its request/reply pipe; thread-safe."""

    def __init__(self, module: str, what: str) -> None:
        self.module, self.what = module, what
        self._lock = threading.Lock()
        self._proc = spawn(module, capture_stderr=False)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def call(self, *request: Any) -> Any:
        proc = self._proc
        with self._lock:
            try:
                pickle.dump(request, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[arg-type]
                proc.stdin.flush()  # type: ignore[union-attr]
                reply = pickle.load(proc.stdout)  # type: ignore[arg-type]
            except (BrokenPipeError, EOFError, pickle.UnpicklingError) as exc:
                code = proc.wait()
                raise ChildError(f"{self.what} (python -m {self.module}) died during '{request[0]}' (exit status "
                                 f"{code}, {type(exc).__name__}); its error is on stderr above") from None
        if reply[0] == "error":
            log.error("%s traceback:\n%s", self.what, reply[2])
            raise ChildError(f"{self.what}: '{request[0]}' failed: {reply[1]}")
        return reply[1]

    def close(self) -> float:
        """End the worker; returns its peak RSS in MB (NaN if it had already died)."""
        try:
            peak = float(self.call("peak"))
        except ChildError:
            peak = float("nan")
        if self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        return peak


def serve(handle: Callable[[tuple], Any], requests: IO[bytes] | None = None, replies: IO[bytes] | None = None) -> None:
    """A worker's main loop: answer `handle(request)` (and "peak") until the parent closes the pipe."""
    if requests is None:  # a child process, not a test feeding it streams
        die_with_runner()
    if replies is None:
        replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to stderr, never into the replies
    requests = requests if requests is not None else sys.stdin.buffer
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        try:
            reply: tuple = ("ok", own_peak_rss_mb() if request[0] == "peak" else handle(request))
        except Exception as exc:  # noqa: BLE001 - sent back to the parent, which raises it
            reply = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()
