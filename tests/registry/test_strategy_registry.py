"""The one strategy lookup: registered names, import paths, entry points, params and the record.

The user's packages are written to a temporary folder and used through the installed `parity`
command from there (a subprocess, so no repository folder is on its import path), the way a user
runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from parity.engine.config import ConfigError, validate_config
from parity.strategy_registry import BUILTIN, registered, resolve_strategy, with_resolved_params

PARITY = Path(sys.executable).with_name("parity")

SMA = '''
from pydantic import BaseModel, ConfigDict, Field
import numpy as np
from parity import SignalSet

class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fast: int = Field(3, ge=1)
    slow: int = Field(8, ge=2)

class Crossover:
    name = "crossover"
    Params = Params
    def __init__(self, params):
        self.params, self.lookback = params, params.slow
    def generate(self, bars):
        return SignalSet(scores=np.zeros(bars.close.shape))
'''


def user_folder(tmp_path: Path, strategy_yaml: str) -> Path:
    """A user's project: their own package named `strategies` (like Parity's folder) and a config."""
    (tmp_path / "strategies").mkdir()
    (tmp_path / "strategies" / "__init__.py").write_text("")
    (tmp_path / "strategies" / "mine.py").write_text(textwrap.dedent(SMA))
    (tmp_path / "config.yaml").write_text(f"strategy:\n{textwrap.indent(strategy_yaml, '  ')}\n")
    return tmp_path


def parity(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | env
    return subprocess.run([str(PARITY), *args], cwd=cwd, env=clean, capture_output=True, text=True, timeout=300)


def test_a_users_own_strategies_package_is_found_by_import_path(tmp_path: Path) -> None:
    folder = user_folder(tmp_path, "use: strategies.mine:Crossover\nparams: {fast: 2}")
    done = parity(["validate", "config.yaml"], folder)
    assert done.returncode == 0, done.stderr
    assert "strategy strategies.mine:Crossover" in done.stdout


@pytest.mark.parametrize(("strategy", "message"), [
    ("use: strategies.mine:Crossover\nparams: {fastt: 2}",
     "config.yaml: strategy.params.fastt: unknown key; did you mean 'fast'?"),
    ("use: strategies.mine:Crossover\nparams: {slow: 1}",
     "config.yaml: strategy.params.slow: Input should be greater than or equal to 2 (got 1)"),
    ("use: strategies.mine:Crosover",
     "config.yaml: strategy.use: module 'strategies.mine' has no 'Crosover'; did you mean 'strategies.mine:Crossover'?"),
    ("use: strategies.nothere:Crossover",
     "config.yaml: strategy.use: cannot import 'strategies.nothere' (no module named 'strategies.nothere'; looked in"),
    ("use: momentm", "config.yaml: strategy.use: 'momentm' is not a registered strategy; did you mean 'momentum'?"),
    ("name: momentum\nmomentum: {lookback: 5}",
     "config.yaml: strategy: 'name' and per-strategy sections were replaced by 'use' and 'params'"),
])
def test_a_bad_strategy_fails_with_one_line_and_writes_nothing(tmp_path: Path, strategy: str, message: str) -> None:
    folder = user_folder(tmp_path, strategy)
    for command in (["validate", "config.yaml"], ["backtest", "--config", "config.yaml"]):
        done = parity(command, folder)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert lines[0].startswith(f"error: {message}"), lines[0]
    assert not (folder / "reports").exists()


def test_an_installed_package_registers_its_strategy_by_entry_point(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "plugstrat").mkdir(parents=True)
    (site / "plugstrat" / "__init__.py").write_text(textwrap.dedent(SMA))
    dist = site / "plugstrat-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: plugstrat\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[parity.strategies]\ncrossover = plugstrat:Crossover\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.yaml").write_text("strategy:\n  use: crossover\n  params: {fast: 4}\n")
    done = parity(["validate", "config.yaml"], work, PYTHONPATH=str(site))
    assert done.returncode == 0, done.stderr
    assert "strategy crossover" in done.stdout


def test_builtins_resolve_with_their_params_completed() -> None:
    assert set(BUILTIN) <= set(registered())
    config = validate_config({"strategy": {"use": "xgboost", "params": {"train_bars": 60}}})
    spec = resolve_strategy(config)
    assert spec.import_path == "parity.strategies.xgboost_strategy:XGBoostStrategy"
    resolved = with_resolved_params(config, spec).strategy.params
    assert resolved["train_bars"] == 60 and resolved["horizon"] == 5 and resolved["smoothing"] == 5
    assert spec.build().lookback == 60 + 5 - 1 + 5  # first model's bar + smoothing rows


def test_a_class_without_params_refuses_params() -> None:
    config = validate_config({"strategy": {"use": "parity.api:GivenSignals", "params": {"x": 1}}})
    with pytest.raises(ConfigError, match=r"strategy.params: GivenSignals takes no parameters \(got x\)"):
        resolve_strategy(config, "c.yaml")


def test_the_record_names_what_ran_and_its_source_digest_follows_the_source(tmp_path: Path) -> None:
    folder = user_folder(tmp_path, "use: strategies.mine:Crossover")
    code = textwrap.dedent("""
        import json, parity
        from parity.strategy_registry import resolve_strategy
        config = parity.load_config("config.yaml")
        print(json.dumps(resolve_strategy(config, "config.yaml").record()))
    """)

    def record() -> dict:
        done = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=120,
                              env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    first = record()
    assert first["import_path"] == "strategies.mine:Crossover" and first["params"] == {"fast": 3, "slow": 8}
    assert first["source_files"] == ["__init__.py", "mine.py"]
    assert record()["source_sha256"] == first["source_sha256"]  # deterministic
    (folder / "strategies" / "mine.py").write_text(textwrap.dedent(SMA) + "\n# tuned\n")
    assert record()["source_sha256"] != first["source_sha256"]
