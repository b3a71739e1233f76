"""A store that cannot grow (a full disk) refuses the change with a clear message and keeps
everything as it was; once there is room again the same change goes through."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from app.models.errors import StoreFull
from app.services import cases, contributions, panel
from tests.support.stores import dump_store


def _cap_growth(session: Any, pages: int | None) -> None:
    """SQLite's page cap stands in for a full disk: the same SQLITE_FULL error, without filling
    the test machine's disk."""
    with session.store.db.write() as conn:
        n = pages if pages is not None else int(conn.execute(text("PRAGMA page_count")).scalar_one())
        conn.execute(text(f"PRAGMA max_page_count = {n}"))


def test_a_full_disk_says_so_and_the_change_goes_through_once_there_is_room(session: Any) -> None:
    cid = cases.list_case_ids(session)[0]
    _cap_growth(session, None)
    with pytest.raises(StoreFull, match="disk that holds the store is full") as raised:
        for _ in range(40):  # each note a page or more; the store soon needs a new one
            contributions.add_contribution(session, case_id=cid, text="Information shared. " * 900)
    assert "nothing was saved" in raised.value.user_message and raised.value.exit_code == 1
    _cap_growth(session, 1_073_741_823)  # room again
    contributions.add_contribution(session, case_id=cid, text="After the disk was cleared.")
    file = cases.get_case_file(session, cid, audit_view=False)
    assert any(c.text == "After the disk was cleared." for c in file.contributions)


def test_a_refused_write_leaves_the_store_exactly_as_it_was(session: Any) -> None:
    cid = cases.list_case_ids(session)[0]
    _cap_growth(session, None)
    for _ in range(40):  # fill to the cap: the last attempt is the one refused
        before = dump_store(session)
        try:
            contributions.add_contribution(session, case_id=cid, text="Information shared. " * 900)
        except StoreFull:
            assert dump_store(session) == before
            break
    else:
        pytest.fail("the store never filled")
    assert panel.verify_audit(session).ok
