"""The whole panel cycle through the window: first run, referral, screening, assessment, meeting
with decision and actions, plan approved by the chair, action updated by its owning agency."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from PySide6.QtCore import QDate, Qt

from app.models.enums import Attendance, Role
from app.services import panel, setup
from tests.support.kdf import CHEAP
from tests.support.stores import TODAY, today
from tests.support.ui import click


def test_first_run_creates_a_store_and_shows_the_recovery_key_once(qtbot, isolated_env) -> None:
    from app.ui.dialogs.first_run import FirstRunDialog
    from app.ui.tasks import TaskManager

    tasks = TaskManager()
    path = isolated_env / "panel.rtdb"
    dlg = FirstRunDialog(tasks, path, create_fn=functools.partial(setup.create_store, kdf=CHEAP, today_fn=today))
    qtbot.addWidget(dlg)
    qtbot.keyClicks(dlg.name, "Ann Coordinator")
    qtbot.keyClicks(dlg.agency, "Northshire County Council")
    qtbot.keyClicks(dlg.panel, "Northshire Panel")
    qtbot.keyClicks(dlg.passphrase, "short")
    click(qtbot, dlg.create_button)
    assert "Too short" in dlg.error.text()
    dlg.passphrase.clear()
    qtbot.keyClicks(dlg.passphrase, "four unrelated words here")
    qtbot.keyClicks(dlg.repeat, "four unrelated words here")
    click(qtbot, dlg.create_button)
    qtbot.waitUntil(lambda: dlg.session is not None, timeout=10_000)
    key = dlg.recovery.text()
    assert len(key) > 20 and not dlg.finish_button.isEnabled()
    dlg.confirm.setChecked(True)
    click(qtbot, dlg.finish_button)
    assert dlg.result() == dlg.DialogCode.Accepted
    assert dlg.recovery.text() == ""  # shown once
    assert dlg.session.me.role is Role.COORDINATOR
    tasks.call_sync(dlg.session.close)
    tasks.shutdown()
    assert path.exists()


@pytest.mark.slow
def test_whole_cycle(empty_ui, qtbot) -> None:
    h, win = empty_ui, empty_ui.win
    s = h.session
    # --- the panel: a police agency, its officer for the North area, and a chair ----------------
    pnl = win.show_screen("Panel")
    h.idle()
    qtbot.keyClicks(pnl.agency_name, "Northshire Police")
    qtbot.keyClicks(pnl.agency_short, "NP")
    pnl.agency_sector.setCurrentIndex(pnl.agency_sector.findData("police"))
    click(qtbot, pnl.add_agency)
    h.idle()
    police = next(a for a in h.ctx.snap.agencies if a.short == "NP")
    for name, role, area in (("PC Jo Officer", Role.OFFICER, "North"), ("Cllr Yvonne Chair", Role.CHAIR, "")):
        qtbot.keyClicks(pnl.member_name, name)
        pnl.member_agency.setCurrentIndex(pnl.member_agency.findData(police.id if role is Role.OFFICER else s.agency.id))
        pnl.member_role.setCurrentIndex(pnl.member_role.findData(role))
        pnl.member_area.setText(area)
        click(qtbot, pnl.add_member)
        h.idle()
    officer = next(m for m in h.ctx.snap.members if m.role is Role.OFFICER)
    chair = next(m for m in h.ctx.snap.members if m.role is Role.CHAIR)

    # --- a referral -----------------------------------------------------------------------------
    refs = win.show_screen("Referrals")
    h.idle()
    win.act_new.trigger()
    form = refs.form
    form.forenames.setText("Zoë")  # QTest.keyClicks aborts on non-ASCII characters
    form.surname.setText("Ó Súilleabháin")
    qtbot.keyClicks(form.dob, "03/04/2009")
    qtbot.keyClicks(form.area, "North")
    qtbot.keyClicks(form.referrer, "Head of year, Northshire Academy")
    form.sector.setCurrentIndex(form.sector.findData("education"))
    form.lead.setCurrentIndex(form.lead.findData(police.id))
    qtbot.keyClicks(form.narrative, "Shared extremist material with classmates.")
    click(qtbot, form.save_button)
    h.idle()
    qtbot.waitUntil(lambda: refs.model.rowCount() == 1)
    assert refs._current is not None
    case_id = refs._current.case.id
    assert form.surname.text() == ""  # the form clears only once saved
    # --- screening ------------------------------------------------------------------------------
    click(qtbot, refs.send_button)  # to the police gateway (the programme's first step) ...
    h.idle()
    qtbot.waitUntil(lambda: refs._current is not None and refs._current.case.status != s.programme.initial_status)
    while not refs.record_button.isEnabled():  # ... and on to screening once they have assessed it
        click(qtbot, refs.send_button)
        h.idle()
    qtbot.waitUntil(lambda: refs.record_button.isEnabled())
    refs.outcome.setCurrentIndex(refs.outcome.findData("suitable") if refs.outcome.findData("suitable") >= 0 else 0)
    outcome = refs.outcome.currentData()
    qtbot.keyClicks(refs.rationale, "Vulnerable young person; the concern meets the threshold.")
    click(qtbot, refs.record_button)
    h.idle()
    assert refs.model.rowCount() == 0
    target = s.programme.screening_outcome(outcome).target
    # --- the case: to panel, then an assessment -------------------------------------------------
    win.open_case(case_id)
    h.idle()
    view = win.screens["Cases"].view
    assert view.summary.allowed_targets() and all(t for t in view.summary.allowed_targets())
    assert view.status_chip.text() == s.programme.status_label(target)
    while "panel-assessment" not in (view.case_file.case.status,):
        summary = view.summary
        nxt = summary.allowed_targets()[0]
        summary.transition.setCurrentIndex(summary.transition.findData(nxt))
        qtbot.keyClicks(summary.rationale, "Information gathered from partners.")
        click(qtbot, summary.change_button)
        h.idle()
        assert view.case_file.case.status == nxt, summary.status_error.text()
    view.tabs.setCurrentIndex(1)
    click(qtbot, view.assessment.new_button)
    editor = view.assessment.editor_page
    first = next(iter(editor.rows.values()))
    first[0].setCurrentIndex(first[0].count() - 1)
    qtbot.keyClicks(first[1], "Teacher's account of the material shared.")
    editor.level.setCurrentIndex(editor.level.findData("high"))
    qtbot.keyClicks(editor.overall, "Engaged and searching for belonging; intent unclear.")
    win.act_save.trigger()  # Ctrl+S saves the version
    h.idle()
    assert len(view.case_file.assessments) == 1 and view.case_file.assessments[0].risk_level == "high"

    # --- a meeting: agenda from proposals, attendance, minutes, an action raised ----------------
    mts = win.show_screen("Meetings")
    h.idle()
    mts.when.setDate(QDate(2026, 12, 3))
    mts.venue.setText("Civic Centre")
    mts.chair.setCurrentIndex(mts.chair.findData(chair.id))
    click(qtbot, mts.schedule_button)
    h.idle()
    ed = mts.editor
    assert ed.proposals.count() == 1
    click(qtbot, ed.add_proposed)
    h.idle()
    assert len(ed.view.meeting.agenda) == 1
    ed.set_attendance(s.me.id, Attendance.PRESENT)
    h.idle()
    assert "police" in ed.warning.text().lower()  # the police officer for the North is not present
    ed.set_attendance(officer.id, Attendance.PRESENT)
    h.idle()
    assert "police" not in ed.warning.text().lower()
    ed.tabs.setCurrentIndex(2)
    qtbot.keyClicks(ed.discussion, "Partners shared what they know.")
    qtbot.keyClicks(ed.decision, "Adopt the case.")
    qtbot.keyClicks(ed.rationale, "Risk is high and support is likely to help.")
    click(qtbot, ed.save_minutes_button)
    h.idle()
    assert ed.view.meeting.agenda[0].decision == "Adopt the case."
    qtbot.keyClicks(ed.action_title, "Home visit with the family")
    ed.action_agency.setCurrentIndex(ed.action_agency.findData(police.id))
    ed.action_due.setDate(QDate(2026, 11, 27))  # already past: overdue today (30/11/2026)
    click(qtbot, ed.raise_button)
    h.idle()
    assert len(ed.view.actions) == 1
    action_id = ed.view.actions[0].id
    click(qtbot, ed.held_button)
    h.idle()
    # the date is ahead of today: asked first; adoption is the panel's decision at a held meeting
    assert ed.held_prompt is not None and ed.held_confirm is not None
    click(qtbot, ed.held_confirm)
    h.idle()
    assert ed.view.meeting.status == "held"

    # --- adopted, with a plan linked to the action ----------------------------------------------
    win.open_case(case_id)
    h.idle()
    summary = view.summary
    summary.transition.setCurrentIndex(summary.transition.findData(s.programme.adopted_status))
    qtbot.keyClicks(summary.rationale, "Panel decision 03/12/2026.")
    click(qtbot, summary.change_button)
    h.idle()
    assert view.case_file.case.status == s.programme.adopted_status
    view.tabs.setCurrentIndex(3)
    click(qtbot, view.plan.new_button)
    pe = view.plan.editor
    _heading, text, action, _ = pe.rows[0]
    qtbot.keyClicks(text, "Family support and mentoring")
    action.setCurrentIndex(action.findData(action_id))
    click(qtbot, pe.save_button)
    h.idle()
    plan = view.case_file.current_plan
    assert plan is not None and plan.objectives[0].action_ids == (action_id,)
    assert not view.plan.approve_button.isEnabled()  # the coordinator cannot approve

    # --- the chair approves (at the coordinator's workstation) ----------------------------------
    chair_win = h.window_as(chair.id, is_hub=True)
    chair_win.open_case(case_id)
    h.idle()
    cview = chair_win.screens["Cases"].view
    cview.tabs.setCurrentIndex(3)
    click(qtbot, cview.plan.approve_button)
    h.idle()
    assert cview.case_file.current_plan.approved_by == chair.id
    assert "Approved" in cview.plan.approval.text()

    # --- the police officer updates the action; it leaves the overdue list ----------------------
    officer_win = h.window_as(officer.id, is_hub=False)
    dash = officer_win.screens["Dashboard"]
    officer_win.show_screen("Dashboard")
    h.idle()
    assert [a.id for a in dash.data.my_overdue] == [action_id]
    acts = officer_win.show_screen("Actions")
    h.idle()
    acts.show_my_overdue()
    h.idle()
    assert acts.model.rowCount() == 1
    acts.model.setData(acts.model.index(0, 0), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    acts.new_status.setCurrentIndex(acts.new_status.findText("Done"))
    qtbot.keyClicks(acts.note, "Visit done on 29/11.")
    click(qtbot, acts.apply_button)
    h.idle()
    assert acts.error.text() == ""
    qtbot.waitUntil(lambda: acts.model.rowCount() == 0)
    officer_win.show_screen("Dashboard")
    h.idle()
    assert dash.data.my_overdue == ()
    # and the coordinator's case view shows it done
    h.idle()
    assert panel.case_history(s, case_id=case_id)
    assert dt.date(2026, 11, 30) == TODAY
