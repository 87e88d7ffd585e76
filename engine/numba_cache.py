"""Point numba's on-disk cache at a folder keyed by a digest of the files compiled kernels depend on.

numba invalidates a cached function only when the file that defines it changes. A kernel that calls
functions or reads constants from other files (decide_bar inlines sizing, risk and order code and the
codes in engine/kernels/codes.py; the backtest loop inlines match_bar) would keep running stale
machine code after those files are edited. So the cache folder is keyed by a digest of exactly the
files a compiled kernel can depend on:

- every .py file under engine/, brokers/ and strategies/ that imports numba (the kernel files), and
- transitively, every project module those files import (`parity.engine.x` is engine/x.py or
  engine/x/__init__.py, likewise brokers/, strategies/, reports/ and parity/; relative imports too),
  with the __init__.py of each package enclosing an imported module, since importing runs it.
  (A kernel file's own packages count only when it imports from them: strategies/__init__.py
  imports every strategy, and no compiled code reads them.)

Imports anywhere in a file count, also inside functions; modules outside the project are ignored.
Any other file (a strategy without numba, the CLI, reports) can change without recompiling the
kernels, while an unchanged set of kernel sources reuses its compiled kernels across processes.

An explicit NUMBA_CACHE_DIR is respected as the user's choice (and then invalidation is numba's own).
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

KERNEL_PACKAGES = ("engine", "brokers", "strategies")  # where kernel files (importing numba) are looked for
_SUBPACKAGES = ("engine", "brokers", "strategies", "reports")  # parity.<name> lives in <name>/, the rest in parity/
_PROJECT_ROOT = Path(__file__).resolve().parents[1]
_KEEP_OLD_CACHES = 2  # older digests kept beside the current one (e.g. switching branches back)


def source_digest(root: Path = _PROJECT_ROOT) -> str:
    """sha256 over the path and bytes of every kernel source (see `kernel_sources`), first 16 hex."""
    digest = hashlib.sha256()
    for path in kernel_sources(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def kernel_sources(root: Path = _PROJECT_ROOT) -> list[Path]:
    """The files under `root` a compiled kernel can depend on: the kernel files and what they import."""
    candidates = sorted(path for package in KERNEL_PACKAGES for path in (root / package).rglob("*.py"))
    # a file that never spells "numba" cannot import it: skip parsing those (it runs at every start)
    parsed = {path: _imports(root, path) for path in candidates if b"numba" in path.read_bytes()}
    todo = [path for path, names in parsed.items() if any(n == "numba" or n.startswith("numba.") for n in names)]
    covered = set(todo)
    while todo:
        path = todo.pop()
        for module in parsed[path] if path in parsed else _imports(root, path):
            parts = module.split(".")
            for depth in range(1, len(parts) + 1):  # the module and each package enclosing it
                imported = _module_file(root, ".".join(parts[:depth]))
                if imported is not None and imported not in covered:
                    covered.add(imported)
                    todo.append(imported)
    return sorted(covered)


def _imports(root: Path, path: Path) -> set[str]:
    """Absolute names of the modules `path` imports; `from a import b` gives a and a.b (b may be a module)."""
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):  # a file that cannot parse cannot be imported, so it compiles nothing
        return set()
    names: set[str] = set()
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the package holding `path`
                package = _module_name(root, path).split(".")
                package = package[: max(0, len(package) - node.level + (path.name == "__init__.py"))]
                base = ".".join(package + ([node.module] if node.module else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _statements(tree: ast.Module) -> Iterator[ast.AST]:
    """Every statement, nested ones too (in functions, classes, if/try blocks): imports are statements,
    and skipping the expressions makes this several times faster than ast.walk."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(child for child in ast.iter_child_nodes(node)
                    if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)))


def _module_name(root: Path, path: Path) -> str:
    """engine/kernels/step.py -> parity.engine.kernels.step; parity/app.py -> parity.app."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts if parts[0] == "parity" else ["parity", *parts])


def _module_file(root: Path, module: str) -> Path | None:
    """The project file that defines `module` (x.py or x/__init__.py), or None outside the project."""
    parts = module.split(".")
    if parts[0] != "parity":
        return None
    if len(parts) > 1 and parts[1] in _SUBPACKAGES:
        target, named = root.joinpath(*parts[1:]), len(parts) > 2
    else:
        target, named = root.joinpath("parity", *parts[1:]), len(parts) > 1
    for candidate in ([target.with_suffix(".py")] if named else []) + [target / "__init__.py"]:
        if candidate.is_file():
            return candidate
    return None


def configure_numba_cache() -> None:
    """Set NUMBA_CACHE_DIR (once per process, before kernels are compiled) unless already set."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("PARITY_NUMBA_CACHE", _PROJECT_ROOT / ".numba_cache"))
    digest = source_digest()
    target = base / digest
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only install: fall back to the user's cache folder
        base = Path.home() / ".cache" / "parity" / "numba"
        target = base / digest
        target.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(target)
    if "numba" in sys.modules:  # numba read its config at import: make it read the new folder
        from numba.core import config

        config.reload_config()
    _prune(base, keep=target)


def _prune(base: Path, keep: Path) -> None:
    """Remove all but the newest few stale digests, so edits do not fill the disk."""
    stale = sorted((p for p in base.iterdir() if p.is_dir() and p != keep),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stale[_KEEP_OLD_CACHES:]:
        shutil.rmtree(old, ignore_errors=True)
