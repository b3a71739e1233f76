"""At the receiving panel: the preview says when this panel already holds someone who looks like
the offered case's subject (the referral screen's rule), before anything is accepted."""

from __future__ import annotations

from pathlib import Path

from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, transfer
from app.services.cases import referrals
from tests.support.partner_stores import enrol_each_other, open_case_id
from tests.support.stores import today


def test_a_person_already_held_here_is_named_in_the_preview(session, south, tmp_path: Path):
    enrol_each_other(session, south)
    case_id = open_case_id(session)
    subject = cases.get_case_file(session, case_id, audit_view=False).subject
    out = tmp_path / "offer.rtt"
    transfer.offer(session, case=case_id, to=south.workstation.panel_name, out=out)
    first = transfer.import_file(south, path=out)
    assert first.matches == ()
    local = referrals.open_referral(
        south,
        subject=SubjectInput(forenames=subject.forenames, surname=subject.surname,
                             date_of_birth=subject.date_of_birth),
        referral=ReferralInput(received=today(), referrer="A neighbour", sector="community",
                               concern="other", narrative="Known here already."),
    )
    ref = cases.get_case_file(south, local, audit_view=False).case.ref
    again = transfer.import_file(south, path=out)
    assert again.already_received
    assert len(again.matches) == 1 and ref in again.matches[0]
    assert "name and date of birth" in again.matches[0]
