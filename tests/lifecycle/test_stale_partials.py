"""Staging folders left by killed processes: the next run in the output folder removes those whose
owner no longer runs, says so in one line, and never touches a running process's folder."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from lifecycle_kit import all_gone, backtest_args, cmdline, group_members, mid_run, partials, start_backtest

from parity.reports.writer import remove_stale_partials, staged_run_dir, stale_partials


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


class _Discard(Exception):
    pass


def staging_name(output_dir: Path, run_id: str, pid: int) -> Path:
    """A staging folder named as staged_run_dir names it, as if process `pid` had made it in
    `output_dir` (the name is taken from a real one, made and discarded in an empty folder)."""
    with tempfile.TemporaryDirectory() as empty:
        try:
            with staged_run_dir(empty, run_id) as staging:
                own = staging.name
                raise _Discard  # the staging folder is removed
        except _Discard:
            pass
    target = output_dir / own.replace(f".{os.getpid()}@", f".{pid}@", 1)
    target.mkdir(parents=True)
    (target / "orders.parquet").write_bytes(b"half")
    return target


def test_only_folders_of_processes_that_are_gone_are_removed(tmp_path: Path, capfd) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        dead = staging_name(tmp_path, "run-a", dead_pid())
        live = staging_name(tmp_path, "run-b", sleeper.pid)
        mine = staging_name(tmp_path, "run-c", os.getpid())
        unowned = tmp_path / ".run-d.k2j4h5g6.partial"  # an older version's name: no owner in it
        unowned.mkdir()
        other_host = tmp_path / f".run-e.{dead_pid()}@elsewhere.abcdefgh.partial"
        other_host.mkdir()
        capfd.readouterr()
        assert stale_partials(tmp_path) == [dead]
        assert remove_stale_partials(tmp_path) == [dead]
        assert not dead.exists() and live.is_dir() and mine.is_dir() and unowned.is_dir() and other_host.is_dir()
        err = capfd.readouterr().err.splitlines()
        assert err == [f"note: removed 1 unfinished run folder(s) left in {tmp_path} by processes that no longer "
                       f"run: {dead.name}"]
        assert remove_stale_partials(tmp_path) == [] and capfd.readouterr().err == ""  # nothing to say
    finally:
        sleeper.kill()
        sleeper.wait()


RUN_IDS = st.from_regex(r"[A-Za-z0-9_.-]{1,30}", fullmatch=True)


@settings(max_examples=60)
@given(run_id=RUN_IDS, owner_alive=st.booleans())
def test_any_run_id_parses_back_to_its_owner(run_id: str, owner_alive: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        folder = staging_name(out, run_id, os.getpid() if owner_alive else dead_pid())
        (out / f".{run_id}.a1b2c3d4.partial").mkdir(exist_ok=True)  # unowned: never listed
        assert stale_partials(out) == ([] if owner_alive else [folder])


def test_a_run_after_a_sigkilled_backtest_removes_its_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    killed = start_backtest(tmp_path, out)
    try:
        started = mid_run(killed, out)
        left = partials(out)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
    finally:
        if killed.poll() is None:
            killed.kill()
    assert partials(out) == left and len(left) == 1  # no handler runs on SIGKILL
    # its children die with it (the report worker, by the parent-death signal; the resource tracker
    # once nothing holds its pipe)
    assert all_gone(started, timeout=10) == [], [cmdline(p) for p in started]
    assert all_gone(group_members(killed.pid), timeout=10) == []
    assert "BrokenPipeError" not in killed.stderr.read()  # type: ignore[union-attr]

    sleeper = subprocess.Popen(["sleep", "120"])  # a live owner: its folder stays
    try:
        live = staging_name(out, "someone-elses-run", sleeper.pid)
        again = subprocess.run(backtest_args(out), cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        notes = [line for line in again.stderr.splitlines() if line.startswith("note: removed")]
        assert notes == [f"note: removed 1 unfinished run folder(s) left in {out} by processes that no longer run: "
                         f"{left[0].name}"]
        assert partials(out) == [live]
        assert len([p for p in out.iterdir() if not p.name.startswith(".")]) == 1  # the new run folder
    finally:
        sleeper.kill()
        sleeper.wait()


def test_the_live_report_writer_passes_its_note_on_to_the_runners_log(tmp_path: Path, monkeypatch, caplog) -> None:
    """The live run folder is written in a child whose stderr is only shown when it fails; its note
    about removed staging folders reaches the runner's log instead of being dropped."""
    import logging

    import parity.live_report as live_report
    from parity.live_child import Exit

    note = f"note: removed 1 unfinished run folder(s) left in {tmp_path} by processes that no longer run: .x.partial"
    monkeypatch.setattr(live_report, "run_once", lambda module, payload, timeout_s: Exit(0, 80.0, f"{note}\nother\n"))
    request = live_report.ReportRequest(None, tmp_path / "j.sqlite", "k", tmp_path / "run", (), (), ())  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="parity.live_report"):
        assert live_report.write_in_child(request).peak_rss_mb == 80.0
    assert [r.getMessage() for r in caplog.records] == [note[len("note: "):]]
