"""The police gateway assessment on the screens (issue 18): the referral screen sends a referral
to the police gateway and then to screening, by the programme's own steps; the referral and the
case screens say who holds the step and when it is due; the dashboard says when it is overdue."""

from __future__ import annotations

import datetime as dt

from tests.support.ui import click

STEP = "police-assessment"  # extremism.toml


def test_the_police_step_is_sent_shown_and_overdue_on_the_dashboard(empty_ui, qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.models import rules
    from app.models.referral_input import ReferralInput, SubjectInput
    from app.services import cases, panel
    from app.services.cases import referrals

    h, win = empty_ui, empty_ui.win
    s = h.session
    prog = s.programme

    def prepare() -> str:
        panel.add_agency(s, name="Counter Terrorism Policing North East", short="CTP", sector="ct-police")
        return str(referrals.open_referral(
            s,
            subject=SubjectInput(forenames="Kieran", surname="Holt", date_of_birth=dt.date(2009, 2, 11)),
            referral=ReferralInput(received=s.today(), referrer="Head of year",
                                         sector=prog.sectors[0].label, concern=prog.concerns[0].label,
                                         narrative="Sharing extremist videos in class."),
        ))

    cid = h.tasks.call_sync(prepare)
    h.ctx.refresh_snapshot()  # the new agency
    h.idle()
    refs = win.show_screen("Referrals")
    h.idle()
    assert refs.select_case(cid)
    h.idle()
    # the first step is the programme's: to the police gateway
    assert refs.send_button.text() == "Send to the police gateway" and not refs.send_button.isHidden()
    click(qtbot, refs.send_button)
    h.idle()
    assert refs._current is not None and refs._current.case.status == STEP
    assert not refs.record_button.isEnabled()  # not screened until the police have assessed it
    refs.load()
    h.idle()
    assert refs.select_case(cid)
    h.idle()
    sent = h.tasks.call_sync(lambda: cases.status_reached_on(s, [cid])[cid])
    due = rules.add_working_days(sent, 5)
    text = refs.step_text.text()
    assert not refs.step_text.isHidden()
    assert text.startswith("Police gateway assessment: with Counter-terrorism policing "
                           "(Counter Terrorism Policing North East); due "), text
    assert f"due {due.day}/{due.month}/{due.year} (5 working days)" in text
    assert refs.send_button.text() == "Police assessment received: screen"

    # a week after the deadline: overdue on the dashboard and on the case screen
    later = due + dt.timedelta(days=7)
    s.today_fn = lambda: later
    h.ctx.today_fn = lambda: later
    dash = win.show_screen("Dashboard")
    dash.load()
    h.idle()
    ref = h.tasks.call_sync(lambda: cases.get_case_file(s, cid, audit_view=False).case.ref)
    assert not dash.steps_late.isHidden()
    assert dash.steps_late.text() == f"Police gateway assessment overdue: {ref}"
    win.open_case(cid)
    h.idle()
    summary = win.screens["Cases"].view.summary
    assert "5 working days overdue" in summary.step.text()
    assert summary.step.text().startswith("Police gateway assessment: with Counter-terrorism policing")

    # the police's assessment received: on to screening; nothing overdue any more
    refs = win.show_screen("Referrals")
    refs.load()
    h.idle()
    assert refs.select_case(cid)
    h.idle()
    click(qtbot, refs.send_button)
    h.idle()
    assert refs._current is not None and refs._current.case.status == "screening"
    assert refs.record_button.isEnabled()
    dash = win.show_screen("Dashboard")
    dash.load()
    h.idle()
    assert dash.steps_late.isHidden()
