"""Progress reporting for long jobs: a job names its stages, the caller decides how to show them.

Library code (parity.app) only calls `progress.stage(name)`; the CLI passes a rich spinner per
stage (parity.commands.console), tests pass NO_PROGRESS or a recorder.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str) -> AbstractContextManager[object]:
        """Context manager around one stage of a job ("data", "signals", "simulation", "report")."""
        ...


class _NoProgress:
    def stage(self, name: str) -> AbstractContextManager[object]:
        return nullcontext()


NO_PROGRESS: Progress = _NoProgress()
