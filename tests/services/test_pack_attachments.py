"""A meeting pack's appendix of attached documents (issue 16): the PDFs and images of its cases
that the recipient may see, merged as pages, with the pack's marking and recipient line on every
page; restricted ones only in the copies of the agencies they name; audited with the pack."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pypdf
from sqlalchemy import text

from app.services import attachments
from app.services import cases as cases_svc
from app.services import meetings as meetings_svc
from app.services import panel as panel_svc
from app.services.documents import packs as docs
from tests.support import attachment_files as files

PDF_MARK = "KESTREL-APPENDIX-PDF"


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _world(session: Any, tmp_path: Path) -> dict[str, Any]:
    agencies = {a.short: a for a in panel_svc.list_agencies(session)}
    officers = {m.agency_id: m for m in panel_svc.list_members(session) if m.role.value == "officer"}
    police = agencies["NP"]
    all_cases = [cases_svc.resolve_case(session, str(i)) for i in cases_svc.list_case_ids(session)]
    case = next(c for c in all_cases
                if police.id in c.shared_with and any(a in officers and a != police.id for a in c.shared_with))
    other = next(a for a in case.shared_with if a in officers and a != police.id)
    pdf = attachments.add_attachment(session, case_id=case.id,
                                     path=files.write(tmp_path, "School report.pdf", files.pdf_bytes(2, PDF_MARK)))
    png = attachments.add_attachment(session, case_id=case.id, path=files.write(tmp_path, "photo.png", files.png_bytes(40, 30)),
                                     restricted_to=[police.id])
    attachments.add_attachment(session, case_id=case.id, path=files.write(tmp_path, "letter.docx", files.docx_bytes()))
    mid = meetings_svc.schedule_meeting(session, held_on=dt.date(2026, 12, 3), case_ids=[case.id],
                                        distribution=[officers[police.id].id, officers[other].id])
    return {"meeting": mid, "police": officers[police.id], "other": officers[other], "pdf": pdf, "png": png,
            "case": case}


def test_the_appendix_holds_what_the_recipient_may_see_with_the_marking_on_every_page(session: Any, tmp_path: Path) -> None:
    w = _world(session, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    plain = docs.write_meeting_pack(session, meeting_id=w["meeting"], recipient=w["police"].id, out=out / "plain.pdf")
    police = docs.write_meeting_pack(session, meeting_id=w["meeting"], recipient=w["police"].id,
                                     out=out / "police.pdf", with_attachments=True)
    other = docs.write_meeting_pack(session, meeting_id=w["meeting"], recipient=w["other"].id,
                                    out=out / "other.pdf", with_attachments=True)
    base = len(pypdf.PdfReader(plain).pages)
    pr, orr = pypdf.PdfReader(police), pypdf.PdfReader(other)
    # police: a title page, the PDF's two pages, the image's page; the other agency: no image
    assert len(pr.pages) == base + 4
    assert len(orr.pages) == base + 3
    police_pages = [_squash(p.extract_text() or "") for p in pr.pages]
    first = police_pages[0]
    marking = next(m for m in ("OFFICIAL-SENSITIVE", "OFFICIAL") if m in first)
    recipient = w["police"].name.replace(" ", "")
    for page in police_pages[base:]:
        assert page.count(marking.replace(" ", "")) >= 2, page
        assert recipient in page, page
    assert "Appendix:attacheddocuments" in police_pages[base]
    assert _squash(PDF_MARK) in police_pages[base + 1] and _squash(PDF_MARK) in police_pages[base + 2]
    assert "photo.png" in police_pages[base + 3] and "letter.docx" not in "".join(police_pages)
    other_pages = "".join(_squash(p.extract_text() or "") for p in orr.pages)
    assert "photo.png" not in other_pages and _squash(PDF_MARK) in other_pages
    # audited with the pack: which attachments each copy carried
    with session.view() as conn:
        rows = conn.execute(text("SELECT fields FROM audit WHERE action = 'disclosure-pack' ORDER BY seq")).all()
    fields = [json.loads(r[0]) for r in rows]
    def carried(f: list[str]) -> list[str]:  # the audit keeps an entry's fields sorted
        return sorted(x for x in f if x.startswith("attachment:"))

    assert fields[-2][0] == w["police"].id and fields[-1][0] == w["other"].id
    assert carried(fields[-2]) == sorted([f"attachment:{w['pdf']}", f"attachment:{w['png']}"])
    assert carried(fields[-1]) == [f"attachment:{w['pdf']}"]
