"""Shared fixtures: template stores built once per test process (``tests.support.stores``, cheap
key derivation) and copied per test, so that no test pays for a key derivation or shares state
with another. Helpers are imported from ``tests.support``, never from this file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.programme_stores import build_programme_store
from tests.support.stores import PASSPHRASE, build_store, copy_store, today

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ROUNDTABLE_NO_LOG", "1")


@pytest.fixture(scope="session", autouse=True)
def _cheap_kdf_allowed() -> Iterator[None]:
    """Every store the suite makes uses ``tests.support.kdf.CHEAP``, below the product's floor:
    lower the floor in this process for the whole session (tests of the floor put it back)."""
    from tests.support.kdf import lower_floor

    with pytest.MonkeyPatch.context() as patch:
        lower_floor(patch)
        yield


@pytest.fixture(scope="session", autouse=True)
def _catalogues_built() -> None:
    """The compiled catalogues (.mo) are built from the committed .po, not committed themselves:
    build any that is missing or older than its .po (docs/i18n.md)."""
    from tools.i18n import compile_all

    compile_all(only_missing=True)


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coordinator store with a 40-case demo panel, built once per test process."""
    path = tmp_path_factory.mktemp("template") / "panel.rtdb"
    build_store(path, demo_cases=40)
    return path


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty-template") / "panel.rtdb"
    build_store(path)
    return path


@pytest.fixture(scope="session")
def mappa_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coordinator store of the MAPPA programme (case fields, no consent, its own words) with
    a 24-case demo panel, built once per test process."""
    return build_programme_store(tmp_path_factory.mktemp("mappa-template") / "panel.rtdb", "mappa")


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
