"""Telling a damaged or failing store: which driver errors mean a damaged file, where the damage
is (the first bad page and the table it belongs to, from ``cipher_integrity_check`` then
``integrity_check``), the one sentence that says so, and the write failures (a full disk, a failing
drive) told apart from other errors. Used by ``app.storage.db`` and the integrity check service.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from app.models.errors import StoreFull, StoreWriteFailed


def is_read_only_error(exc: BaseException) -> bool:
    """SQLITE_READONLY: the file, its folder or its disk cannot be written."""
    orig = getattr(exc, "orig", None) or exc
    return getattr(orig, "sqlite_errorcode", None) == 8 or "readonly database" in str(orig).lower()


def is_corruption(exc: BaseException) -> bool:
    """A damaged page or a file that is not (or no longer) this database: SQLITE_CORRUPT (11),
    SQLITE_NOTADB (26), or SQLCipher's HMAC failure."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlite_errorcode", None) in (11, 26):
        return True
    text = str(orig).lower()
    return any(
        m in text for m in ("malformed", "file is not a database", "hmac", "database corrupt")
    )


@dataclass(frozen=True)
class Damage:
    """The first problem found in a store file: the page (1-based; 0 when no page is named),
    the number of pages, the table the page belongs to when known, and what is wrong."""

    page: int
    pages: int
    table: str | None
    problem: str

    def where(self) -> str:
        if self.page <= 0:
            return self.problem
        part = f"page {self.page} of {self.pages}"
        if self.table:
            part += f", in the {_TABLE_WORDS.get(self.table, self.table + ' table')}"
        return f"{part}: {self.problem}"


_TABLE_WORDS = {"audit": "audit log", "meta": "store settings", "op_log": "change log"}
_PAGE = re.compile(r"page (\d+)", re.IGNORECASE)
_TREE_PAGE = re.compile(r"Tree (\d+) page (\d+)")


def corrupt_message(found: Damage | None) -> str:
    where = f" ({found.where()})" if found is not None else ""
    return (
        f"The store file is damaged{where}: nothing was changed. Restore the latest backup "
        "(roundtable restore, or File › Restore in the desktop client)."
    )


def find_damage(
    raw: sqlcipher3.Connection,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> Damage | None:
    tell = progress or (lambda step, steps: None)
    page_size = 4096
    size = path.stat().st_size if path.exists() else 0
    on_disk = size // page_size
    tell(0, 3)
    try:
        pages = int(raw.execute("PRAGMA page_count").fetchone()[0])
    except sqlcipher3.DatabaseError:
        pages = on_disk
    if size % page_size:
        return Damage(on_disk + 1, max(pages, on_disk + 1), None, "the file is cut short in this page")
    tell(1, 3)
    try:
        rows = [str(r[0]) for r in raw.execute("PRAGMA cipher_integrity_check").fetchall()]
    except sqlcipher3.DatabaseError as exc:
        rows = [str(exc)]
    bad_hmac = next((r for r in rows if _PAGE.search(r)), None)
    tell(2, 3)
    try:
        checked = raw.execute("PRAGMA integrity_check").fetchall()
        report = "\n".join(str(r[0]) for r in checked)
    except sqlcipher3.DatabaseError as exc:
        report = str(exc)
    tell(3, 3)
    if bad_hmac is not None:
        page = int(_PAGE.search(bad_hmac).group(1))  # type: ignore[union-attr]
        if page > on_disk:
            return Damage(page, pages, None, "the file is cut short before this page")
        return Damage(page, pages, _table_of(raw, report, page), "it fails its integrity check")
    if any(r.strip() for r in rows):
        return Damage(0, pages, None, rows[0])
    if report.strip() == "ok":
        return None
    m = _PAGE.search(report)
    page = int(m.group(1)) if m else 0
    return Damage(page, pages, _table_of(raw, report, page), "its structure is not valid")


def _table_of(raw: sqlcipher3.Connection, report: str, page: int) -> str | None:
    """The table whose tree holds ``page``, from SQLite's report and the schema (if readable)."""
    roots = {int(p): int(r) for r, p in _TREE_PAGE.findall(report)}
    root = roots.get(page)
    if root is None:
        return None
    try:
        row = raw.execute(
            "SELECT tbl_name FROM sqlite_master WHERE rootpage = ?", (root,)
        ).fetchone()
    except sqlcipher3.DatabaseError:
        return None
    return str(row[0]) if row else None


def write_failure(exc: Exception) -> StoreWriteFailed | None:
    """A disk that is full or failing, from the driver's error (SQLITE_FULL, SQLITE_IOERR); None
    for anything else, which is a fault to report as it is."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "database or disk is full" in text:
        return StoreFull()
    if "disk i/o error" in text:
        return StoreWriteFailed()
    return None
