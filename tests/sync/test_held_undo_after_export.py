""""Mark as held" can be undone until the next exchange file, and not after."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models.errors import InvalidInput
from app.services import meetings
from app.services.meetings import minutes
from tests.support.stores import dump_store


def test_undo_is_refused_once_an_exchange_file_was_written(panel) -> None:  # type: ignore[no-untyped-def]
    hub = panel.hub
    mid = meetings.schedule_meeting(hub, held_on=dt.date.today() - dt.timedelta(days=1))
    minutes.mark_held(hub, meeting_id=mid)
    assert minutes.held_undo_refusal(hub, meeting_id=mid) is None
    panel.ship(hub, panel.police)
    refusal = minutes.held_undo_refusal(hub, meeting_id=mid)
    assert refusal is not None and "exchange file has been written" in refusal
    before = dump_store(hub)
    with pytest.raises(InvalidInput, match="can no longer be undone"):
        minutes.unmark_held(hub, meeting_id=mid)
    assert dump_store(hub) == before
    assert meetings.get_meeting(hub, meeting_id=mid).status == "held"


def test_undo_before_any_export_still_works_on_an_exchanging_store(panel) -> None:  # type: ignore[no-untyped-def]
    hub = panel.hub
    panel.ship(hub, panel.police)  # files written before the marking do not matter
    mid = meetings.schedule_meeting(hub, held_on=dt.date.today())
    minutes.mark_held(hub, meeting_id=mid)
    minutes.unmark_held(hub, meeting_id=mid)
    assert meetings.get_meeting(hub, meeting_id=mid).status == "scheduled"
