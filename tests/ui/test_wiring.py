"""The documents and import dialogs are reachable from their screens; Reports is honest."""

from __future__ import annotations

from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.documents import pack_dialog


def test_import_wizard_opens_from_referrals(demo_ui) -> None:
    screen = demo_ui.win.show_screen("Referrals")
    demo_ui.idle()
    screen.import_button.click()
    assert isinstance(screen.import_wizard, ImportWizard) and screen.import_wizard.isVisible()
    screen.import_wizard.reject()


def test_print_plan_and_minutes_reach_the_documents_dialogs(demo_ui, monkeypatch) -> None:
    calls: list[tuple[str, str, bool]] = []
    monkeypatch.setattr(pack_dialog, "print_plan", lambda parent, session, cid, **_k: calls.append(("plan", cid, False)))
    monkeypatch.setattr(pack_dialog, "print_minutes",
                        lambda parent, session, mid, summary=False, **_k: calls.append(("minutes", mid, summary)))
    win = demo_ui.win
    win.show_screen("Cases")
    demo_ui.idle()
    from app.services import cases as case_service

    # a case with a plan (one without says so before any file dialog: tests/ui/test_smaller_things.py)
    cid = next(c for c in demo_ui.tasks.call_sync(lambda: case_service.list_case_ids(demo_ui.session))
               if demo_ui.tasks.call_sync(lambda c=c: case_service.get_case_file(
                   demo_ui.session, c, audit_view=False)).current_plan is not None)
    win.open_case(cid)
    demo_ui.idle()
    win.act_print.trigger()  # Ctrl+P on an open case
    meetings = win.show_screen("Meetings")
    demo_ui.idle()
    ed = meetings.editor
    ed.summary_button.click()
    win.act_print.trigger()  # Ctrl+P on Meetings
    assert calls == [("plan", cid, False), ("minutes", ed.meeting_id, True), ("minutes", ed.meeting_id, False)]


def test_retention_review_is_offered_only_to_the_hub_coordinator(demo_ui) -> None:
    from app.services import panel

    assert demo_ui.win.act_retention.isEnabled()
    officer = next(m for m in panel.list_members(demo_ui.session) if m.role.value == "officer")
    other = demo_ui.window_as(officer.id, is_hub=False)
    demo_ui.idle()
    assert not other.act_retention.isEnabled()
