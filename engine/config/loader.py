"""Load a YAML config, apply command-line overrides, validate, and explain every error.

Each error names the file and the dotted key, says what is wrong and how to fix it, and suggests the
nearest valid key for a misspelt one. Nothing is written before a config validates.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from parity.engine.config.schema import ParityConfig


class ConfigError(ValueError):
    """A config that cannot be used; the message is one line per problem, ready for a user."""


def load_config(path: str | Path, overrides: Iterable[str] = ()) -> ParityConfig:
    """Read `path`, apply `section.key=value` overrides and return the validated config."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found; pass an existing YAML file (e.g. config/default.yaml)")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections (execution, position_sizing, ...)")
    for override in overrides:
        _apply_override(raw, override)
    return validate_config(raw, source=str(path))


def validate_config(raw: dict[str, Any], source: str = "<config>") -> ParityConfig:
    try:
        return ParityConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, source, ParityConfig)) from None


def describe_errors(exc: ValidationError, source: str, root: type[BaseModel],
                    prefix: tuple[str, ...] = ()) -> str:
    """One line per problem of validating `root` (a model found at the dotted key `prefix`)."""
    return "\n".join(_describe(source, err, root, prefix) for err in exc.errors())


def config_hash(config: ParityConfig) -> str:
    """A short stable digest of the resolved config (run ids, model versions, client order ids)."""
    canonical = json.dumps(config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def dump_config(config: ParityConfig) -> str:
    """The resolved config as YAML (written beside every run's records)."""
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)


def _apply_override(raw: dict[str, Any], override: str) -> None:
    key, sep, value = override.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {override!r}: expected section.key=value, e.g. risk_management.max_daily_loss=0.03")
    parts = key.split(".")
    node = raw
    for depth, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"--set {key}: '{'.'.join(parts[:depth + 1])}' is a value, not a section")
        node = child
    try:
        node[parts[-1]] = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        node[parts[-1]] = value


def _describe(source: str, err: Any, root: type[BaseModel], prefix: tuple[str, ...]) -> str:
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(prefix + loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        hint = _did_you_mean(root, loc)
        return f"{source}: {key}: unknown key{hint}"
    if err["type"] == "missing":
        return f"{source}: {key}: required key is missing"
    message = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    shown = "" if isinstance(got, (dict, list)) or got is None else f" (got {got!r})"
    return f"{source}: {key}: {message}{shown}"


def _did_you_mean(root: type[BaseModel], loc: tuple[str, ...]) -> str:
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        field = model.model_fields.get(part) if model else None
        annotation = field.annotation if field else None
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    if model is None:
        return ""
    valid = list(model.model_fields)
    close = difflib.get_close_matches(loc[-1], valid, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; valid keys here: {', '.join(valid)}"
