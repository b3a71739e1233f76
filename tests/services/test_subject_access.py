"""Subject access: one person's everything across their cases, other agencies' items marked for
their decision, restricted items listed without their text, nothing of anyone else; written
safely, audited as a disclosure, coordinator only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import text

from app.models.enums import Marking
from app.models.errors import FileWriteError, NotFound, PermissionDenied
from app.models.referral_input import ReferralInput, SubjectInput
from app.reports.subject_access import other_agency_label
from app.services import cases, panel
from app.services.cases import referrals
from app.services.context import Session
from app.services.documents import subject_access
from tests.support.stores import dump_store


def _pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def _flat(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture
def person(session: Session) -> dict[str, object]:
    """A person with two cases (the second linked to the same subject), contributions from the
    coordinator's agency, from another agency, and one restricted away from the coordinator."""
    agencies = panel.list_agencies(session)
    other = next(a for a in agencies if a.id != session.agency.id and a.is_police)
    third = next(a for a in agencies if a.id not in (session.agency.id, other.id))
    first = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Zephyrine", surname="Quillfeather",
                             date_of_birth=dt.date(2001, 2, 3)),
        referral=ReferralInput(received=dt.date(2026, 10, 1), referrer="A teacher",
                               sector="education", concern="other",
                               narrative="First concern narrative."),
        shared_with=[other.id, third.id],
    )
    subject_id = cases.get_case_file(session, first, audit_view=False).subject.id
    second = referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Zephyrine", surname="Quillfeather"),
        referral=ReferralInput(received=dt.date(2026, 11, 2), referrer="GP", sector="health",
                               concern="other", narrative="Second concern narrative."),
        link_subject=subject_id,
        shared_with=[other.id],
    )
    with session.change() as w:
        for agency, words, restricted in (
            (session.agency.id, "Council note OWNNOTE", []),
            (other.id, "Police intelligence POLICENOTE", []),
            (other.id, "Restricted detail SECRETNOTE", [other.id]),
        ):
            w.create("contribution", {
                "case_id": first, "agency_id": agency, "author": None, "text": words,
                "recorded_on": dt.date(2026, 10, 5), "marking": Marking.OFFICIAL_SENSITIVE,
                "restricted_to": restricted, "kind": "information", "supersedes": None,
            })
    refs = [cases.get_case_file(session, c, audit_view=False).case.ref for c in (first, second)]
    return {"first": first, "second": second, "subject": subject_id, "refs": refs,
            "other": other.name}


def test_report_holds_everything_of_the_person_and_nothing_else(session, person, tmp_path):
    out = subject_access.subject_access_report(session, case_id=str(person["second"]),
                                               out=tmp_path / "sar.pdf")
    body = _pdf_text(out)
    flat = _flat(body)
    assert "Zephyrine Quillfeather" in body
    for ref in person["refs"]:  # type: ignore[attr-defined]
        assert f"Case {ref}" in body
    assert "First concern narrative." in flat and "Second concern narrative." in flat
    assert "OWNNOTE" in body and "POLICENOTE" in body
    assert _flat(other_agency_label(str(person["other"]))) in flat
    assert "SECRETNOTE" not in body and "restricted by" in flat  # listed, text withheld
    # Nothing of any other person: no other subject's name, no other case's ref.
    for summary in cases.list_cases(session):
        if summary.id not in (person["first"], person["second"]):
            assert summary.subject_name not in body
            assert summary.ref not in body
    # Metadata names no person.
    meta = pypdf.PdfReader(out).metadata
    assert meta is not None and "Quillfeather" not in repr(dict(meta))


def test_by_subject_id_same_cases(session, person):
    data = subject_access.subject_access_data(session, subject_id=str(person["subject"]))
    assert [p.case.ref for p in data.cases] == person["refs"]
    assert {len(p.withheld) for p in data.cases} == {0, 1}


def test_demo_case_with_history(session, tmp_path):
    """A demo case at the support stage: status history, screening, assessment, plan, actions."""
    cid = next(c.id for c in cases.list_cases(session, statuses=["support-plan"]))
    cf = cases.get_case_file(session, cid, audit_view=False)
    out = subject_access.subject_access_report(session, case_id=cid, out=tmp_path / "s.pdf")
    flat = _flat(_pdf_text(out))
    assert cf.subject.display_name in flat and cf.case.ref in flat
    for heading in ("Status history", "Screening decisions", "Assessments", "Plans", "Actions"):
        assert heading in flat
    if cf.actions:
        assert _flat(cf.actions[0].title)[:30] in flat


def test_audited_as_disclosure(session, person, tmp_path):
    subject_access.subject_access_report(session, subject_id=str(person["subject"]),
                                         out=tmp_path / "sar.pdf")
    with session.view() as conn:
        rows = conn.execute(text(
            "SELECT fields FROM audit WHERE action = 'disclosure-subject-access' AND record_id = :s"
        ), {"s": person["subject"]}).all()
    assert len(rows) == 1
    fields = json.loads(rows[0][0])
    assert sorted(fields) == sorted([f"case:{person['first']}", f"case:{person['second']}"])


def test_refusals_write_nothing(session, person, tmp_path):
    before = dump_store(session)
    with pytest.raises(NotFound):
        subject_access.subject_access_report(session, case_id="nope", out=tmp_path / "a.pdf")
    with pytest.raises(FileWriteError):
        subject_access.subject_access_report(session, case_id=str(person["first"]),
                                             out=tmp_path / "missing" / "a.pdf")
    officer = next(m for m in panel.list_members(session) if m.role.value == "officer")
    agency = next(a for a in panel.list_agencies(session) if a.id == officer.agency_id)
    other = Session(session.store, _workstation=dataclasses.replace(
        session.workstation, member=officer, agency=agency))
    with pytest.raises(PermissionDenied):
        subject_access.subject_access_report(other, case_id=str(person["first"]),
                                             out=tmp_path / "b.pdf")
    assert dump_store(session) == before
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*"))
