"""Point numba's on-disk cache at a folder keyed by a digest of the kernels' source.

numba invalidates a cached function only when the file that defines it changes. A kernel that calls
functions from other files (decide_bar inlines sizing, risk and order code; the backtest loop
inlines match_bar) would keep running stale machine code after those files are edited. Keying the
cache folder by a digest of every kernel source makes any edit start from a fresh cache, while an
unchanged checkout reuses its compiled kernels across processes.

An explicit NUMBA_CACHE_DIR is respected as the user's choice (and then invalidation is numba's own).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

KERNEL_PACKAGES = ("engine", "brokers", "strategies")
# Pure-Python adapters with no kernels: edits there need no recompilation.
_NO_KERNELS = ("brokers/alpaca/",)
_PROJECT_ROOT = Path(__file__).resolve().parents[1]
_KEEP_OLD_CACHES = 2  # older digests kept beside the current one (e.g. switching branches back)


def source_digest(root: Path = _PROJECT_ROOT) -> str:
    """sha256 over the path and bytes of every .py file in the kernel packages, first 16 hex."""
    digest = hashlib.sha256()
    for package in KERNEL_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if path.relative_to(root).as_posix().startswith(_NO_KERNELS):
                continue
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure_numba_cache() -> None:
    """Set NUMBA_CACHE_DIR (once per process, before kernels are compiled) unless already set."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("PARITY_NUMBA_CACHE", _PROJECT_ROOT / ".numba_cache"))
    target = base / source_digest()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only install: fall back to the user's cache folder
        base = Path.home() / ".cache" / "parity" / "numba"
        target = base / source_digest()
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
