"""Find the strategy a config names, validate its parameters, and build it: the one strategy lookup.

`strategy.use` is either a registered name or an import path `package.module:ClassName`. Registered
names are Parity's built-ins (below) and whatever installed packages declare in the entry-point group
`parity.strategies` (`[project.entry-points."parity.strategies"] mine = "my_pkg.strategy:Mine"`).
Import paths are imported with the config file's folder and the current directory first on the
module search path, so a user's own package next to their config needs no installing.

The class's `Params` model (pydantic) validates `strategy.params`; errors read like every other config
error (file, dotted key, did-you-mean). The resolved spec records exactly what ran: the import path,
the params with their defaults filled in, and a digest of the strategy's source files.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import inspect
import sys
import typing
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from parity.engine.config import ConfigError, ParityConfig
from parity.engine.config.loader import describe_errors
from parity.engine.signals import Strategy

ENTRY_POINT_GROUP = "parity.strategies"
BUILTIN: dict[str, str] = {
    "momentum": "parity.strategies.momentum:MomentumStrategy",
    "xgboost": "parity.strategies.xgboost_strategy:XGBoostStrategy",
    "signals": "parity.strategies.signals_file:SignalsFileStrategy",
}
# Folders put first on sys.path to import users' strategies; child processes get them too (live_child).
search_dirs: list[str] = []


@dataclass(frozen=True)
class StrategySpec:
    use: str  # as the config wrote it
    import_path: str  # package.module:ClassName
    cls: type
    params: BaseModel | None  # None: the class takes no parameters
    source_sha256: str
    source_files: tuple[str, ...]

    def build(self) -> Strategy:
        return self.cls(self.params) if self.params is not None else self.cls()

    def params_dict(self) -> dict[str, Any]:
        return self.params.model_dump(mode="json") if self.params is not None else {}

    def record(self) -> dict[str, Any]:
        """What ran, for the run folder's strategy.json."""
        return {"use": self.use, "import_path": self.import_path, "params": self.params_dict(),
                "source_sha256": self.source_sha256, "source_files": list(self.source_files)}


def registered() -> dict[str, str]:
    """Short name -> import path: the built-ins, then installed packages' entry points."""
    names = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        names.setdefault(ep.name, ep.value)
    return names


def resolve_strategy(config: ParityConfig, source: str = "<config>", config_dir: Path | None = None) -> StrategySpec:
    """The strategy `config.strategy` names, with validated params; ConfigError (one line) otherwise."""
    use = config.strategy.use.strip()
    import_path = _import_path(use, source)
    cls = _load_class(import_path, source, config_dir)
    params = _validate_params(cls, config.strategy.params, source)
    if params is not None and config_dir is not None:
        params = resolve_path_params(params, Path(config_dir).absolute())
    root, files = _source_files(cls)
    names = tuple(f.relative_to(root).as_posix() for f in files)  # relative: the same on every machine
    return StrategySpec(use, import_path, cls, params, _digest(names, files), names)


def describe_strategy(strategy: Strategy) -> dict[str, Any]:
    """The strategy.json record of a strategy object handed over directly (the Python API)."""
    cls = type(strategy)
    model = getattr(cls, "Params", None)
    params = next((v for v in vars(strategy).values() if model is not None and isinstance(v, model)), None)
    root, files = _source_files(cls)
    names = tuple(f.relative_to(root).as_posix() for f in files)
    return {"use": "<object>", "import_path": f"{cls.__module__}:{cls.__qualname__}",
            "params": params.model_dump(mode="json") if params is not None else {},
            "source_sha256": _digest(names, files) if files else "", "source_files": list(names)}


def with_resolved_params(config: ParityConfig, spec: StrategySpec) -> ParityConfig:
    """`config` with strategy.params as validated (defaults filled in): what config.yaml records."""
    strategy = config.strategy.model_copy(update={"params": spec.params_dict()})
    return config.model_copy(update={"strategy": strategy})


