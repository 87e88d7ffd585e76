"""The runner's child processes: the run folder written by `python -m parity.live_report`, signals
scored by `python -m parity.live_scoring`, and a runner process that never imports their modules."""

from __future__ import annotations

import filecmp
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from live_kit import market, paper_config

from parity.engine.config import validate_config
from parity.engine.journal import Journal
import parity.live as live
from parity.live_child import ChildError
from parity.live_report import ReportRequest, previous_dir, write_in_child, write_run_folder
from parity.live_scoring import RemoteScorer
from parity.replay import run_replay

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("children")
    bars = market(n_bars=14)
    cfg = paper_config(folder, bars, reporting={"html": True})
    sent: list[ReportRequest] = []

    def recording(request: ReportRequest):  # noqa: ANN202
        sent.append(request)
        return write_in_child(request)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(live, "write_in_child", recording)
        result = run_replay(cfg, folder, bars=bars)
    assert len(sent) == 1 and sent[0].run_dir == result.run_dir
    return folder, cfg, result, sent[0]


def _journal_rows(path: Path, run_key: str) -> tuple[int, ...]:
    with Journal(path) as j:
        return (len(j.intents()), len(j.fills()), len(j.snapshots(run_key)), len(j.signals(run_key)),
                len(j.decisions(run_key)))


def test_report_child_writes_the_files_the_in_process_writer_writes(replayed, tmp_path) -> None:
    folder, cfg, result, request = replayed
    assert result.child_peak_rss_mb["report"] > 50  # it ran in a child that imported pandas and more
    here = tmp_path / "in-process" / result.run_dir.name
    write_run_folder(ReportRequest(**{**request.__dict__, "run_dir": here}))
    names = sorted(p.name for p in result.run_dir.iterdir())
    assert names == sorted(p.name for p in here.iterdir())
    assert {"orders.parquet", "fills.parquet", "equity.parquet", "positions.parquet", "risk_events.parquet",
            "signals.parquet", "stats.json", "config.yaml", "data_notes.txt", "report.html"} == set(names)
    assert [n for n in names if not filecmp.cmp(result.run_dir / n, here / n, shallow=False)] == []
    assert json.loads((result.run_dir / "stats.json").read_text())  # statistics were computed
    assert not previous_dir(result.run_dir).exists()


def test_a_failing_report_child_is_reported_and_keeps_the_last_folder(replayed) -> None:
    folder, cfg, result, request = replayed
    before = {p.name: p.read_bytes() for p in result.run_dir.iterdir()}
    rows = _journal_rows(cfg.alpaca.journal_path, request.run_key)
    # a universe that lacks the journal's symbols: the child fails while rebuilding the records
    bad = ReportRequest(**{**request.__dict__, "symbols": request.symbols[1:], "sectors": request.sectors[1:]})
    with pytest.raises(ChildError, match=r"writing the run folder .* failed \(exit status 1\): .*KeyError"):
        write_in_child(bad)
    assert {p.name: p.read_bytes() for p in result.run_dir.iterdir()} == before
    assert _journal_rows(cfg.alpaca.journal_path, request.run_key) == rows


def test_a_report_child_killed_half_way_leaves_the_previous_folder_in_place(replayed, tmp_path) -> None:
    """A writer killed after moving the old folder aside (run_dir missing, run_dir.previous there):
    the runner puts it back when it learns the child failed."""
    folder, cfg, result, request = replayed
    run_dir = tmp_path / "out" / "run"
    previous_dir(run_dir).mkdir(parents=True)
    (previous_dir(run_dir) / "stats.json").write_text("{}\n")
    bad = ReportRequest(**{**request.__dict__, "run_dir": run_dir, "symbols": ()})
    with pytest.raises(ChildError):
        write_in_child(bad)
    assert (run_dir / "stats.json").read_text() == "{}\n" and not previous_dir(run_dir).exists()


