"""Stores for tests: the one function that builds a coordinator store (cheap key derivation, an
optional demo panel), copying a built store, and every row of a store for "unchanged" checks.

``tests/conftest.py`` builds its templates with ``build_store`` once per test process and each
test gets a copy, so no test pays for a key derivation or shares state with another."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

PASSPHRASE = "correct horse battery"
TODAY = dt.date(2026, 11, 30)


def today() -> dt.date:
    return TODAY


def build_store(path: Path, *, programme: str | None = None, panel: str | None = None,
                demo_cases: int = 0, seed: int = 7) -> Path:
    """A coordinator store at ``path`` (Ann Coordinator of Northshire County Council) with
    ``demo_cases`` demo cases; ``programme`` ``None`` is the default programme."""
    from app.models.enums import Role
    from app.services import demo, setup
    from tests.support.kdf import CHEAP

    extra = {} if programme is None else {"programme": programme}
    created = setup.create_store(
        path,
        passphrase=PASSPHRASE,
        name="Ann Coordinator",
        agency="Northshire County Council",
        role=Role.COORDINATOR,
        panel=panel or "Northshire Extremism Risk Panel",
        kdf=CHEAP,
        today_fn=today,
        **extra,  # type: ignore[arg-type]
    )
    if demo_cases:
        demo.build_demo(created.session, cases=demo_cases, seed=seed)
    created.session.close()
    return path


def copy_store(src: Path, dest_dir: Path) -> Path:
    from app.storage.store_files import key_path

    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / src.name
    shutil.copy2(src, dest)
    shutil.copy2(key_path(src), key_path(dest))
    return dest


def dump_store(session: object) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for 'the store is unchanged' checks."""
    from sqlalchemy import select

    from app.storage.schema import metadata

    out: dict[str, list[tuple[object, ...]]] = {}
    with session.view() as conn:  # type: ignore[attr-defined]
        for name, table in metadata.tables.items():
            out[name] = sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
    return out
