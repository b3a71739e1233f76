"""MARAC's linked people (issue 18): the person causing harm and the children in the household,
each with their own identifiers; the duplicate check and person search find a person in either
role; a repeat MARAC needs the same victim *and* the same perpetrator, heard within 12 months;
linked people are printed in the case paper of the pack."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from app.models.domain import Identifier
from app.models.errors import InvalidInput, Refused
from app.models.ids import SubjectId
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, linked_people, meetings, setup
from app.services.cases import lifecycle, referrals
from app.services.context import Session
from app.services.documents import packs
from app.services.meetings import minutes
from tests.support.programme_stores import build_programme_store
from tests.support.stores import PASSPHRASE, copy_store, dump_store, today

PERP = linked_people.PersonInput(
    forenames="Darren", surname="Kell", date_of_birth=dt.date(1985, 2, 14),
    identifiers=(Identifier("pnc", "12/345678A"),),
)
OTHER = linked_people.PersonInput(forenames="Wayne", surname="Osei", date_of_birth=dt.date(1979, 9, 1))


@pytest.fixture(scope="module")
def marac_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_programme_store(tmp_path_factory.mktemp("marac-lp") / "panel.rtdb", "marac")


@pytest.fixture
def marac(marac_template: Path, tmp_path: Path) -> Iterator[Session]:
    s = setup.unlock(copy_store(marac_template, tmp_path / "marac"), passphrase=PASSPHRASE, today_fn=today)
    yield s
    if s.store.is_open:
        s.close()


def _referral(session: Session, received: dt.date, *, link: SubjectId | None = None) -> str:
    prog = session.programme
    return referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Leanne", surname="Marsh", date_of_birth=dt.date(1991, 6, 3)),
        referral=ReferralInput(
            received=received, referrer="IDVA", sector=prog.sectors[0].label,
            concern=prog.concerns[0].label, narrative="Checklist completed with the IDVA.",
        ),
        link_subject=link,
    )


def _heard(session: Session, case_id: str, on: dt.date) -> None:
    lifecycle.change_status(session, case_id=case_id, status="screening", rationale="")
    lifecycle.screen_case(session, case_id=case_id, outcome="meets-threshold", rationale="14 yes answers.")
    lifecycle.change_status(session, case_id=case_id, status="listed", rationale="")
    mid = meetings.schedule_meeting(session, held_on=on, case_ids=[case_id])
    meetings.record_confidentiality(session, meeting_id=mid, read=True)
    minutes.mark_held(session, meeting_id=mid)


def _subject(session: Session, case_id: str) -> SubjectId:
    return cases.get_case_file(session, case_id, audit_view=False).case.subject_id


def test_marac_declares_its_linked_roles_and_the_others_none(marac: Session) -> None:
    from app.config.programmes import load_programme

    assert [r.id for r in marac.programme.linked_roles] == ["perpetrator", "child"]
    assert marac.programme.repeat_role is not None and marac.programme.repeat_role.id == "perpetrator"
    for other in ("extremism", "mappa"):
        assert load_programme(other).linked_roles == ()


def test_a_linked_person_is_recorded_edited_and_removed(marac: Session) -> None:
    cid = _referral(marac, today() - dt.timedelta(days=3))
    pid = linked_people.add_person(marac, case_id=cid, role="perpetrator", person=PERP)
    kid = linked_people.add_person(
        marac, case_id=cid, role="child",
        person=linked_people.PersonInput(forenames="Mia", surname="Marsh", date_of_birth=dt.date(2018, 1, 9)),
    )
    got = linked_people.people_of(marac, cid)
    assert [(p.role, p.display_name) for p in got] == [("perpetrator", "Darren Kell"), ("child", "Mia Marsh")]
    assert got[0].identifiers == (Identifier("pnc", "12/345678A"),)
    linked_people.update_person(
        marac, person_id=kid, person=linked_people.PersonInput(forenames="Mia", surname="Kell-Marsh"),
    )
    assert [p.surname for p in linked_people.people_of(marac, cid)] == ["Kell", "Kell-Marsh"]
    # bad input changes nothing
    before = dump_store(marac)
    with pytest.raises(InvalidInput):
        linked_people.add_person(marac, case_id=cid, role="perpetrator",
                                 person=linked_people.PersonInput(forenames="No", surname=""))
    with pytest.raises(InvalidInput):
        linked_people.add_person(marac, case_id=cid, role="neighbour", person=PERP)
    with pytest.raises(InvalidInput, match="future"):
        linked_people.add_person(marac, case_id=cid, role="child", person=linked_people.PersonInput(
            forenames="X", surname="Y", date_of_birth=today() + dt.timedelta(days=1)))
    assert dump_store(marac) == before
    linked_people.remove_person(marac, person_id=pid)
    assert [p.role for p in linked_people.people_of(marac, cid)] == ["child"]


@pytest.mark.parametrize("which", ["session", "msession"])
def test_a_programme_without_linked_roles_records_none(which: str, request: pytest.FixtureRequest) -> None:
    s: Session = request.getfixturevalue(which)  # Channel, MAPPA
    assert not s.programme.linked_roles
    cid = cases.list_case_ids(s)[0]
    before = dump_store(s)
    with pytest.raises(Refused, match="no linked people"):
        linked_people.add_person(s, case_id=cid, role="perpetrator", person=PERP)
    assert dump_store(s) == before and linked_people.people_of(s, cid) == []


# --- repeat MARAC -------------------------------------------------------------------------------


def test_a_repeat_needs_the_same_victim_and_the_same_perpetrator(marac: Session) -> None:
    first = _referral(marac, today() - dt.timedelta(days=200))
    linked_people.add_person(marac, case_id=first, role="perpetrator", person=PERP)
    _heard(marac, first, today() - dt.timedelta(days=190))
    victim = _subject(marac, first)

    same = _referral(marac, today() - dt.timedelta(days=5), link=victim)
    # the perpetrator recorded under a spelling of his own, found by his PNC number
    linked_people.add_person(marac, case_id=same, role="perpetrator", person=linked_people.PersonInput(
        forenames="Daz", surname="Kell", identifiers=(Identifier("pnc", "12 345678 a"),)))
    note = linked_people.repeat_of_case(marac, same)
    ref = cases.resolve_case(marac, first).ref
    assert note.startswith("Repeat referral") and ref in note

    other = _referral(marac, today() - dt.timedelta(days=4), link=victim)
    linked_people.add_person(marac, case_id=other, role="perpetrator", person=OTHER)
    assert linked_people.repeat_of_case(marac, other) == ""  # same victim, another perpetrator

    unknown = _referral(marac, today() - dt.timedelta(days=3), link=victim)
    assert linked_people.repeat_of_case(marac, unknown) == ""  # no perpetrator recorded yet
    # and the subject alone is no longer called a repeat at intake
    assert referrals.repeat_referral(marac, subject_id=victim, incident=today()) == ""


def test_a_repeat_is_within_twelve_months_of_a_referral_heard_at_the_conference(marac: Session) -> None:
    months = marac.programme.intervals.repeat_referral_months
    assert months == 12
    old = _referral(marac, today() - dt.timedelta(days=400))
    linked_people.add_person(marac, case_id=old, role="perpetrator", person=PERP)
    _heard(marac, old, today() - dt.timedelta(days=390))
    victim = _subject(marac, old)
    late = _referral(marac, today(), link=victim)
    linked_people.add_person(marac, case_id=late, role="perpetrator", person=PERP)
    assert linked_people.repeat_of_case(marac, late) == ""  # more than 12 months on

    never_heard = _referral(marac, today() - dt.timedelta(days=30), link=victim)
    linked_people.add_person(marac, case_id=never_heard, role="perpetrator", person=PERP)
    newest = _referral(marac, today(), link=victim)
    linked_people.add_person(marac, case_id=newest, role="perpetrator", person=PERP)
    # the earlier referral within the window was never heard at the conference: not a repeat
    assert linked_people.repeat_of_case(marac, newest) == ""


# --- duplicates across roles --------------------------------------------------------------------


def test_duplicate_check_and_search_find_a_person_in_either_role(marac: Session) -> None:
    cid = _referral(marac, today() - dt.timedelta(days=10))
    linked_people.add_person(marac, case_id=cid, role="perpetrator", person=PERP)
    ref = cases.resolve_case(marac, cid).ref
    # the perpetrator is referred as a victim on a new case: the intake check finds him
    found = linked_people.find_matching_linked(
        marac, forenames="Darren", surname="KELL", date_of_birth=dt.date(1985, 2, 14))
    assert [(m.case_ref, m.role_label, m.reason) for m in found] == [
        (ref, "Person causing harm", "name and date of birth")]
    by_id = linked_people.find_matching_linked(
        marac, forenames="D", surname="Other", date_of_birth=None,
        identifiers=(Identifier("pnc", "12-345678-A"),))
    assert [m.reason for m in by_id] == ["identifier"]
    assert linked_people.find_matching_linked(
        marac, forenames="Darren", surname="Kell", date_of_birth=dt.date(1985, 2, 15)) == []
    # person search finds the case by the linked person's name, identifier or date of birth
    for text in ("darren kell", "12345678A", "14/02/1985"):
        assert cid in cases.list_case_ids(marac, search=text), text


# --- printed ------------------------------------------------------------------------------------


def _pdf_text(path: Path) -> str:
    pages = (unicodedata.normalize("NFC", p.extract_text() or "") for p in pypdf.PdfReader(path).pages)
    return re.sub(r"\s+", "", "".join(pages))


def test_linked_people_are_printed_in_the_case_paper(marac: Session, tmp_path: Path) -> None:
    cid = _referral(marac, today() - dt.timedelta(days=10))
    linked_people.add_person(marac, case_id=cid, role="perpetrator", person=PERP)
    linked_people.add_person(marac, case_id=cid, role="child", person=linked_people.PersonInput(
        forenames="Mia", surname="Marsh", date_of_birth=dt.date(2018, 1, 9)))
    me = marac.me.id
    mid = meetings.schedule_meeting(marac, held_on=today() + dt.timedelta(days=7), case_ids=[cid], distribution=[me])
    data = packs.meeting_pack_data(marac, meeting_id=mid, recipient=me)
    paper = next(p for p in data.case_papers if p.case.id == cid)
    assert [(label, p.display_name) for label, p in paper.linked_people] == [
        ("Person causing harm", "Darren Kell"), ("Child in the household", "Mia Marsh")]
    text = _pdf_text(packs.write_meeting_pack(marac, meeting_id=mid, recipient=me, out=tmp_path / "pack.pdf"))
    assert "Peoplelinkedtothecase" in text
    for s in ("Personcausingharm", "DarrenKell", "PNC12/345678A", "Childinthehousehold", "MiaMarsh", "9Jan2018"):
        assert s in text, s


def test_linked_people_are_listed_in_the_subject_access_report(marac: Session, tmp_path: Path) -> None:
    from app.services.documents import subject_access

    cid = _referral(marac, today() - dt.timedelta(days=10))
    linked_people.add_person(marac, case_id=cid, role="perpetrator", person=PERP)
    data = subject_access.subject_access_data(marac, case_id=cid)
    part = next(p for p in data.cases if p.case.id == cid)
    assert [(label, p.display_name) for label, p in part.linked_people] == [("Person causing harm", "Darren Kell")]
    text = _pdf_text(subject_access.subject_access_report(marac, out=tmp_path / "sar.pdf", case_id=cid))
    for s in ("Peoplelinkedtothecase", "Personcausingharm", "DarrenKell", "PNC12/345678A"):
        assert s in text, s


def test_the_demo_panel_has_perpetrators_children_and_a_genuine_repeat(marac: Session) -> None:
    ids = cases.list_case_ids(marac)
    roles = {cid: [p.role for p in linked_people.people_of(marac, cid)] for cid in ids}
    assert all(r.count("perpetrator") == 1 for r in roles.values())
    assert any("child" in r for r in roles.values()) and any("child" not in r for r in roles.values())
    repeats = [cid for cid in ids if linked_people.repeat_of_case(marac, cid)]
    assert repeats, "no repeat MARAC in the demo panel"


# --- the young people's checklist ---------------------------------------------------------------


def _young(session: Session, age: int) -> str:
    prog = session.programme
    born = today().replace(year=today().year - age) - dt.timedelta(days=30)
    return referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Kayla", surname="Dunn", date_of_birth=born),
        referral=ReferralInput(received=today(), referrer="School nurse", sector=prog.sectors[0].label,
                                     concern=prog.concerns[0].label, narrative="Disclosed abuse by her boyfriend."),
    )


def _answers(fw: object, yes: int) -> tuple[object, ...]:
    from app.models.domain import FactorRating

    ids = fw.factor_ids()  # type: ignore[attr-defined]
    return tuple(FactorRating(d, f, "yes" if i < yes else "no", "") for i, (d, f) in enumerate(ids))


def test_the_young_peoples_checklist_is_chosen_by_age_and_scored(marac: Session) -> None:
    from app.models.framework import split_summaries
    from app.services import risk

    prog = marac.programme
    yp = prog.framework_by_id("young-people")
    assert yp.ages == (13, 17) and yp.is_checklist and yp is not prog.framework
    teen, adult = _young(marac, 15), _young(marac, 30)
    assert risk.framework_for_case(marac, case_id=teen) is yp
    assert risk.framework_for_case(marac, case_id=adult) is prog.framework

    # scored on its own questions: 14 yes answers suggest high, and judgement may not lower it
    low = risk.AssessmentInput(factors=_answers(yp, 14), dimension_summaries=(), overall="Seen at school.",
                               risk_level="medium", level_reason="Feels safer now.")
    before = dump_store(marac)
    with pytest.raises(InvalidInput, match="never lower"):
        risk.record_assessment(marac, case_id=teen, assessment=low)
    assert dump_store(marac) == before
    aid = risk.record_assessment(marac, case_id=teen, assessment=risk.AssessmentInput(
        factors=_answers(yp, 14), dimension_summaries=(), overall="Seen at school.", risk_level="high"))
    a = cases.get_case_file(marac, teen, audit_view=False).assessments[-1]
    notes = split_summaries(a.dimension_summaries)
    assert a.id == aid and a.risk_level == "high"
    assert (notes.framework, notes.suggested_level) == ("young-people", "high")
    assert prog.framework_of(notes) is yp

    # the adult checklist's answers are not the young people's: refused for a 15-year-old
    with pytest.raises(InvalidInput, match="not part of"):
        risk.record_assessment(marac, case_id=teen, assessment=risk.AssessmentInput(
            factors=_answers(prog.framework, 14), dimension_summaries=(), overall="x", risk_level="high"))
    # the coordinator may choose a checklist whatever the age (an 18-year-old still at school)
    risk.record_assessment(marac, case_id=adult, assessment=risk.AssessmentInput(
        factors=_answers(yp, 3), dimension_summaries=(), overall="x", risk_level="standard",
        framework="young-people"))
    a = cases.get_case_file(marac, adult, audit_view=False).assessments[-1]
    assert split_summaries(a.dimension_summaries).framework == "young-people"
    with pytest.raises(InvalidInput, match="not an assessment framework"):
        risk.record_assessment(marac, case_id=adult, assessment=risk.AssessmentInput(
            factors=_answers(yp, 3), dimension_summaries=(), overall="x", risk_level="standard", framework="nope"))


def test_a_retention_purge_deletes_the_cases_linked_people(marac: Session) -> None:
    from app.services import retention

    cid = _referral(marac, today() - dt.timedelta(days=30))
    linked_people.add_person(marac, case_id=cid, role="perpetrator", person=PERP)
    lifecycle.change_status(marac, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(marac, case_id=cid, outcome="no-further-action", rationale="Not domestic abuse.")
    result = retention.purge_case(marac, case_id=cid, reason="Erasure", override_reason="Agreed")
    assert result.counts.get("linked_person") == 1
    dump = dump_store(marac)
    assert not [r for r in dump["linked_person"] if cid in r]
    assert "Kell" not in repr(dump["linked_person"])


def test_a_referral_file_row_about_a_recorded_perpetrator_says_so(marac: Session, tmp_path: Path) -> None:
    from app.services import intake
    from tests.support.intake_csv import csv_bytes, put, row

    cid = _referral(marac, today() - dt.timedelta(days=10))
    linked_people.add_person(marac, case_id=cid, role="perpetrator", person=PERP)
    ref = cases.resolve_case(marac, cid).ref
    data = csv_bytes([row(**{"Forename(s)": "Darren", "Surname": "Kell", "D.O.B.": "14/02/1985",
                             "Referring agency": "police", "Type of concern": "partner"})])
    preview = intake.preview_referral_file(marac, path=put(tmp_path, "r.csv", data))
    assert preview.rows[0].ok, preview.problems
    assert preview.rows[0].also_recorded == (f"recorded as person causing harm on {ref} (name and date of birth)",)


def test_the_demo_assesses_its_13_to_17_year_olds_with_the_young_peoples_checklist(marac: Session) -> None:
    from app.models.framework import split_summaries

    prog = marac.programme
    used: dict[str, int] = {}
    for cid in cases.list_case_ids(marac):
        f = cases.get_case_file(marac, cid, audit_view=False)
        for a in f.assessments:
            fw = prog.framework_of(split_summaries(a.dimension_summaries))
            assert {(x.dimension, x.factor) for x in a.factors} == set(fw.factor_ids())
            used[fw.id] = used.get(fw.id, 0) + 1
            if fw.id == "young-people":
                assert f.subject.age_on(f.referral.received) in range(13, 18)  # type: ignore[union-attr]
    assert used.get("young-people") and used.get("adult")


def test_a_young_peoples_version_is_printed_with_its_own_questions(marac: Session, tmp_path: Path) -> None:
    from app.services import risk
    from app.services.documents import subject_access

    yp = marac.programme.framework_by_id("young-people")
    teen = _young(marac, 14)
    risk.record_assessment(marac, case_id=teen, assessment=risk.AssessmentInput(
        factors=_answers(yp, 2), dimension_summaries=(), overall="Seen at school.", risk_level="standard"))
    text = _pdf_text(subject_access.subject_access_report(marac, out=tmp_path / "sar.pdf", case_id=teen))
    assert "threatenedtoshare,sexualpicturesorvideos" in text  # a young people's question, by its label
    me = marac.me.id
    mid = meetings.schedule_meeting(marac, held_on=today() + dt.timedelta(days=7), case_ids=[teen], distribution=[me])
    pack = _pdf_text(packs.write_meeting_pack(marac, meeting_id=mid, recipient=me, out=tmp_path / "p.pdf"))
    assert "Youngpeople'sdomesticabuseriskchecklist" in pack.replace("’", "'")
