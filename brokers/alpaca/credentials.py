"""Alpaca API keys: read from the environment only, never printed, never logged.

`Credentials.__repr__` hides the values, and `install_redaction` adds a logging filter that
replaces any occurrence of a key in a log record (alpaca-py and websockets log URLs and errors,
never headers, but a filter costs nothing and makes the guarantee independent of their code).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from parity.engine.config.loader import ConfigError

KEY_ENV = "APCA_API_KEY_ID"
SECRET_ENV = "APCA_API_SECRET_KEY"
REDACTED = "***"


class MissingCredentials(ConfigError):
    """The Alpaca keys are not in the environment."""


@dataclass(frozen=True)
class Credentials:
    key_id: str = field(repr=False)
    secret_key: str = field(repr=False)

    def redact(self, text: str) -> str:
        for secret in (self.secret_key, self.key_id):
            if secret:
                text = text.replace(secret, REDACTED)
        return text


def credentials_from_env(environ: "os._Environ[str] | dict[str, str] | None" = None) -> Credentials:
    env = os.environ if environ is None else environ
    key, secret = env.get(KEY_ENV, "").strip(), env.get(SECRET_ENV, "").strip()
    missing = [name for name, value in ((KEY_ENV, key), (SECRET_ENV, secret)) if not value]
    if missing:
        raise MissingCredentials(
            f"Alpaca keys missing: set {' and '.join(missing)} in the environment "
            f"(paper keys from the Alpaca dashboard; `parity paper --replay` needs none)")
    return Credentials(key, secret)


class _RedactFilter(logging.Filter):
    def __init__(self, creds: Credentials) -> None:
        super().__init__("parity-redact")
        self._creds = creds

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self._creds.redact(message)
        if clean != message or record.exc_info:
            record.msg, record.args = clean, None
            if record.exc_info and record.exc_info[1] is not None:
                # Formatted tracebacks include str(exc); keep the type, drop a leaking text.
                text = self._creds.redact(str(record.exc_info[1]))
                if text != str(record.exc_info[1]):
                    record.exc_info, record.exc_text = None, None
                    record.msg = f"{clean} ({text})"
        return True


_LOGGERS = ("", "alpaca", "websockets", "urllib3", "parity", "brokers", "engine")


def install_redaction(creds: Credentials, logger_names: tuple[str, ...] = _LOGGERS) -> None:
    """Add a filter that masks the keys to every handler of the named loggers (idempotent)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        targets = [logger, *logger.handlers]
        for target in targets:
            if not any(isinstance(f, _RedactFilter) for f in target.filters):
                target.addFilter(_RedactFilter(creds))
