"""A content-keyed disk cache of checked `Bars` (with their `DataReport`), so that a run does not
parse and check the same source files again (the embedded dataset: ~0.4 s a run, ~0.02 s cached).

The key is a sha256 over everything the result depends on: the bytes of the source files (the
price file and the universe), the data settings that shape the result (source, timeframe,
calendar, window), the bytes of the code that reads and checks them (engine/data/*.py) and the
versions of the libraries it relies on (numpy, pandas, exchange_calendars for the sessions). Any
change gives a new key, so an entry is never stale; it is only ever used whole:

- one .npz file per key, written to a temporary name and moved into place (`os.replace`), so a
  reader never sees half a file and concurrent runs can write the same key safely;
- a file that cannot be read (truncated, corrupt, from another format) is ignored and rewritten;
- the folder (`<data.cache_dir>/bars/`, ignored by git) is safe to delete at any time; the newest
  `KEEP` entries are kept, older ones removed, so edits do not fill the disk.

Set PARITY_BARS_CACHE=off to bypass it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np

from parity.engine.data.bars import Bars
from parity.engine.data.report import BarIssue, DataReport, Split

SUBDIR = "bars"
KEEP = 8
ENV_SWITCH = "PARITY_BARS_CACHE"
FORMAT = 1  # bump when the file layout below changes
_CODE_DIR = Path(__file__).resolve().parent
_LIBRARIES = ("numpy", "pandas", "exchange_calendars")
_ARRAYS = ("open_ts", "close_ts", "session", "open", "high", "low", "close", "volume")

Loaded = tuple[Bars, DataReport]


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip().lower() not in ("0", "off", "false", "no")


def cache_key(files: Iterable[Path], settings: Mapping[str, object]) -> str | None:
    """Hex key over the files' bytes, the settings, the data code and library versions; None when a
    file cannot be read (the uncached path then reports that problem in its own words)."""
    digest = hashlib.sha256(f"parity-bars-cache {FORMAT}\n".encode())
    digest.update(json.dumps(dict(settings), sort_keys=True, default=str).encode())
    for name in _LIBRARIES:
        digest.update(f"{name}=={_version(name)}\n".encode())
    for code in sorted(_CODE_DIR.glob("*.py")):
        digest.update(code.name.encode())
        digest.update(code.read_bytes())
    try:
        for path in files:
            content = Path(path).read_bytes()
            digest.update(len(content).to_bytes(8, "little"))  # where one file ends and the next begins
            digest.update(content)
    except OSError:
        return None
    return digest.hexdigest()


def cached(cache_dir: Path, key: str | None, build: Callable[[], Loaded]) -> Loaded:
    """`build()`'s result, from `cache_dir/<key>.npz` when it holds a readable entry; else built and
    stored (best effort: a folder that cannot be written only means no cache)."""
    if key is None or not enabled():
        return build()
    path = Path(cache_dir) / f"{key}.npz"
    hit = read_entry(path)
    if hit is not None:
        return hit
    result = build()
    try:
        write_entry(path, *result)
        _prune(path.parent, keep=path)
    except OSError:
        pass
    return result


def read_entry(path: Path) -> Loaded | None:
    """The entry at `path`, or None if it is missing or cannot be read back whole."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in _ARRAYS}
            meta = json.loads(str(z["meta"]))
        report = _report_from_json(meta["report"])
        bars = Bars(symbols=tuple(meta["symbols"]), sectors=tuple(meta["sectors"]), notes=tuple(meta["notes"]),
                    **arrays)
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
        return None  # missing, truncated, corrupt or of another layout: a miss (rewritten by the caller)
    return bars, report


def write_entry(path: Path, bars: Bars, report: DataReport) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"symbols": list(bars.symbols), "sectors": list(bars.sectors), "notes": list(bars.notes),
            "report": dataclasses.asdict(report)}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # mkstemp makes it private; it is an ordinary cache file
            np.savez(out, meta=np.array(json.dumps(meta)), **{name: getattr(bars, name) for name in _ARRAYS})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _report_from_json(raw: dict) -> DataReport:
    return DataReport(
        source=raw["source"], n_bars=int(raw["n_bars"]), n_symbols=int(raw["n_symbols"]),
        missing_sessions=tuple(raw["missing_sessions"]), missing_bars=tuple(raw["missing_bars"]),
        symbol_gaps=tuple((str(s), int(n), str(first)) for s, n, first in raw["symbol_gaps"]),
        splits=tuple(Split(**s) for s in raw["splits"]),
        bar_issues=tuple(BarIssue(**b) for b in raw["bar_issues"]),
        source_notes=tuple(raw["source_notes"]),
        zero_volume=tuple((str(s), int(n), str(first)) for s, n, first in raw["zero_volume"]),
    )


def _prune(folder: Path, keep: Path) -> None:
    entries = sorted((p for p in folder.glob("*.npz") if p != keep), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP - 1:]:
        old.unlink(missing_ok=True)


def _version(name: str) -> str:
    """The installed distribution's dist-info folder name (holds the version), found next to the package
    without importing it: importlib.metadata.version scans every path entry (~50 ms a call)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return "absent"
    site = Path(spec.origin).resolve().parent.parent
    return ",".join(sorted(p.name for p in site.glob(f"{name}-*.dist-info"))) or str(site / name)
