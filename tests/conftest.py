"""Shared fixtures: a template store built once per test process (cheap key derivation) and
copied per test, so that no test pays for a key derivation or shares state with another."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ROUNDTABLE_NO_LOG", "1")

PASSPHRASE = "correct horse battery"
TODAY = dt.date(2026, 11, 30)


def today() -> dt.date:
    return TODAY


def _build(path: Path, *, demo_cases: int) -> None:
    from app.crypto.keyfile import KdfParams
    from app.models.enums import Role
    from app.services import demo, setup

    created = setup.create_store(
        path,
        passphrase=PASSPHRASE,
        name="Ann Coordinator",
        agency="Northshire County Council",
        role=Role.COORDINATOR,
        panel="Northshire Extremism Risk Panel",
        kdf=KdfParams.cheap(),
        today_fn=today,
    )
    if demo_cases:
        demo.build_demo(created.session, cases=demo_cases, seed=7)
    created.session.close()


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coordinator store with a 40-case demo panel, built once per test process."""
    path = tmp_path_factory.mktemp("template") / "panel.rtdb"
    _build(path, demo_cases=40)
    return path


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty-template") / "panel.rtdb"
    _build(path, demo_cases=0)
    return path


@pytest.fixture(scope="session")
def mappa_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coordinator store of the MAPPA programme (case fields, no consent, its own words) with
    a 24-case demo panel, built once per test process."""
    from tests.support.programme_stores import build_programme_store

    return build_programme_store(tmp_path_factory.mktemp("mappa-template") / "panel.rtdb", "mappa")


def copy_store(src: Path, dest_dir: Path) -> Path:
    from app.storage.store import key_path

    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / src.name
    shutil.copy2(src, dest)
    shutil.copy2(key_path(src), key_path(dest))
    return dest


@pytest.fixture
def store_path(template_store: Path, tmp_path: Path) -> Path:
    return copy_store(template_store, tmp_path / "store")


@pytest.fixture
def session(store_path: Path) -> Iterator[object]:
    from app.services.setup import unlock

    s = unlock(store_path, passphrase=PASSPHRASE, today_fn=today)
    yield s
    if s.store.is_open:
        s.close()


@pytest.fixture
def empty_session(empty_template: Path, tmp_path: Path) -> Iterator[object]:
    from app.services.setup import unlock

    s = unlock(
        copy_store(empty_template, tmp_path / "store"), passphrase=PASSPHRASE, today_fn=today
    )
    yield s
    if s.store.is_open:
        s.close()


@pytest.fixture
def msession(mappa_template: Path, tmp_path: Path) -> Iterator[object]:
    """An unlocked copy of the MAPPA template (beside ``session``'s store, never in its place)."""
    from app.services.setup import unlock

    s = unlock(copy_store(mappa_template, tmp_path / "mappa-store"), passphrase=PASSPHRASE, today_fn=today)
    yield s
    if s.store.is_open:
        s.close()


def dump_store(session: object) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for 'the store is unchanged' checks."""
    from sqlalchemy import select

    from app.storage.schema import metadata

    out: dict[str, list[tuple[object, ...]]] = {}
    with session.view() as conn:  # type: ignore[attr-defined]
        for name, table in metadata.tables.items():
            out[name] = sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
    return out
