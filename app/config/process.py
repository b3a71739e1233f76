"""Process hardening run first by every entry point: private file mode and a private log."""

from __future__ import annotations

import os

_prepared = False


def prepare_process() -> None:
    """``umask 077`` so every file this process creates is private; set up the private log."""
    global _prepared
    if _prepared:
        return
    if os.name == "posix":
        os.umask(0o077)
    from app.config.logging import setup_logging
    from app.config.paths import log_dir

    try:
        setup_logging(None if os.environ.get("ROUNDTABLE_NO_LOG") else log_dir())
    except OSError:
        setup_logging(None)
    _prepared = True
