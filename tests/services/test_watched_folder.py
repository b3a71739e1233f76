"""The watched exchange folder is remembered in the encrypted store, audited, and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.models.errors import InvalidInput
from app.services import exchange, panel
from tests.support.stores import dump_store


def _settings_events(session: Any) -> list[tuple[str, ...]]:
    return [e.fields for e in panel.history(session, entity="store", record_id=session.store.store_id)
            if e.action == "settings"]


def test_remember_and_forget(session: Any, tmp_path: Path) -> None:
    assert exchange.watched_folder(session) is None
    exchange.remember_watched_folder(session, tmp_path)
    assert exchange.watched_folder(session) == tmp_path
    exchange.remember_watched_folder(session, tmp_path)  # the same folder again: nothing to record
    exchange.remember_watched_folder(session, None)
    assert exchange.watched_folder(session) is None
    events = _settings_events(session)  # newest first
    assert events.count(("watched-folder",)) == 1 and events.count(("watched-folder-cleared",)) == 1
    assert events.index(("watched-folder-cleared",)) < events.index(("watched-folder",))


@pytest.mark.parametrize("bad", [Path("relative/folder"), Path("/tmp/nul\x00here"), Path("/" + "x" * 5000)])
def test_a_path_that_cannot_be_used_is_refused_and_changes_nothing(session: Any, bad: Path) -> None:
    before = dump_store(session)
    with pytest.raises(InvalidInput):
        exchange.remember_watched_folder(session, bad)
    assert dump_store(session) == before
