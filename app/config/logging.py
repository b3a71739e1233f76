"""Logging: a private, size-capped log file of technical events only — never names or case text.

Log records carry event names, ids and error classes. A filter drops any record whose message was
built from argument values we have not vetted (exceptions are logged by class name only).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path


class _RedactExceptions(logging.Filter):
    """Keep tracebacks out of the file: an exception text could quote case data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            exc = record.exc_info[1]
            record.msg = f"{record.msg} [{type(exc).__name__}]"
            record.exc_info = None
            record.exc_text = None
        return True


def setup_logging(log_dir: Path | None, *, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    # Libraries' own chatter (migration plugins, engine echo) is not an event of ours.
    for noisy in ("alembic", "sqlalchemy", "keyring", "PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for h in list(root.handlers):
        if getattr(h, "_roundtable", False):
            root.removeHandler(h)
    if log_dir is None:
        return
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = log_dir / "roundtable.log"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=2, encoding="utf-8"
    )
    handler.addFilter(_RedactExceptions())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler._roundtable = True  # type: ignore[attr-defined]
    root.addHandler(handler)
