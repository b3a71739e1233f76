"""What an export or an import did: the records the API returns (and the screen shows).

Invariants: frozen; ``ImportReport.reason`` is one sentence for the user, never a name from a
case."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.models.errors import AppError, SecurityAlert
from app.storage.files import Staged

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    bundle_id: str
    sequence: int
    operations: int
    cases: int
    evicted: int
    held_back: int
    staged: Staged | None = None  # the finished file, put in place once the export is committed


# --- import -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportReport:
    """What an import did. ``outcome``: applied | duplicate | superseded | rejected | kept-aside."""

    path: Path
    outcome: str
    reason: str = ""
    security_alert: bool = False
    sender: str = ""
    sender_name: str = ""
    sequence: int = 0
    applied: int = 0
    duplicates: int = 0
    waiting: int = 0
    released: int = 0
    conflicts_opened: tuple[str, ...] = ()
    evicted: int = 0
    registry_version: int = 0
    refused: tuple[str, ...] = ()  # operations refused one by one, with why
    # set when the audit witnesses disagree (docs/sync.md): the file was applied, but this store's
    # audit log or the sender's is not what the last exchange said it was
    audit_warning: str = ""
    revoked: bool = False  # this workstation's membership is revoked (docs/sync.md)

    @property
    def ok(self) -> bool:
        return self.outcome in ("applied", "duplicate", "superseded")


def rejected(path: Path, exc: AppError, **kw: object) -> ImportReport:
    alert = isinstance(exc, SecurityAlert)
    log.warning("exchange file rejected%s: %s", " (security alert)" if alert else "", exc.user_message)
    return ImportReport(path, "rejected", exc.user_message, alert, **kw)  # type: ignore[arg-type]
