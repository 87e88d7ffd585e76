"""A second process for the report, so that a warm `parity backtest` uses both cores.

Rendering the report's figures is most of a warm backtest's time, and every figure is independent of
the others. `ReportWorker` starts one helper process when the run starts; it imports the report's
modules (pandas, matplotlib, the cost analysis) and draws a throw-away figure (font cache) while the
run loads data and simulates. Once the run is done, `share_jobs` hands report jobs to it and runs
the rest in the calling process at the same time: the helper takes jobs from the front of the list,
the caller from the back, so the two meet wherever the work balances and no job is done twice; a
helper not yet warm gets no job (a short run does not wait for it).

A job is a module-level function and picklable arguments; it returns a picklable value. A job gives
the same result wherever it runs (same code, same inputs; PNGs from the Agg backend are the same
bytes), so the report does not depend on how the jobs were shared. The helper is spawned, not forked
(the caller has threads: the progress spinner). If it cannot start or dies, its jobs run in the
caller; a job's own exception is raised in the caller either way.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

Job = tuple[Callable[..., Any], tuple[Any, ...]]

# Jobs queued on the helper at once: one running and one waiting, so it never idles between jobs
# while the caller is busy with one of its own.
_IN_FLIGHT = 2


class ReportWorker:
    """One helper process, started now; `close()` (or leaving the `with` block) ends it."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_warm_up)
        # Starts the process (and its warm-up) now, not at the first real job; done once it is warm.
        self._started = self._pool.submit(int)

    def ready(self) -> bool:
        """Warmed up (or failed to start: then `submit` raises BrokenProcessPool)."""
        return self._started.done()

    def submit(self, job: Job) -> Future:
        fn, args = job
        return self._pool.submit(fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> "ReportWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def share_jobs(jobs: Sequence[Job], worker: ReportWorker | None, weights: Sequence[float] | None = None) -> list[Any]:
    """Every job's result, in `jobs` order. With a worker, the jobs are shared: once it is warm it takes
    the heaviest first (by `weights`, a rough relative cost per job), this process the lightest first;
    a worker still warming up gets nothing, so this process never waits for its imports."""
    results: list[Any] = [None] * len(jobs)
    order = sorted(range(len(jobs)), key=lambda i: -weights[i]) if weights is not None else list(range(len(jobs)))
    todo = deque(order)
    sent: deque[tuple[int, Future]] = deque()
    helper = worker

    def collect(block: bool) -> None:
        while sent and (block or sent[0][1].done()):
            i, future = sent.popleft()
            try:
                results[i] = future.result()
            except BrokenProcessPool:  # the helper is gone: do its job here
                results[i] = _run(jobs[i])

    def feed() -> None:
        nonlocal helper
        collect(block=False)
        while helper is not None and helper.ready() and todo and len(sent) < _IN_FLIGHT:
            i = todo.popleft()
            try:
                sent.append((i, helper.submit(jobs[i])))
            except (BrokenProcessPool, RuntimeError):  # could not start, or already shut down
                helper = None
                todo.appendleft(i)

    feed()
    while todo:
        i = todo.pop()
        results[i] = _run(jobs[i])
        feed()
    collect(block=True)
    return results


def _run(job: Job) -> Any:
    fn, args = job
    return fn(*args)


def _warm_up() -> None:
    """Helper start-up: Ctrl-C is the caller's to handle; import and exercise what report jobs use."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import reports.costs_run  # noqa: F401  (the cost analysis: engine.data, numba kernels, calibration)
    import reports.html  # noqa: F401
    from reports.figures import warm_up_rendering

    warm_up_rendering()
