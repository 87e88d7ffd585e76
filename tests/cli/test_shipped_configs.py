"""The configs shipped in config/ validate, and paper trading is the default config with one flip."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.engine.config import load_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


@pytest.mark.parametrize("name", sorted(p.name for p in CONFIG_DIR.glob("*.yaml")))
def test_every_shipped_config_validates(name: str) -> None:
    load_config(CONFIG_DIR / name)


def _flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_paper_config_is_the_default_with_only_the_mode_flipped() -> None:
    default = _flatten(load_config(CONFIG_DIR / "default.yaml").model_dump(mode="json"))
    paper = _flatten(load_config(CONFIG_DIR / "paper.yaml").model_dump(mode="json"))
    differing = {key for key in default if default[key] != paper[key]}
    assert differing == {"execution.mode"}
    assert (default["execution.mode"], paper["execution.mode"]) == ("backtest", "paper")


def test_momentum_config_differs_from_the_default_only_in_the_strategy() -> None:
    default = _flatten(load_config(CONFIG_DIR / "default.yaml").model_dump(mode="json"))
    momentum = _flatten(load_config(CONFIG_DIR / "momentum.yaml").model_dump(mode="json"))
    differing = {key for key in default.keys() | momentum.keys() if default.get(key) != momentum.get(key)}
    assert differing and all(key.startswith("strategy.") for key in differing)
    assert momentum["strategy.use"] == "momentum"


@pytest.mark.parametrize("name", sorted(p.name for p in CONFIG_DIR.glob("*.yaml")))
def test_no_shipped_config_inherits_a_default_that_differs_from_default_yaml(name: str) -> None:
    from parity.engine.config import defaults_note

    assert defaults_note(load_config(CONFIG_DIR / name), name) is None
