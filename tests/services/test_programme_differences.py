"""What a programme changes beyond its lifecycle, in a MAPPA store beside the default one: no
consent sought (``records_consent = false``: none recorded, counted or accepted), and its own words
for the stages counted (``[statistics.labels]``) and for the agenda (``[agenda_labels]``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from app.models.enums import ConsentState
from app.models.errors import Refused
from app.services import cases, statistics
from app.services.cases import sharing
from app.services.context import Session
from tests.support.stores import dump_store

PERIOD = {"start": dt.date(2024, 1, 1), "end": dt.date(2026, 11, 30)}


def test_mappa_seeks_no_consent(msession: Session) -> None:
    assert not msession.programme.records_consent
    ids = cases.list_case_ids(msession)
    assert ids and all(not cases.get_case_file(msession, c, audit_view=False).consents for c in ids)
    before = dump_store(msession)
    with pytest.raises(Refused, match="does not seek consent"):
        sharing.record_consent(msession, case_id=ids[0], state=ConsentState.GIVEN)
    assert dump_store(msession) == before
    assert "consent" not in {b.key for b in statistics.compute(msession, **PERIOD).breakdowns}


def test_the_default_programme_still_records_and_counts_consent(session: Session) -> None:
    assert session.programme.records_consent
    assert "consent" in {b.key for b in statistics.compute(session, **PERIOD).breakdowns}
    cid = cases.list_case_ids(session)[0]
    sharing.record_consent(session, case_id=cid, state=ConsentState.GIVEN)
    assert cases.get_case_file(session, cid, audit_view=False).consents


def test_the_statistics_use_the_programmes_words_for_its_stages(msession: Session, session: Session) -> None:
    """MAPPA counts cases "Managed at level 2 or 3" and "Stepped down" ([statistics.labels]),
    not "Adopted by the panel"; the headline captions follow; the default keeps its words."""
    mappa = statistics.compute(msession, **PERIOD)
    labels = [r.label for r in mappa.breakdown("case_progress").rows]
    assert labels == ["Referrals received", "Discussed at panel", "Managed at level 2 or 3", "Stepped down"]
    assert dict(mappa.captions)["adopted"] == "Managed at level 2 or 3"
    assert mappa.breakdown("case_progress").count_of("adopted") == mappa.breakdown("case_progress").value(
        "Managed at level 2 or 3")
    default = statistics.compute(session, **PERIOD)
    assert [r.label for r in default.breakdown("case_progress").rows][2:] == ["Adopted by the panel",
                                                                             "Exited after support"]
    assert dict(default.captions)["exited"] == "Exited"


@pytest.mark.slow
def test_papers_use_the_programmes_words_for_the_agenda(msession: Session, session: Session, tmp_path: Path) -> None:
    """A MAPPA panel's agenda has "Review after step-down", not "Post-exit review", in the
    pack's agenda and in the minutes; the default keeps its words ([agenda_labels])."""
    import pypdf

    from app.models.enums import AgendaKind
    from app.services import meetings
    from app.services.documents import minutes as minutes_doc
    from app.services.documents import packs as packs_svc

    def text(path: Path) -> str:
        return " ".join(" ".join((p.extract_text() or "") for p in pypdf.PdfReader(path).pages).split())

    def first_with_post_exit(s: Session) -> object:
        return next(m for m in meetings.list_meetings(s)
                    if m.status == "held" and any(i.kind is AgendaKind.POST_EXIT_REVIEW for i in m.agenda))

    m = first_with_post_exit(msession)
    minutes = text(minutes_doc.write_minutes(msession, meeting_id=m.id, out=tmp_path / "m.pdf"))
    # item headings ("2. Review after step-down: RT-…"); the demo's minute texts are its own words
    assert re.search(r"\d+\. Review after step-down", minutes)
    assert not re.search(r"\d+\. Post-exit review", minutes)
    packs = [text(packs_svc.write_meeting_pack(msession, meeting_id=m.id, recipient=r.member_id,
                                               out=tmp_path / f"p{n}.pdf"))
             for n, r in enumerate(packs_svc.pack_recipients(msession, meeting_id=m.id))]
    # the agenda names each item's kind on its line ("Review after step-down"), where the case may be seen
    assert any("Review after step-down" in pack for pack in packs)
    assert not any("Post-exit review" in pack for pack in packs)
    d = first_with_post_exit(session)
    default = text(minutes_doc.write_minutes(session, meeting_id=d.id, out=tmp_path / "d.pdf"))
    assert re.search(r"\d+\. Post-exit review", default)
