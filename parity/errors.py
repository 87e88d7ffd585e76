"""Which errors are the user's to fix (shown as one line each, exit code 2) rather than bugs."""

from __future__ import annotations

from engine.config import ConfigError
from engine.data.errors import DataError
from reports.writer import RunFolderExistsError

# OSError covers files that cannot be read or written (missing, permissions, disk full): the
# message names the path, and a traceback would not help the user.
USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, DataError, RunFolderExistsError, OSError)
EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def error_lines(exc: BaseException) -> list[str]:
    """One line per problem (a ConfigError may hold several), never empty."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines or [type(exc).__name__]
