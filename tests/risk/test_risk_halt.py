"""The emergency stop's persistent state and the `parity halt` command."""

from __future__ import annotations

import os
import signal

from parity.engine.halt import HaltSwitch, clear_halt, read_halt, set_halt
from parity.engine.journal import Journal
from parity.cli import main


def test_a_halt_survives_a_restart_until_cleared(tmp_path):
    flag = tmp_path / "state" / "HALT"
    assert read_halt(flag) is None
    set_halt(flag, "drawdown too large", now_ns=42)
    # a new process (a new switch) still sees it
    assert HaltSwitch(flag, now_ns=lambda: 0).is_set()
    state = read_halt(flag)
    assert (state.reason, state.set_at_ns, state.source) == ("drawdown too large", 42, "cli")
    assert clear_halt(flag) and not clear_halt(flag)
    assert not HaltSwitch(flag, now_ns=lambda: 0).is_set()


def test_an_unreadable_halt_file_still_halts(tmp_path):
    flag = tmp_path / "HALT"
    flag.write_text("{half a json")
    state = read_halt(flag)
    assert state is not None and state.source == "unreadable"
    assert HaltSwitch(flag, now_ns=lambda: 0).is_set()


def test_the_switch_journals_each_change_once(tmp_path):
    flag = tmp_path / "HALT"
    clock = iter(range(100, 200))
    with Journal(tmp_path / "j.sqlite") as journal:
        switch = HaltSwitch(flag, now_ns=lambda: next(clock), journal=journal)
        assert [switch(t) for t in range(2)] == [False, False]
        set_halt(flag, "manual", now_ns=1)
        assert [switch(t) for t in range(2, 5)] == [True, True, True]
        clear_halt(flag)
        assert switch(5) is False
        assert journal.notes("halt") == ["emergency stop in force: manual (source cli)", "emergency stop cleared"]


def test_sigusr1_sets_the_flag_file(tmp_path):
    flag = tmp_path / "HALT"
    switch = HaltSwitch(flag, now_ns=lambda: 7)
    previous = signal.getsignal(signal.SIGUSR1)
    try:
        switch.install_signal()
        os.kill(os.getpid(), signal.SIGUSR1)
        assert switch.is_set() and read_halt(flag).source == "signal"
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_parity_halt_sets_shows_and_clears_and_notes_the_journal(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    journal_path = tmp_path / "journal.sqlite"
    Journal(journal_path).close()  # a journal in use
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(f"risk_management:\n  halt_file: {tmp_path / 'HALT'}\nalpaca:\n  journal_path: {journal_path}\n")
    assert main(["halt", "--config", str(cfg), "--status"]) == 0
    assert main(["halt", "--config", str(cfg), "--reason", "fat finger"]) == 0
    assert read_halt(tmp_path / "HALT").reason == "fat finger"
    assert main(["halt", "--config", str(cfg), "--status"]) == 1
    assert "HALTED" in capsys.readouterr().out
    assert main(["halt", "--config", str(cfg), "--clear"]) == 0
    assert read_halt(tmp_path / "HALT") is None
    with Journal(journal_path) as journal:
        assert journal.notes("halt") == ["emergency stop set by parity halt: fat finger",
                                         "emergency stop cleared by parity halt --clear"]


def test_parity_halt_without_a_config_uses_the_default_file_and_creates_no_journal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["halt"]) == 0
    assert (tmp_path / ".parity" / "HALT").is_file()
    assert not (tmp_path / "reports").exists()
