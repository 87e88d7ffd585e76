"""Which errors are the user's to fix (shown as one line each, exit code 2) rather than bugs."""

from __future__ import annotations

from parity.engine.config import ConfigError
from parity.engine.data.errors import DataError

# OSError covers files that cannot be read or written (missing, permissions, disk full) and
# parity.reports.writer.RunFolderExistsError (a FileExistsError): the message names the path, and a
# traceback would not help the user. (reports.* is not imported here: it pulls in vectorbt, and
# `parity --help` should stay quick.)
USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, DataError, OSError)
EXIT_USER_ERROR = 2


def error_lines(exc: BaseException) -> list[str]:
    """One line per problem (a ConfigError may hold several), never empty."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines or [type(exc).__name__]
