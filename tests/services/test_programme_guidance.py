"""The shipped programmes follow the published guidance (issue 18): MAPPA level 1 is an active,
reviewed status; review intervals come from the status and the case's current case fields (MAPPA:
level 2 at least every 16 weeks, level 3 at least every 8); the Channel framework has the 22
published factors and the Home Office age bands; MARAC records no consent but whether the victim
was told of the referral and the lawful basis for sharing; a MARAC case heard without actions is
not "below threshold"."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.programmes import load_programme
from app.models import rules
from app.models.domain import Case, FactorRating
from app.models.enums import AgendaKind, ConsentState
from app.models.errors import Refused
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, meetings, risk, setup, statistics
from app.services.cases import lifecycle, referrals, sharing
from app.services.context import Session
from app.services.meetings import agenda as agenda_svc
from app.services.meetings import minutes
from tests.support.programme_stores import build_programme_store
from tests.support.stores import PASSPHRASE, copy_store, dump_store, today


@pytest.fixture(scope="module")
def marac_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_programme_store(tmp_path_factory.mktemp("marac-template") / "panel.rtdb", "marac")


@pytest.fixture
def marac(marac_template: Path, tmp_path: Path) -> Iterator[Session]:
    s = setup.unlock(copy_store(marac_template, tmp_path / "marac"), passphrase=PASSPHRASE, today_fn=today)
    yield s
    if s.store.is_open:
        s.close()


def _mappa_referral(session: Session) -> str:
    prog = session.programme
    cid = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Daniel", surname="Ashworth", date_of_birth=dt.date(1980, 1, 5)),
        referral=ReferralInput(
            received=today(),
            referrer="Offender manager",
            sector=prog.sectors[0].label,
            concern=prog.concerns[0].label,
            narrative="Released on licence; level to be set.",
        ),
    )
    lifecycle.change_status(session, case_id=cid, status="screening", rationale="")
    return cid


def _mappa_assessment(session: Session, case_id: str, level: str) -> None:
    fw = session.programme.framework
    risk.record_assessment(
        session,
        case_id=case_id,
        assessment=risk.AssessmentInput(
            factors=tuple(FactorRating(d, f, fw.ratings[1].id, "Seen.") for d, f in fw.factor_ids()),
            dimension_summaries=(),
            overall="The panel's judgement.",
            risk_level=fw.risk_levels[1].id,
            case_fields=(("category", "2"), ("management-level", level)),
        ),
    )


def _case(session: Session, case_id: str) -> Case:
    return cases.get_case_file(session, case_id, audit_view=False).case


# --- MAPPA: level 1 is still MAPPA ----------------------------------------------------------------


def test_mappa_level_1_is_an_active_reviewed_status() -> None:
    prog = load_programme("mappa")
    st = prog.status("level-1")
    assert not st.terminal and st.open_case and prog.is_reviewed("level-1")


def test_a_level_1_case_stays_open_and_comes_up_for_review(msession: Session) -> None:
    cid = _mappa_referral(msession)
    lifecycle.screen_case(msession, case_id=cid, outcome="level-1", rationale="Lead agency can manage.")
    case = _case(msession, cid)
    assert case.status == "level-1" and case.closed is None
    interval = msession.programme.status("level-1").review_days
    assert interval and case.next_review == today() + dt.timedelta(days=interval)
    assert cid in cases.list_case_ids(msession, review_due_by=case.next_review)
    assert cid not in cases.list_case_ids(msession, review_due_by=case.next_review - dt.timedelta(days=1))
    # the level is reconsidered: a level 1 case can be escalated to the MAPP meeting
    lifecycle.change_status(msession, case_id=cid, status="panel-assessment", rationale="Risk has risen.")
    assert _case(msession, cid).status == "panel-assessment"


def test_a_stepped_down_case_continues_at_level_1_or_closes_when_the_period_ends(msession: Session) -> None:
    """A stepped-down case's review ends at level 1; the one terminal step is closing when the
    MAPPA period ends, taken by the coordinator (as from level 1 or from level 2 or 3)."""
    prog = msession.programme
    steps = {t.target: t for t in prog.transitions if t.source == prog.exit_status}
    assert "level-1" in steps
    terminal = [target for target in steps if prog.status(target).terminal]
    assert terminal == ["closed"]
    from_level_1 = next(t for t in prog.transitions if t.source == "level-1" and t.target == "closed")
    assert steps["closed"].label == from_level_1.label and steps["closed"].roles == from_level_1.roles


def test_a_stepped_down_case_whose_period_has_ended_proposes_closing_and_closes(msession: Session) -> None:
    prog = msession.programme
    cid = _to_panel(msession, "2")
    lifecycle.change_status(msession, case_id=cid, status="managed", rationale="Agreed.")
    lifecycle.change_status(msession, case_id=cid, status=prog.exit_status, rationale="Risk reduced.")
    ended = today() - dt.timedelta(days=3)
    fw = prog.framework
    risk.record_assessment(
        msession,
        case_id=cid,
        assessment=risk.AssessmentInput(
            factors=tuple(FactorRating(d, f, fw.ratings[1].id, "Seen.") for d, f in fw.factor_ids()),
            dimension_summaries=(),
            overall="Licence has ended.",
            risk_level=fw.risk_levels[0].id,
            case_fields=(("category", "2"), ("management-level", "1"), ("licence-end", ended.isoformat())),
        ),
    )
    f = cases.get_case_file(msession, cid, audit_view=False)
    proposals = rules.date_proposals(prog, f.case.status, rules.current_case_fields(prog, f.assessments), today())
    assert [p.status for p in proposals] == ["closed"]
    lifecycle.change_status(msession, case_id=cid, status="closed", rationale="Licence ended.")
    case = _case(msession, cid)
    assert case.status == "closed" and case.closed is not None


# --- review intervals per status and per case-field choice ---------------------------------------


def test_review_interval_is_the_shortest_that_applies() -> None:
    prog = load_programme("mappa")
    level = prog.case_field("management-level")

    def fields(choice: str) -> tuple[object, ...]:
        return tuple(
            v for v in prog.case_field_values([("management-level", choice)]) if v.field is level
        )

    default = prog.intervals.review_interval_days
    assert rules.review_interval(prog) == default
    assert rules.review_interval(prog, "managed", fields("3")) == 56  # at least every 8 weeks
    assert rules.review_interval(prog, "managed", fields("2")) == 112  # at least every 16 weeks
    assert rules.review_interval(prog, "managed", ()) == default  # no level recorded
    assert rules.review_interval(prog, "level-1", fields("1")) == prog.status("level-1").review_days
    # a status's interval and a choice's: the shorter wins
    assert rules.review_interval(prog, "level-1", fields("3")) == 56
    assert rules.next_review(prog, dt.date(2026, 1, 1), "managed", fields("3")) == dt.date(2026, 2, 26)


def _to_panel(session: Session, level: str) -> str:
    cid = _mappa_referral(session)
    lifecycle.screen_case(session, case_id=cid, outcome="level-2-3", rationale="Needs the panel.")
    lifecycle.change_status(session, case_id=cid, status="panel-assessment", rationale="")
    _mappa_assessment(session, cid, level)
    return cid


def test_a_status_change_sets_the_review_by_the_level(msession: Session) -> None:
    for level, days in (("3", 56), ("2", 112)):
        cid = _to_panel(msession, level)
        lifecycle.change_status(msession, case_id=cid, status="managed", rationale="Agreed.")
        assert _case(msession, cid).next_review == today() + dt.timedelta(days=days)


def test_a_meeting_held_sets_the_review_by_the_level(msession: Session) -> None:
    stays, raised = (_to_panel(msession, "2") for _ in range(2))
    for cid in (stays, raised):
        lifecycle.change_status(msession, case_id=cid, status="managed", rationale="Agreed.")
    mid = meetings.schedule_meeting(msession, held_on=today(), case_ids=[stays, raised])
    # one case moved from level 2 to level 3 before the meeting: the meeting sets the 8-week review
    _mappa_assessment(msession, raised, "3")
    minutes.mark_held(msession, meeting_id=mid)
    assert _case(msession, stays).next_review == today() + dt.timedelta(days=112)
    assert _case(msession, raised).next_review == today() + dt.timedelta(days=56)


# --- Channel: the Vulnerability Assessment Framework's 22 factors --------------------------------


def test_channel_framework_has_the_22_published_factors() -> None:
    fw = load_programme("extremism").framework
    counts = {d.id: len(d.factors) for d in fw.dimensions}
    assert counts == {"engagement": 13, "intent": 6, "capability": 3}
    labels = {f.label for d in fw.dimensions for f in d.factors}
    for published in (
        "Feelings of grievance and injustice",
        "Relevant mental health issues",
        "Over-identification with a group or ideology",
        "Dehumanisation of the enemy",
        "Harmful objectives",
        "Criminal capability",
    ):
        assert published in labels
    assert all(f.guidance for d in fw.dimensions for f in d.factors)


# --- MARAC: no consent; the victim told of the referral, the lawful basis for sharing -----------


def test_marac_seeks_no_consent_but_records_what_the_victim_was_told(marac: Session) -> None:
    prog = marac.programme
    assert not prog.records_consent
    ids = cases.list_case_ids(marac)
    assert ids and all(not cases.get_case_file(marac, c, audit_view=False).consents for c in ids)
    before = dump_store(marac)
    with pytest.raises(Refused):
        sharing.record_consent(marac, case_id=ids[0], state=ConsentState.GIVEN)
    assert dump_store(marac) == before
    period = {"start": dt.date(2024, 1, 1), "end": today()}
    keys = {b.key for b in statistics.compute(marac, **period).breakdowns}
    assert "consent" not in keys
    assert {"referrals_by_field:victim-told", "referrals_by_field:lawful-basis"} <= keys
    told = prog.case_field("victim-told")
    assert told.label == "Victim told of the referral"
    assert {c.label for c in told.choices} >= {"Yes", "Not yet"}
    assert len(told.choices) == 4 and any("increase the risk" in c.label for c in told.choices)
    basis = prog.case_field("lawful-basis")
    assert {c.id for c in basis.choices} == {"consent", "vital-interests", "public-task", "crime"}
    # heard cases in the demo say whether the victim was told
    for cid in cases.list_case_ids(marac, statuses=["action-plan", "completed"]):
        f = cases.get_case_file(marac, cid, audit_view=False)
        values = {v.field.id: v.choice for v in rules.current_case_fields(prog, f.assessments)}
        assert values["victim-told"] in {"yes", "no-risk", "no-contact"}


# --- MARAC: the agenda's words -------------------------------------------------------------------


def _marac_listed(session: Session) -> str:
    prog = session.programme
    cid = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Leanne", surname="Marsh", date_of_birth=dt.date(1991, 6, 3)),
        referral=ReferralInput(
            received=today() - dt.timedelta(days=60),
            referrer="IDVA",
            sector=prog.sectors[0].label,
            concern=prog.concerns[0].label,
            narrative="Checklist completed with the IDVA.",
        ),
    )
    lifecycle.change_status(session, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(session, case_id=cid, outcome="meets-threshold", rationale="14 yes answers.")
    lifecycle.change_status(session, case_id=cid, status="listed", rationale="")
    return cid


def test_a_case_heard_without_actions_is_not_below_threshold(marac: Session) -> None:
    prog = marac.programme
    below = {o.target for o in prog.screening_outcomes if o.id == "below-threshold"}
    heard = [t for t in prog.transitions if t.source == "listed" and "no multi-agency actions" in t.label]
    assert heard and all(t.target not in below for t in heard)
    before = cases.case_counts(marac)[0].get("below-threshold", 0)
    cid = _marac_listed(marac)
    lifecycle.change_status(marac, case_id=cid, status=heard[0].target, rationale="Heard; agencies continue.")
    case = _case(marac, cid)
    assert "threshold" not in prog.status_label(case.status).lower()
    assert cases.case_counts(marac)[0].get("below-threshold", 0) == before


def test_twelve_months_after_the_last_conference_the_case_is_listed_for_notification(
    marac: Session,
) -> None:
    prog = marac.programme
    assert prog.intervals.post_exit_review_months == (prog.intervals.repeat_referral_months,)
    assert "12 months" not in prog.agenda_label(AgendaKind.POST_EXIT_REVIEW)
    assert "twelve months since the last conference" in prog.agenda_label(
        AgendaKind.POST_EXIT_REVIEW
    ).lower()
    cid = _marac_listed(marac)
    heard_on = today() - dt.timedelta(days=40)
    mid = meetings.schedule_meeting(marac, held_on=heard_on, case_ids=[cid])
    meetings.record_confidentiality(marac, meeting_id=mid, read=True)
    minutes.mark_held(marac, meeting_id=mid)
    lifecycle.change_status(marac, case_id=cid, status="action-plan", rationale="Actions agreed.")
    lifecycle.change_status(marac, case_id=cid, status="completed", rationale="All done.")
    due = rules.add_months(heard_on, 12)
    assert _case(marac, cid).next_review == due  # from the conference, not from completion
    listed = dict(agenda_svc.propose_agenda(marac, held_on=due))
    assert listed.get(cid) is AgendaKind.POST_EXIT_REVIEW
    assert cid not in dict(agenda_svc.propose_agenda(marac, held_on=due - dt.timedelta(days=1)))


def test_the_panels_own_review_interval_is_used_where_no_other_applies(msession: Session) -> None:
    import dataclasses

    from app.services import panel

    settings = panel.get_settings(msession)
    panel.save_settings(msession, settings=dataclasses.replace(settings, review_interval_days=21))
    unlevelled = _mappa_referral(msession)
    lifecycle.screen_case(msession, case_id=unlevelled, outcome="level-2-3", rationale="Needs the panel.")
    lifecycle.change_status(msession, case_id=unlevelled, status="panel-assessment", rationale="")
    assert _case(msession, unlevelled).next_review == today() + dt.timedelta(days=21)
    levelled = _to_panel(msession, "3")  # a level's own interval still applies
    lifecycle.change_status(msession, case_id=levelled, status="managed", rationale="Agreed.")
    assert _case(msession, levelled).next_review == today() + dt.timedelta(days=56)


# --- MARAC: children's cases first on the agenda --------------------------------------------------


def _marac_assess(session: Session, case_id: str, children: str) -> None:
    fw = session.programme.framework
    yes = next(iter(fw.counted))
    risk.record_assessment(
        session,
        case_id=case_id,
        assessment=risk.AssessmentInput(
            factors=tuple(FactorRating(d, f, yes, "Said so.") for d, f in fw.factor_ids()),
            dimension_summaries=(),
            overall="High risk on the checklist.",
            risk_level=fw.risk_levels[-1].id,
            case_fields=(("children", children),),
        ),
    )


def test_marac_agenda_hears_childrens_cases_first(marac: Session) -> None:
    prog = marac.programme
    assert prog.agenda_order.field == "children" and prog.agenda_order.first == ("yes",)
    assert {c.id for c in prog.case_field("children").choices} == {"yes", "no", "not-known"}
    adult, child, unknown = (_marac_listed(marac) for _ in range(3))
    _marac_assess(marac, adult, "no")
    _marac_assess(marac, child, "yes")
    _marac_assess(marac, unknown, "not-known")
    proposed = [cid for cid, _ in agenda_svc.propose_agenda(marac, held_on=today())]
    ours = [c for c in proposed if c in {adult, child, unknown}]
    assert ours[0] == child and set(ours[1:]) == {adult, unknown}
    # every case with children is proposed before every adult-only case
    ranks = [0 if c == child else 1 for c in proposed if c in {adult, child, unknown}]
    assert ranks == sorted(ranks)
    # scheduled with the adult case first: the agenda is built children first, numbered so
    mid = meetings.schedule_meeting(marac, held_on=today(), case_ids=[adult, child])
    agenda = sorted(meetings.get_meeting(marac, meeting_id=mid).agenda, key=lambda i: i.position)
    assert [(i.position, i.case_id) for i in agenda] == [(1, child), (2, adult)]
    # other business, then a case with children added later: it goes before the adult case
    agenda_svc.add_agenda_item(marac, meeting_id=mid, title="Venue for next month")
    late = _marac_listed(marac)
    _marac_assess(marac, late, "yes")
    agenda_svc.add_agenda_item(marac, meeting_id=mid, case_id=late)
    agenda_svc.add_agenda_item(marac, meeting_id=mid, case_id=unknown)
    agenda = sorted(meetings.get_meeting(marac, meeting_id=mid).agenda, key=lambda i: i.position)
    assert [i.position for i in agenda] == [1, 2, 3, 4, 5]
    assert [i.case_id for i in agenda] == [child, late, adult, unknown, None]


def test_a_programme_without_an_agenda_order_keeps_the_order_given(msession: Session) -> None:
    assert not msession.programme.agenda_order.field
    a, b = _mappa_referral(msession), _mappa_referral(msession)
    mid = meetings.schedule_meeting(msession, held_on=today(), case_ids=[b, a])
    agenda = sorted(meetings.get_meeting(msession, meeting_id=mid).agenda, key=lambda i: i.position)
    assert [i.case_id for i in agenda] == [b, a]


def test_an_agenda_order_must_name_a_case_field_and_its_choices() -> None:
    import tomllib

    from app.models.errors import InvalidInput
    from app.models.programme_load import programme_from_dict

    d = tomllib.loads(Path("resources/programmes/marac.toml").read_text(encoding="utf-8"))
    d["agenda"] = {"order_by_case_field": {"field": "children", "first": ["maybe"]}}
    with pytest.raises(InvalidInput):
        programme_from_dict(d)
    d["agenda"] = {"order_by_case_field": {"field": "pets", "first": ["yes"]}}
    with pytest.raises(InvalidInput):
        programme_from_dict(d)


# --- MARAC: the confidentiality statement read and signed ------------------------------------------


def test_marac_meeting_is_held_only_once_the_confidentiality_statement_is_recorded(
    marac: Session, tmp_path: Path
) -> None:
    import pypdf

    from app.models.enums import Attendance
    from app.models.errors import InvalidInput
    from app.services.documents import minutes as minutes_doc

    assert marac.programme.confidentiality_signed
    me = marac.workstation.member.id
    mid = meetings.schedule_meeting(marac, held_on=today() - dt.timedelta(days=1), case_ids=[_marac_listed(marac)])
    meetings.set_attendance(marac, meeting_id=mid, member_id=me, attendance=Attendance.PRESENT)
    warnings = minutes.held_warnings(marac, meeting_id=mid)
    assert any("confidentiality statement has not been recorded" in w for w in warnings)
    before = dump_store(marac)
    with pytest.raises(InvalidInput, match="confidentiality statement"):
        minutes.mark_held(marac, meeting_id=mid)
    assert dump_store(marac) == before
    meetings.record_confidentiality(marac, meeting_id=mid, read=True)
    assert meetings.get_meeting(marac, meeting_id=mid).confidentiality_read
    # the statement read, but the one present has not agreed it: asked, not refused
    assert any("not agreed the confidentiality statement" in w for w in minutes.held_warnings(marac, meeting_id=mid))
    meetings.set_attendance(marac, meeting_id=mid, member_id=me, attendance=Attendance.PRESENT,
                            confidentiality_agreed=True)
    assert not any("confidentiality" in w for w in minutes.held_warnings(marac, meeting_id=mid))
    minutes.mark_held(marac, meeting_id=mid)
    with pytest.raises(InvalidInput):
        meetings.record_confidentiality(marac, meeting_id=mid, read=False)
    out = minutes_doc.write_minutes(marac, meeting_id=mid, out=tmp_path / "minutes.pdf")
    text = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(out).pages)
    assert "read at the meeting and agreed by those present" in " ".join(text.split())
    assert marac.workstation.member.name in text


def test_without_the_flag_the_statement_is_not_required(msession: Session) -> None:
    from app.models.enums import Attendance

    assert not msession.programme.confidentiality_signed
    mid = meetings.schedule_meeting(msession, held_on=today() - dt.timedelta(days=1))
    me = msession.workstation.member.id
    meetings.set_attendance(msession, meeting_id=mid, member_id=me, attendance=Attendance.PRESENT)
    assert minutes.held_warnings(msession, meeting_id=mid) == []
    minutes.mark_held(msession, meeting_id=mid)
    assert meetings.get_meeting(msession, meeting_id=mid).status == "held"


# --- Channel: adoption is the panel's decision, recorded with its meeting --------------------------


def _awaiting_panel(session: Session) -> str:
    prog = session.programme
    cid = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Kieran", surname="Holt", date_of_birth=dt.date(2009, 2, 11)),
        referral=ReferralInput(
            received=today() - dt.timedelta(days=30),
            referrer="Head of year",
            sector=prog.sectors[0].label,
            concern=prog.concerns[0].label,
            narrative="Sharing extremist videos in class.",
        ),
    )
    path = rules.path_to(prog, "panel-assessment")
    for source, target in itertools.pairwise(path):
        if prog.status(source).stage == "screening":
            outcome = next(o for o in prog.screening_outcomes if o.target == target)
            lifecycle.screen_case(session, case_id=cid, outcome=outcome.id, rationale="Gateway agreed.")
        else:
            lifecycle.change_status(session, case_id=cid, status=target, rationale="Ready.")
    return cid


def _status_changes(session: Session, case_id: str) -> list[dict[str, object]]:
    from app.storage import repo

    with session.view() as conn:
        return [dict(r._mapping) for r in repo.rows_for_case(conn, "status_change", case_id, "at")]


def test_channel_adoption_needs_the_meeting_it_was_decided_at(session: Session) -> None:
    from app.models.errors import InvalidInput

    prog = session.programme
    decisions = {t.target for t in prog.transitions if t.panel_decision}
    assert decisions == {prog.adopted_status, "not-adopted"}
    cid = _awaiting_panel(session)
    before = dump_store(session)
    # the coordinator (or the chair) alone, with no meeting: refused, nothing changed
    with pytest.raises(InvalidInput, match="panel's decision"):
        lifecycle.change_status(session, case_id=cid, status=prog.adopted_status, rationale="I think so.")
    assert dump_store(session) == before
    # a meeting without the case on its agenda does not do
    other = meetings.schedule_meeting(session, held_on=today())
    with pytest.raises(InvalidInput, match="not on that meeting's agenda"):
        lifecycle.change_status(session, case_id=cid, status=prog.adopted_status, rationale="x", meeting_id=other)
    # a meeting still in the future has not decided anything
    later = meetings.schedule_meeting(session, held_on=today() + dt.timedelta(days=10), case_ids=[cid])
    with pytest.raises(InvalidInput, match="not taken place"):
        lifecycle.change_status(session, case_id=cid, status=prog.adopted_status, rationale="x", meeting_id=later)
    # the one being minuted today: accepted, and the status change names it
    mid = meetings.schedule_meeting(session, held_on=today(), case_ids=[cid])
    lifecycle.change_status(session, case_id=cid, status=prog.adopted_status, rationale="Panel agreed.", meeting_id=mid)
    last = _status_changes(session, cid)[-1]
    assert last["to_status"] == prog.adopted_status and last["meeting_id"] == mid
    # the steps that are not the panel's decision name no meeting
    assert all(r["meeting_id"] is None for r in _status_changes(session, cid)[:-1])


def test_channel_not_adopted_found_from_the_meeting_held(session: Session) -> None:
    cid = _awaiting_panel(session)
    mid = meetings.schedule_meeting(session, held_on=today() - dt.timedelta(days=1), case_ids=[cid])
    minutes.mark_held(session, meeting_id=mid)
    lifecycle.change_status(session, case_id=cid, status="not-adopted", rationale="Panel: no support needed.")
    assert _status_changes(session, cid)[-1]["meeting_id"] == mid
    assert _case(session, cid).status == "not-adopted"


def test_a_panel_decision_travels_with_its_meeting_in_exchange_ops() -> None:
    from app.models.entities import FIELDS

    assert FIELDS["status_change"]["meeting_id"] == "str"


def test_a_meeting_decides_once(session: Session) -> None:
    from app.models.errors import InvalidInput

    cid = _awaiting_panel(session)
    mid = meetings.schedule_meeting(session, held_on=today() - dt.timedelta(days=1), case_ids=[cid])
    minutes.mark_held(session, meeting_id=mid)
    lifecycle.change_status(session, case_id=cid, status="not-adopted", rationale="No support needed.")
    # back to the panel after a new concern: the old meeting's decision does not adopt it
    back = rules.path_to(session.programme, "panel-assessment")
    lifecycle.change_status(session, case_id=cid, status=back[1], rationale="New concern.")
    for source, target in itertools.pairwise(back[1:]):
        if session.programme.status(source).stage == "screening":
            outcome = next(o for o in session.programme.screening_outcomes if o.target == target)
            lifecycle.screen_case(session, case_id=cid, outcome=outcome.id, rationale="Gateway agreed.")
        else:
            lifecycle.change_status(session, case_id=cid, status=target, rationale="Ready.")
    with pytest.raises(InvalidInput, match="panel's decision"):
        lifecycle.change_status(session, case_id=cid, status=session.programme.adopted_status, rationale="x")


def test_only_the_coordinator_records_the_confidentiality_statement(marac: Session) -> None:
    import dataclasses

    from app.models.enums import Role
    from app.models.errors import PermissionDenied

    mid = meetings.schedule_meeting(marac, held_on=today())
    ws = marac.workstation
    marac._workstation = dataclasses.replace(ws, member=dataclasses.replace(ws.member, role=Role.CHAIR))
    try:
        with pytest.raises(PermissionDenied):
            meetings.record_confidentiality(marac, meeting_id=mid, read=True)
    finally:
        marac._workstation = ws
    assert not meetings.get_meeting(marac, meeting_id=mid).confidentiality_read
