"""The subject identifier index (migration 0003) is kept by triggers on every path that writes a
subject, and normalises exactly as ``people.identifier_key`` does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text

from app.models import people
from app.models.domain import Identifier
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases
from app.services.cases import referrals
from app.storage.schema import subject_identifier
from tests.support.stores import TODAY


def _rows(session, subject_id: str) -> set[str]:
    with session.view() as conn:
        q = select(subject_identifier.c.value).where(subject_identifier.c.subject_id == subject_id)
        return {r[0] for r in conn.execute(q)}


def _subject(**kw) -> SubjectInput:
    return SubjectInput(
        forenames="Łukasz",
        surname="Kowalczyk",
        date_of_birth=kw.get("dob", dt.date(2001, 2, 3)),
        identifiers=kw.get("ids", (Identifier("pnc", "24/844744c"), Identifier("nhs", "485 777 3456"))),
    )


def test_created_updated_and_deleted_subjects_keep_the_index(session):
    ref = ReferralInput(TODAY, "GP", "health", "islamist", "Concern.")
    cid = referrals.open_referral(session, subject=_subject(), referral=ref)
    sid = cases.get_case_file(session, cid, audit_view=False).subject.id
    assert _rows(session, sid) == {"24844744C", "4857773456"}
    referrals.update_subject(session, subject_id=sid, subject=_subject(ids=(Identifier("nhs", "943-476-5919"),)))
    assert _rows(session, sid) == {"9434765919"}
    with session.change() as w:
        w.delete("subject", sid)
    assert _rows(session, sid) == set()


def test_matching_uses_the_index_with_the_same_normalisation(session):
    ref = ReferralInput(TODAY, "GP", "health", "islamist", "Concern.")
    referrals.open_referral(session, subject=_subject(), referral=ref)
    other = SubjectInput("X", "Y", None, identifiers=(Identifier("pnc", " 24-844744C "),))
    found = referrals.find_matching_subjects(session, other)
    assert [m.reason for m in found] == ["identifier"]


def test_python_and_sql_normalise_alike(session):
    samples = ["24/844744c", " 485 777 3456 ", "ab.cd-ef/gh", "Zoë-1", ""]
    with session.view() as conn:
        for value in samples:
            sql = conn.execute(
                text("SELECT upper(replace(replace(replace(replace(:v, ' ', ''), '/', ''), '-', ''), '.', ''))"),
                {"v": value},
            ).scalar_one()
            assert sql == people.identifier_key(value)
