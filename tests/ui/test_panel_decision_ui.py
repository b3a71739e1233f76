"""The case screen records a panel decision with the meeting it was taken at (issue 18).

A transition with ``panel_decision = true`` (Channel's adoption and non-adoption) offers the held
meetings that had the case on their agenda; the chosen one is kept with the status change and the
History reads "decided by the panel at the meeting of 12 March 2026". With no such meeting the
screen says so in one sentence and the change cannot be sent."""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import Qt

from tests.support.ui import click


def _to_panel(s, surname: str) -> str:  # type: ignore[no-untyped-def]
    from app.models import rules
    from app.models.referral_input import ReferralInput, SubjectInput
    from app.services.cases import lifecycle, referrals

    prog = s.programme
    cid = referrals.open_referral(
        s,
        subject=SubjectInput(forenames="Kieran", surname=surname, date_of_birth=dt.date(2009, 2, 11)),
        referral=ReferralInput(received=dt.date(2026, 2, 2), referrer="Head of year",
                                     sector=prog.sectors[0].label, concern=prog.concerns[0].label,
                                     narrative="Sharing extremist videos in class."),
    )
    for source, target in itertools.pairwise(rules.path_to(prog, "panel-assessment")):
        if prog.status(source).stage == "screening":
            outcome = next(o for o in prog.screening_outcomes if o.target == target)
            lifecycle.screen_case(s, case_id=cid, outcome=outcome.id, rationale="Gateway agreed.")
        else:
            lifecycle.change_status(s, case_id=cid, status=target, rationale="Ready.")
    return str(cid)


def _held(s, day: dt.date, cid: str) -> str:  # type: ignore[no-untyped-def]
    from app.services import meetings
    from app.services.meetings import minutes

    mid = meetings.schedule_meeting(s, held_on=day, case_ids=[cid])
    meetings.record_confidentiality(s, meeting_id=mid, read=True)
    minutes.mark_held(s, meeting_id=mid)
    return str(mid)


def test_the_case_screen_records_the_meeting_a_panel_decision_was_taken_at(empty_ui, qtbot) -> None:  # type: ignore[no-untyped-def]
    h, win = empty_ui, empty_ui.win
    s = h.session
    prog = s.programme

    def prepare() -> tuple[str, str, str]:
        cid = _to_panel(s, "Holt")
        march = _held(s, dt.date(2026, 3, 12), cid)
        november = _held(s, dt.date(2026, 11, 26), cid)
        return cid, march, november

    cid, march, november = h.tasks.call_sync(prepare)
    win.open_case(cid)
    h.idle()
    view = win.screens["Cases"].view
    summary = view.summary
    summary.transition.setCurrentIndex(summary.transition.findData(prog.adopted_status))
    h.idle()
    # both held meetings offered, newest first, and the newest undecided one chosen
    assert not summary.meeting.isHidden()
    assert [summary.meeting.itemData(i) for i in range(summary.meeting.count())] == [november, march]
    assert summary.meeting.currentData() == november
    assert summary.meeting.itemText(1).startswith("12 March 2026")
    # the panel decided at the March meeting
    summary.meeting.setCurrentIndex(summary.meeting.findData(march))
    qtbot.keyClicks(summary.rationale, "The panel agreed support is needed.")
    click(qtbot, summary.change_button)
    h.idle()
    assert view.case_file.case.status == prog.adopted_status, summary.status_error.text()
    changes = h.tasks.call_sync(lambda: _changes(s, cid))
    assert changes[-1]["meeting_id"] == march
    # a step that is not the panel's decision shows no meeting choice
    assert summary.meeting.isHidden() and summary.no_meeting.isHidden()
    # the History says where the panel decided
    view.tabs.setCurrentWidget(view.history)
    h.idle()
    model = view.history.table.model()
    qtbot.waitUntil(lambda: model.rowCount() > 0)
    texts = [str(model.index(r, model.columnCount() - 1).data(Qt.ItemDataRole.DisplayRole))
             for r in range(model.rowCount())]
    adopted = [t for t in texts if t.startswith("Status changed") and prog.status_label(prog.adopted_status) in t]
    assert adopted and "decided by the panel at the meeting of 12 March 2026" in adopted[0], texts


def test_with_no_meeting_held_the_screen_says_so_and_sends_nothing(empty_ui, qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.support.stores import dump_store

    h, win = empty_ui, empty_ui.win
    s = h.session
    prog = s.programme
    cid = h.tasks.call_sync(lambda: _to_panel(s, "Marsh"))
    win.open_case(cid)
    h.idle()
    summary = win.screens["Cases"].view.summary
    summary.transition.setCurrentIndex(summary.transition.findData(prog.adopted_status))
    h.idle()
    assert summary.meeting.isHidden()
    assert not summary.no_meeting.isHidden()
    assert "panel's decision" in summary.no_meeting.text() and "none has been" in summary.no_meeting.text()
    assert not summary.change_button.isEnabled()
    before = h.tasks.call_sync(lambda: dump_store(s))
    qtbot.keyClicks(summary.rationale, "I think so.")
    summary.change_button.click()  # disabled: nothing is sent
    h.idle()
    assert h.tasks.call_sync(lambda: dump_store(s)) == before
    # another step from here that is not the panel's decision is not held back
    others = [t for t in summary.allowed_targets() if t != prog.adopted_status
              and not any(x.panel_decision for x in prog.transitions if x.target == t)]
    if others:
        summary.transition.setCurrentIndex(summary.transition.findData(others[0]))
        assert summary.change_button.isEnabled() and summary.no_meeting.isHidden()


def _changes(s, cid: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from app.storage import repo

    with s.view() as conn:
        return [dict(r._mapping) for r in repo.rows_for_case(conn, "status_change", cid, "at")]
