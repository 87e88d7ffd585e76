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
        raise ConfigError(f"{path}: config file not found (looked at {path.absolute()}); pass an existing YAML "
                          "file (e.g. config/default.yaml)")
    try:
        raw = yaml.load(path.read_text(), Loader=_UniqueKeyLoader) or {}
    except _DuplicateKey as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}:{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections (execution, position_sizing, ...)")
    for override in overrides:
        _apply_override(raw, override)
    config = resolve_inputs(validate_config(raw, source=str(path)), path.absolute().parent)
    check_consistency(config, str(path))
    return config


def resolve_inputs(config: ParityConfig, config_dir: Path) -> ParityConfig:
    """The files a config reads (data.path, data.universe) taken from the config's folder when relative.
    What a run writes or keeps (reporting.output_dir, alpaca.journal_path, risk_management.halt_file,
    data.cache_dir) stays relative to the working folder, where the run's outputs belong."""
    data = config.data
    update = {key: config_dir / value for key, value in (("path", data.path), ("universe", data.universe))
              if value is not None and not value.is_absolute()}
    if not update:
        return config
    return config.model_copy(update={"data": data.model_copy(update=update)})


def validate_config(raw: dict[str, Any], source: str = "<config>") -> ParityConfig:
    try:
        return ParityConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, source, ParityConfig)) from None


def check_consistency(config: ParityConfig, source: str) -> None:
    """Settings that are each valid but contradict one another (checked for every config a user loads;
    the engine itself copes with them, so configs built in code for tests may still use them)."""
    sizing = config.position_sizing
    if sizing.max_position_size > sizing.max_total_exposure:
        raise ConfigError(f"{source}: position_sizing.max_position_size: {sizing.max_position_size:g} is above "
                          f"position_sizing.max_total_exposure {sizing.max_total_exposure:g} (no position could "
                          f"reach its size); lower max_position_size to at most {sizing.max_total_exposure:g} "
                          "or raise max_total_exposure")


# Parity's defaults as a user sees them. The schema's own defaults are kept (configs built in code and
# the tests rely on them, e.g. no costs), so a partial config is told which of them differ from these.
DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "config" / "default.yaml"


def inherited_differences(config: ParityConfig) -> list[tuple[str, Any, Any]]:
    """(dotted key, schema default, config/default.yaml's value) for every key the config did not
    set whose schema default differs from config/default.yaml (strategy.params go with strategy.use)."""
    if not DEFAULT_CONFIG.is_file():
        return []
    reference = _leaves(validate_config(yaml.safe_load(DEFAULT_CONFIG.read_text()) or {}).model_dump(mode="json"))
    return [(key, value, reference[key]) for key, value in _inherited(config, "")
            if key != "strategy.params" and key in reference and value != reference[key]]


def defaults_note(config: ParityConfig, source: str) -> str | None:
    """One line for a config that leaves keys to the schema's defaults where those differ from
    config/default.yaml (e.g. no commission): how many, which sections, and each value."""
    diffs = inherited_differences(config)
    if not diffs:
        return None
    sections = sorted({key.split(".")[0] for key, _, _ in diffs})
    listed = ", ".join(f"{key}={value} (default.yaml: {ref})" for key, value, ref in diffs)
    return (f"{source}: {len(diffs)} keys not set here ({', '.join(sections)}) take the schema's built-in "
            f"defaults, not config/default.yaml's: {listed}; set them to use Parity's defaults")


def _inherited(model: BaseModel, prefix: str) -> Iterable[tuple[str, Any]]:
    dump = model.model_dump(mode="json")
    for name in type(model).model_fields:
        key = f"{prefix}{name}"
        if key == "strategy.params":
            continue
        value = getattr(model, name)
        if name not in model.model_fields_set:
            yield from _leaves({name: dump[name]}, prefix).items()
        elif isinstance(value, BaseModel):
            yield from _inherited(value, f"{key}.")


def _leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and f"{prefix}{key}" != "strategy.params":
            flat |= _leaves(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


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
        node[parts[-1]] = yaml.load(value, Loader=_UniqueKeyLoader) if value.strip() else None
    except yaml.YAMLError:
        node[parts[-1]] = value


class _DuplicateKey(yaml.YAMLError):
    pass


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml's SafeLoader, except that a key set twice in one mapping is an error, not the last value."""

    root: yaml.Node | None = None

    def construct_document(self, node: yaml.Node) -> Any:
        self.root = node
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(f"line {line}: {_dotted(self, node, key)} is set twice (first on line "
                                    f"{seen[key]}); keep one of them")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _timestamp_or_text(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    """An unquoted date as YAML reads it, or its text when it only looks like one (2010-13-01), so the
    schema can say which key holds it."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _dotted(loader: _UniqueKeyLoader, mapping: yaml.MappingNode, key: Any) -> str:
    """`key` with the keys of the mappings around `mapping` in front (simulation.fill.participation_rate)."""
    path = [str(key)]
    target: yaml.Node = mapping
    parent = _parent_of(loader.root, target)
    while parent is not None:
        parent_node, key_node = parent
        path.insert(0, str(key_node.value))
        target = parent_node
        parent = _parent_of(loader.root, target)
    return ".".join(path)


def _parent_of(root: yaml.Node | None, child: yaml.Node) -> tuple[yaml.MappingNode, yaml.ScalarNode] | None:
    """The mapping holding `child` as a value, with the key it is under (None at the top)."""
    if not isinstance(root, yaml.MappingNode):
        return None
    for key_node, value_node in root.value:
        if value_node is child:
            return root, key_node
        found = _parent_of(value_node, child)
        if found is not None:
            return found
    return None


def _describe(source: str, err: Any, root: type[BaseModel], prefix: tuple[str, ...]) -> str:
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(prefix + loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        hint = _did_you_mean(root, loc)
        return f"{source}: {key}: unknown key{hint}"
    if err["type"] == "missing":
        return f"{source}: {key}: required key is missing"
    if err["type"] == "finite_number":
        return f"{source}: {key}: must be a finite number (got {err.get('input')!r}); .inf and .nan are not allowed"
    message = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    quiet = isinstance(got, (dict, list)) or got is None or (err["type"] == "value_error" and str(got) in message)
    shown = "" if quiet else f" (got {got!r})"
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
