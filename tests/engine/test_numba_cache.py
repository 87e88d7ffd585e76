"""The numba cache folder follows the kernels' sources, so an edited kernel never runs stale code,
while editing or adding anything a kernel does not depend on (a strategy, the CLI) recompiles nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from parity.engine.numba_cache import KERNEL_PACKAGES, kernel_sources, source_digest

REPO = Path(__file__).resolve().parents[2]

# A small project: kernels (they import numba) in all three kernel packages, the modules they import
# (absolutely, transitively and relatively), and plain Python around them that no kernel imports.
FAKE_PROJECT = {
    "parity/__init__.py": "",
    "parity/app.py": "from parity.strategies import Momentum\nfrom parity.engine.signals import Strategy\n",
    "engine/__init__.py": "",
    "engine/signals.py": "class Strategy:\n    pass\n",
    "engine/units.py": "ONE = 1\n",
    "engine/limits.py": "MAX_WINDOW = 252\n",
    "engine/kernels/__init__.py": "",
    "engine/kernels/a.py": ("from numba import njit\n\nfrom parity.engine.kernels.codes import DAY\n\n\n"
                            "@njit(cache=True)\ndef f(x):\n    return x + DAY\n"),
    "engine/kernels/codes.py": "from parity.engine.units import ONE\n\nDAY = 1 * ONE\n",
    "brokers/__init__.py": "",
    "brokers/sim/__init__.py": "",
    "brokers/sim/fill.py": "import numba\n\nfrom .fees import FEE\n",
    "brokers/sim/fees.py": "FEE = 0.5\n",
    "brokers/alpaca/broker.py": "from parity.engine.signals import Strategy\n",
    "strategies/__init__.py": "from parity.strategies.momentum import Momentum\n",
    "strategies/momentum.py": ("import numpy as np\n\nfrom parity.engine.signals import Strategy\n"
                               "from parity.strategies.features.windows import mean\n\n\n"
                               "class Momentum(Strategy):\n    pass\n"),
    "strategies/features/__init__.py": "",
    "strategies/features/windows.py": ("from numba import njit\n\nfrom parity.engine import limits\n\n\n"
                                       "@njit\ndef mean(x):\n    return x[-limits.MAX_WINDOW:].mean()\n"),
}
FAKE_KERNEL_SOURCES = [
    "brokers/__init__.py", "brokers/sim/__init__.py", "brokers/sim/fees.py", "brokers/sim/fill.py",
    "engine/__init__.py", "engine/kernels/__init__.py", "engine/kernels/a.py", "engine/kernels/codes.py",
    "engine/limits.py", "engine/units.py", "parity/__init__.py", "strategies/features/windows.py",
]


def _project(root: Path) -> Path:
    for name, text in FAKE_PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _edit(root: Path, name: str) -> None:
    path = root / name
    path.write_text(path.read_text() + "\n# edited\n")


def _covered(root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in kernel_sources(root)]


def _tree(root: Path) -> None:
    for package in KERNEL_PACKAGES:
        (root / package / "kernels").mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        (root / package / "kernels" / "k.py").write_text(f"import numba\n\ndef f(): return '{package}'\n")


def test_digest_is_stable_and_changes_with_any_kernel_source(tmp_path: Path) -> None:
    _tree(tmp_path)
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first
    seen = {first}
    for package in KERNEL_PACKAGES:
        # an edit to a helper in another file is exactly what numba's own per-file check misses
        (tmp_path / package / "kernels" / "k.py").write_text("import numba\n\ndef f(): return 'edited'\n")
        changed = source_digest(tmp_path)
        assert changed not in seen, f"editing {package}/kernels/k.py did not change the digest"
        seen.add(changed)


def test_digest_covers_the_kernel_files_and_what_they_import(tmp_path: Path) -> None:
    root = _project(tmp_path)
    # no strategy, no app, no alpaca adapter, not engine/signals.py (only non-kernels import it), and
    # not strategies/__init__.py although windows.py lives in that package: it imports the strategies
    assert _covered(root) == FAKE_KERNEL_SOURCES


def test_editing_or_adding_a_non_kernel_file_keeps_the_digest(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = source_digest(root)
    for name in ("strategies/momentum.py", "strategies/__init__.py", "engine/signals.py", "parity/app.py",
                 "brokers/alpaca/broker.py"):
        _edit(root, name)
        assert source_digest(root) == before, f"editing {name} changed the digest"
    (root / "strategies" / "breakout.py").write_text(
        "from parity.engine.signals import Strategy\nfrom parity.engine.kernels.codes import DAY\n")
    (root / "strategies" / "_probe_new.py").write_text("")
    (root / "strategies" / "half_written.py").write_text("def broken(:\n")  # unparsable: still no crash
    (root / "engine" / "kernels" / "notes.py").write_text("NOTE = 'mentions numba but does not import it'\n")
    assert source_digest(root) == before
    assert _covered(root) == FAKE_KERNEL_SOURCES


def test_editing_a_kernel_file_changes_the_digest(tmp_path: Path) -> None:
    root = _project(tmp_path)
    seen = {source_digest(root)}
    for name in ("engine/kernels/a.py", "brokers/sim/fill.py", "strategies/features/windows.py"):
        _edit(root, name)
        changed = source_digest(root)
        assert changed not in seen, f"editing {name} did not change the digest"
        seen.add(changed)


def test_editing_a_module_a_kernel_imports_changes_the_digest_transitively(tmp_path: Path) -> None:
    root = _project(tmp_path)
    seen = {source_digest(root)}
    # codes.py directly, units.py through codes.py, fees.py by a relative import, limits.py as a submodule
    # named in `from parity.engine import limits`, and the __init__.py of a package an import runs
    for name in ("engine/kernels/codes.py", "engine/units.py", "brokers/sim/fees.py", "engine/limits.py",
                 "engine/kernels/__init__.py"):
        _edit(root, name)
        changed = source_digest(root)
        assert changed not in seen, f"editing {name} did not change the digest"
        seen.add(changed)


def test_new_kernel_file_changes_digest(tmp_path: Path) -> None:
    root = _project(tmp_path)
    before = source_digest(root)
    # a strategy with its own kernel, importing a module no kernel imported before
    (root / "strategies" / "fast.py").write_text("from numba import njit\nfrom parity.engine.signals import Strategy\n")
    assert source_digest(root) != before
    assert _covered(root) == sorted([*FAKE_KERNEL_SOURCES, "engine/signals.py", "strategies/fast.py"])


def test_real_repository_kernel_sources() -> None:
    covered = {path.relative_to(REPO).as_posix() for path in kernel_sources(REPO)}
    for kernel_input in ("engine/kernels/step.py", "brokers/sim/matching.py", "engine/kernels/codes.py",
                         "engine/params.py", "strategies/features/windows_nb.py"):
        assert kernel_input in covered
    for unrelated in ("strategies/momentum.py", "strategies/xgboost_strategy.py", "parity/app.py",
                      "strategies/__init__.py", "brokers/alpaca/broker.py"):
        assert unrelated not in covered
    assert source_digest(REPO) == source_digest()


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
