"""Channel screening: counter-terrorism policing's deconfliction and gateway assessment is a step
of its own (issue 18). It is programme data — a status held by the police (``held_by``) with its
due time (``due_working_days``, on average up to 5 working days) — on the main line between the
referral and screening; the queue of referrals counts its deadline from the day the case reached
it, and says when it is overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.config.programmes import load_programme
from app.models import rules
from app.models.errors import InvalidInput, TransitionNotAllowed
from app.models.programme_load import programme_from_dict
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, ui_queries
from app.services.cases import lifecycle, referrals
from app.services.context import Session
from tests.support.stores import dump_store

STEP = "police-assessment"  # extremism.toml


def _referral(session: Session, surname: str) -> str:
    prog = session.programme
    return str(referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Kieran", surname=surname, date_of_birth=dt.date(2009, 2, 11)),
        referral=ReferralInput(received=session.today(), referrer="Head of year",
                                     sector=prog.sectors[0].label, concern=prog.concerns[0].label,
                                     narrative="Sharing extremist videos in class."),
    ))


def test_the_police_gateway_is_a_step_of_its_own_in_the_programme() -> None:
    prog = load_programme("extremism")
    st = prog.status(STEP)
    assert st.held_by == "Counter-terrorism policing" and "ct-police" in st.held_by_sectors
    assert st.due_working_days == 5 and not st.terminal
    # on the main line: every referral passes through it before screening
    assert rules.path_to(prog, "screening") == [prog.initial_status, STEP, "screening"]
    assert [t.target for t in prog.transitions if t.source == prog.initial_status] == [STEP]
    # a new concern goes back through the gateway too
    assert {t.target for t in prog.transitions if t.label.startswith("Re-assess")} == {STEP}
    # the other programmes have no such step
    for other in ("mappa", "marac"):
        assert not any(s.held_by or s.due_working_days for s in load_programme(other).statuses)


def test_the_coordinator_cannot_skip_the_police_gateway(session: Session) -> None:
    cid = _referral(session, "Skipper")
    before = dump_store(session)
    with pytest.raises(TransitionNotAllowed):
        lifecycle.change_status(session, case_id=cid, status="screening", rationale="")
    assert dump_store(session) == before


def test_the_queue_counts_the_police_deadline_from_the_day_sent(session: Session) -> None:
    prog = session.programme
    cid = _referral(session, "Gateway")
    lifecycle.change_status(session, case_id=cid, status=STEP, rationale="")
    sent = cases.status_reached_on(session, [cid])[cid]
    due = rules.add_working_days(sent, 5)
    row = next(w for w in ui_queries.awaiting_screening(session) if w.summary.id == cid)
    assert row.step == prog.status_label(STEP) and row.deadline == due
    assert row.days_left == rules.working_days_left(session.today(), due)
    text = ui_queries.step_text(prog, STEP, ["Counter Terrorism Policing North East"], row.deadline, row.days_left)
    assert text.startswith("Police gateway assessment: with Counter-terrorism policing (Counter Terrorism")
    # a week past the deadline: overdue, in working days
    session.today_fn = lambda: due + dt.timedelta(days=7)
    late = next(w for w in ui_queries.awaiting_screening(session) if w.summary.id == cid)
    assert late.days_left == -5
    assert "5 working days overdue" in ui_queries.step_text(prog, STEP, [], late.deadline, late.days_left)
    # the police's assessment received: the case goes on to screening, with the programme's target
    lifecycle.change_status(session, case_id=cid, status="screening", rationale="")
    row = next(w for w in ui_queries.awaiting_screening(session) if w.summary.id == cid)
    assert row.step == "" and row.deadline == rules.screening_deadline(prog, row.summary.opened)
    assert ui_queries.step_text(prog, "screening", [], row.deadline, row.days_left) == ""


def _with_status(extra: dict[str, Any]) -> dict[str, Any]:
    import tomllib

    from app.config.programmes import programmes_dir

    data = tomllib.loads((programmes_dir() / "extremism.toml").read_text("utf-8"))
    for st in data["statuses"]:
        if st["id"] == STEP:
            st.update(extra)
    return data


@pytest.mark.parametrize("extra", [
    {"due_working_days": 0},
    {"held_by": {"label": "Counter-terrorism policing", "sectors": []}},
    {"held_by": {"sectors": ["police"]}},
])
def test_a_step_without_a_due_time_or_holder_is_refused(extra: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        programme_from_dict(_with_status(extra))
