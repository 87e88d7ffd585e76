"""The numba cache folder follows the kernels' source, so an edited kernel never runs stale code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from parity.engine.numba_cache import KERNEL_PACKAGES, source_digest


def _tree(root: Path) -> None:
    for package in KERNEL_PACKAGES:
        (root / package / "kernels").mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        (root / package / "kernels" / "k.py").write_text(f"def f(): return '{package}'\n")


def test_digest_is_stable_and_changes_with_any_kernel_source(tmp_path: Path) -> None:
    _tree(tmp_path)
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first
    seen = {first}
    for package in KERNEL_PACKAGES:
        # an edit to a helper in another file is exactly what numba's own per-file check misses
        (tmp_path / package / "kernels" / "k.py").write_text("def f(): return 'edited'\n")
        changed = source_digest(tmp_path)
        assert changed not in seen, f"editing {package}/kernels/k.py did not change the digest"
        seen.add(changed)


def test_new_file_changes_digest(tmp_path: Path) -> None:
    _tree(tmp_path)
    before = source_digest(tmp_path)
    (tmp_path / "engine" / "kernels" / "extra.py").write_text("X = 1\n")
    assert source_digest(tmp_path) != before


def _cache_dir_in_child(env_overrides: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | env_overrides
    code = "import parity.brokers.sim.matching, numba.core.config as c; print(c.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_numba_uses_the_digest_folder_and_respects_an_explicit_choice(tmp_path: Path) -> None:
    chosen = _cache_dir_in_child({"PARITY_NUMBA_CACHE": str(tmp_path)})
    assert Path(chosen) == tmp_path / source_digest()
    explicit = tmp_path / "mine"
    assert Path(_cache_dir_in_child({"NUMBA_CACHE_DIR": str(explicit)})) == explicit
