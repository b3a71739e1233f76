"""The meeting editor records that the confidentiality statement was read and agreed by those
present (issue 18): one checkbox on the Attendance tab, saved as it is ticked."""

from __future__ import annotations

import datetime as dt

from app.services import meetings
from tests.support.stores import TODAY


def test_meeting_editor_records_the_confidentiality_statement_read(demo_ui) -> None:  # type: ignore[no-untyped-def]
    h, win = demo_ui, demo_ui.win
    mid = h.tasks.call_sync(lambda: meetings.schedule_meeting(h.session, held_on=TODAY + dt.timedelta(days=7)))
    mts = win.show_screen("Meetings")
    h.idle()
    ed = mts.open_editor(mid)
    h.idle()
    box = ed.statement_read
    assert box.accessibleName() == "Confidentiality statement read and agreed by those present"
    assert box.isEnabled() and not box.isChecked()
    box.setChecked(True)
    h.idle()
    assert h.tasks.call_sync(lambda: meetings.get_meeting(h.session, meeting_id=mid)).confidentiality_read
    assert ed.view is not None and ed.view.meeting.confidentiality_read and box.isChecked()