def _import_path(use: str, source: str) -> str:
    if ":" in use:
        module, _, attr = use.partition(":")
        if module and attr and all(p.isidentifier() for p in module.split(".") + attr.split(".")):
            return use
        raise ConfigError(f"{source}: strategy.use: '{use}' is not an import path; write 'package.module:ClassName'")
    names = registered()
    if use in names:
        return names[use]
    close = difflib.get_close_matches(use, list(names), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise ConfigError(f"{source}: strategy.use: '{use}' is not a registered strategy; {hint}registered: "
                      f"{', '.join(sorted(names))}; or give an import path 'package.module:ClassName'")


def _load_class(import_path: str, source: str, config_dir: Path | None) -> type:
    module_name, _, attr = import_path.partition(":")
    add_search_dirs(config_dir)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):  # the module itself (or its package) is missing
            where = ", ".join(search_dirs) or "the current directory"
            raise ConfigError(f"{source}: strategy.use: cannot import '{module_name}' (no module named "
                              f"'{exc.name}'; looked in {where} and the installed packages); check the "
                              "spelling, or run from the folder that holds the package") from None
        raise ConfigError(f"{source}: strategy.use: importing '{module_name}' failed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - the user's module raised while importing: say so in one line
        raise ConfigError(f"{source}: strategy.use: importing '{module_name}' failed: "
                          f"{type(exc).__name__}: {exc}") from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            public = [n for n in dir(module) if not n.startswith("_") and isinstance(getattr(module, n), type)]
            close = difflib.get_close_matches(part, public, n=1, cutoff=0.6)
            hint = f"; did you mean '{module_name}:{close[0]}'?" if close else ""
            raise ConfigError(f"{source}: strategy.use: module '{module_name}' has no '{attr}'{hint}")
        obj = getattr(obj, part)
    missing = [m for m in ("generate",) if not callable(getattr(obj, m, None))]
    if not isinstance(obj, type) or missing:
        raise ConfigError(f"{source}: strategy.use: '{import_path}' is not a strategy class (one with a "
                          "generate(bars) method, a name and a lookback; see parity.engine.signals.Strategy)")
    return obj


def _validate_params(cls: type, params: dict[str, Any], source: str) -> BaseModel | None:
    model = getattr(cls, "Params", None)
    if model is None:
        if params:
            raise ConfigError(f"{source}: strategy.params: {cls.__name__} takes no parameters "
                              f"(got {', '.join(sorted(params))}); remove strategy.params")
        return None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ConfigError(f"{source}: strategy.use: {cls.__name__}.Params must be a pydantic model")
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, source, model, prefix=("strategy", "params"))) from None


def resolve_path_params(params: BaseModel, config_dir: Path) -> BaseModel:
    """Params with every relative Path-typed field (annotated `Path` or `Path | None`) taken from the
    config's folder, as data.path is: a strategy's input files sit next to the config that names them."""
    update = {}
    for name, field in type(params).model_fields.items():
        value = getattr(params, name)
        if _is_path_field(field.annotation) and isinstance(value, Path) and not value.is_absolute():
            update[name] = config_dir / value
    return params.model_copy(update=update) if update else params


def _is_path_field(annotation: Any) -> bool:
    if annotation is Path:
        return True
    args = typing.get_args(annotation)  # Path | None, Optional[Path]
    return bool(args) and all(a is Path or a is type(None) for a in args) and Path in args


def add_search_dirs(config_dir: Path | None) -> None:
    """Put the config's folder and the current directory first on sys.path (and, through
    search_dirs, on the child processes' PYTHONPATH), so a user's package there imports."""
    for folder in (config_dir, Path.cwd()):
        if folder is None:
            continue
        path = str(Path(folder).resolve())
        if path not in search_dirs:
            search_dirs.append(path)
        if path not in sys.path:
            sys.path.insert(0, path)


def _digest(names: tuple[str, ...], files: list[Path]) -> str:
    digest = hashlib.sha256()
    for name, f in zip(names, files):
        digest.update(name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def _source_files(cls: type) -> tuple[Path, list[Path]]:
    """The files a strategy's behaviour comes from, and their folder: its module's package folder
    (all .py files, recursively), or the module file alone when it is not in a package."""
    module = sys.modules.get(cls.__module__)
    try:
        file = Path(inspect.getsourcefile(cls) or "")
    except (TypeError, OSError):  # defined in a notebook or an interactive session: no file to hash
        file = Path("")
    if module is None or not file.is_file():
        return Path("."), []
    if module.__package__:
        return file.parent, sorted(p for p in file.parent.rglob("*.py") if "__pycache__" not in p.parts)
    return file.parent, [file]
