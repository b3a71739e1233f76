"""Checking a store file page by page (``roundtable check``, Records › Check the store file…).

SQLCipher's ``cipher_integrity_check`` verifies every page's HMAC (a page changed, zeroed or
truncated on disk fails it); SQLite's ``integrity_check`` verifies the structure. The check only
reads: it changes nothing and records nothing (a damaged store may not take a write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.services.context import Session
from app.storage.damage import Damage, corrupt_message


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    pages: int
    first_bad_page: int | None
    message: str


def check_store(
    session: Session, *, progress: Callable[[int, int], None] | None = None
) -> CheckResult:
    """Every page of the open store; ``progress(step, steps)`` as the checks go."""
    found: Damage | None = session.store.db.damage(progress)
    if found is None:
        pages = session.store.db.page_count()
        return CheckResult(True, pages, None, f"The store file is whole: {pages} pages checked.")
    return CheckResult(False, found.pages, found.page or None, corrupt_message(found))