def test_the_runner_process_never_imports_the_report_or_scoring_modules(tmp_path) -> None:
    """A replay (the same LiveRunner as `parity run`) in a fresh interpreter: vectorbt, matplotlib,
    polars, XGBoost and scipy.stats stay out of its sys.modules; the children did the work. (With
    the venue in its own process the fake server's aiohttp stays out too.) scipy.linalg too: numba's
    BLAS probe is skipped in the runner (parity.live_app.skip_numba_blas_probe)."""
    code = f"""
import sys
sys.path[:0] = [{str(HERE)!r}, {str(REPO)!r}]
from pathlib import Path
from live_kit import market, paper_config
from parity.replay import run_replay
bars = market(n_bars=12)
folder = Path({str(tmp_path)!r})
result = run_replay(paper_config(folder, bars, reporting={{"html": True}}), folder, bars=bars, venue_process=True)
assert (result.run_dir / "report.html").is_file() and len(result.cycles) > 1
heavy = ("vectorbt", "matplotlib", "polars", "xgboost", "scipy.stats", "scipy.linalg", "plotly", "sklearn", "aiohttp")
print(sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy or m.startswith("parity.strategies")))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_children_never_see_the_alpaca_keys(monkeypatch) -> None:
    from parity.live_child import child_env

    monkeypatch.setenv("APCA_API_KEY_ID", "PKPROBE")
    monkeypatch.setenv("APCA_API_SECRET_KEY", "sk-probe")
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    env = child_env()
    assert not any(k.startswith("APCA_") for k in env)
    assert env["PYTHONPATH"].endswith("/elsewhere")  # kept, after the folders strategies are imported from


MOMENTUM = validate_config({"strategy": {"use": "momentum",
                                         "params": {"lookback": 5, "skip": 1, "vol_lookback": 3, "smoothing": 2}}})


def test_remote_scorer_scores_exactly_like_the_in_process_live_scorer() -> None:
    from parity.engine.signals import live_scorer
    from parity.strategy_registry import resolve_strategy

    bars = market(n_bars=16)
    local = live_scorer(resolve_strategy(MOMENTUM).build(), bars.slice(0, 9))
    remote = RemoteScorer(MOMENTUM, bars.slice(0, 9))
    try:
        for t in range(9, bars.n_bars):
            a, b = local.update(bars.slice(t, t + 1)), remote.update(bars.slice(t, t + 1))
            assert a.tobytes() == b.tobytes() and remote.model_version == local.model_version
        assert np.isfinite(b).any()  # real scores, not an all-NaN row
    finally:
        assert remote.close() > 50  # the worker's own peak RSS, MB


def test_a_scoring_error_is_raised_in_the_runner_and_the_worker_keeps_serving() -> None:
    bars = market(n_bars=12)
    remote = RemoteScorer(MOMENTUM, bars.slice(0, 9))
    try:
        with pytest.raises(ChildError, match=r"'update' failed: ValueError: .*symbols differ"):
            remote.update(market(n_bars=12, n_symbols=4).slice(9, 10))
        assert remote.update(bars.slice(9, 10)).shape == (bars.n_symbols,)
    finally:
        remote.close()


def test_a_killed_scoring_worker_fails_the_cycle_and_the_next_cycle_decides_the_bar(tmp_path, monkeypatch) -> None:
    """The worker dies (OOM killer, say) just before a decision: that cycle raises and sends nothing,
    the bar stays undecided, and the retry starts a new worker that decides it."""
    killed: list[int] = []
    real_score = live.LiveRunner._score

    def score_after_killing_the_worker(self, bars, t):  # noqa: ANN001, ANN202
        if self._scorer is not None and not killed:
            pid = self._scorer._worker.pid
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        return real_score(self, bars, t)

    monkeypatch.setattr(live.LiveRunner, "_score", score_after_killing_the_worker)
    real_cycle = live.LiveRunner.cycle
    failures: list[str] = []

    def cycle_with_one_retry(self):  # noqa: ANN001, ANN202
        try:
            return real_cycle(self)
        except ChildError as exc:
            failures.append(str(exc))
            ts = int(self.feed.completed_bars(self.clock.now_ns()).close_ts[-1])
            assert not self.journal.decided(self.run_key, ts)  # nothing sent, nothing marked
            return real_cycle(self)

    monkeypatch.setattr(live.LiveRunner, "cycle", cycle_with_one_retry)
    bars = market(n_bars=12)
    cfg = paper_config(tmp_path, bars)
    result = run_replay(cfg, tmp_path, bars=bars)
    assert len(killed) == 1 and len(failures) == 1 and "died during 'update'" in failures[0]
    assert all(c.decided for c in result.cycles)


def test_a_replay_with_the_venue_in_its_own_process_trades_exactly_like_the_in_process_one(tmp_path) -> None:
    import pandas as pd

    bars = market(n_bars=12)
    results = {}
    for mode in (False, True):
        folder = tmp_path / f"venue-process-{mode}"
        folder.mkdir()
        results[mode] = run_replay(paper_config(folder, bars), folder, bars=bars, venue_process=mode)
    inproc, remote = results[False], results[True]
    assert remote.posted == inproc.posted > 0
    assert remote.positions == inproc.positions and remote.cash == inproc.cash
    assert [c.line() for c in remote.cycles] == [c.line() for c in inproc.cycles]
    for table in ("equity", "positions", "signals"):
        pd.testing.assert_frame_equal(*(pd.read_parquet(r.run_dir / f"{table}.parquet") for r in (inproc, remote)))
    # fills of one bar reach the journal in stream order, which varies from run to run: compare them as sets
    fills = [pd.read_parquet(r.run_dir / "fills.parquet")[["symbol", "side", "qty", "price"]] for r in (inproc, remote)]
    a, b = (f.sort_values(list(f.columns), ignore_index=True) for f in fills)
    pd.testing.assert_frame_equal(a, b)
