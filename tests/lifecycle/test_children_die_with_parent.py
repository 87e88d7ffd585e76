"""No child outlives its parent: each kind of child process is busy when its parent is SIGKILLed (no
handler, no `finally` runs), and must be gone within seconds, without a traceback on stderr.

A child is kept busy by a request that unpickles as `time.sleep(60)`: the work happens inside the
child's own reading of its request, wherever that child is in its life.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from lifecycle_kit import alive, all_gone, cmdline, descendants, env, group_members, wait_for

PARENT = r"""
import pickle, sys, time

class Sleep:  # unpickled as time.sleep(60): a child busy for a minute
    def __reduce__(self):
        return (time.sleep, (60.0,))

kind = sys.argv[1]
if kind == "report worker":
    from parity.reports.worker import ReportWorker
    worker = ReportWorker()
    while not worker.ready():
        time.sleep(0.05)
    worker.submit((time.sleep, (60.0,)))
    print("busy", flush=True)
    time.sleep(120)
elif kind in ("scoring worker", "replay venue"):
    from parity.live_child import Worker
    worker = Worker("parity.live_scoring" if kind == "scoring worker" else "parity.live_venue", kind)
    worker.call("peak")  # started and serving
    print("busy", flush=True)
    worker.call("peak", Sleep())
elif kind == "report writer":
    from parity.live_child import run_once
    print("busy", flush=True)
    run_once("parity.live_report", pickle.dumps(Sleep()), 120.0)
"""

KINDS = ["report worker", "scoring worker", "replay venue", "report writer"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_busy_child_dies_with_its_sigkilled_parent(kind: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, kind], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env(), start_new_session=True)
    started: list[int] = []
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "busy", parent.stderr.read()
        started = wait_for(lambda: [p for p in descendants(parent.pid) if "python" in cmdline(p)], 30,
                           f"the {kind}")  # type: ignore[assignment]
        time.sleep(3.0)  # past its imports, inside its work (a child still importing is covered too)
        started = descendants(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        left = all_gone(started, timeout=5)
        assert left == [], f"{kind}: still running after its parent died: {[cmdline(p) for p in left]}"
        assert all_gone(group_members(parent.pid), timeout=5) == []
    finally:
        for pid in filter(alive, started):  # on failure only: what this test started must not outlive it
            os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
    err = parent.stderr.read()  # type: ignore[union-attr]
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
