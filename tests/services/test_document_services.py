"""The documents service on the 40-case demo store: packs cut to each recipient's need-to-know,
read back with pypdf (every page's text, the metadata and the outline), audited as disclosures,
and every refusal leaving no file and the store unchanged."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest

from app.models.errors import AppError, FileWriteError, InvalidInput, NotFound, Refused
from app.services import cases as cases_svc
from app.services import contributions as contrib_svc
from app.services import documents as docs
from app.services import meetings as meetings_svc
from app.services import panel as panel_svc
from app.services.documents import minutes, packs, plans
from tests.support.stores import dump_store

TOKEN = "ZEBRA-7731 police intelligence about a named associate"


class Pdf:
    def __init__(self, path: Path) -> None:
        self.reader = pypdf.PdfReader(path)
        self.pages = [
            unicodedata.normalize("NFC", p.extract_text() or "") for p in self.reader.pages
        ]
        self.metadata = " ".join(str(v) for v in (self.reader.metadata or {}).values())
        self.titles: list[str] = []
        self._walk(self.reader.outline)

    def _walk(self, items: list[Any]) -> None:
        for it in items:
            if isinstance(it, list):
                self._walk(it)
            else:
                self.titles.append(unicodedata.normalize("NFC", it.title))

    @property
    def everything(self) -> str:
        return "\n".join([*self.pages, self.metadata, *self.titles])

    def has(self, text: str) -> bool:
        """Whitespace-blind, so a phrase wrapped across lines is still found (and absence is strict)."""
        squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
        return squash(text) in squash(self.everything)


def _setup(session: Any) -> dict[str, Any]:
    """A meeting on 3 Dec with a few agenda cases: one visible to police and to agency Y (with a
    contribution restricted to police), one NOT visible to Y."""
    agencies = {a.short: a for a in panel_svc.list_agencies(session)}
    members = panel_svc.list_members(session)
    by_agency = {m.agency_id: m for m in members if m.role.value == "officer"}
    police = agencies["NP"]
    upcoming = next(m for m in meetings_svc.list_meetings(session) if m.status == "scheduled")
    cases = [cases_svc.resolve_case(session, i.case_id) for i in upcoming.agenda if i.case_id]
    names = {
        c.id: cases_svc.get_case_file(session, c.id, audit_view=False).subject.display_name
        for c in cases
    }
    for short in ("EDU", "HSG", "PS", "ICB", "CSC", "YJS", "FRS", "ASC", "MHT", "CTP"):
        y = agencies[short]
        shared = [c for c in cases if y.id in c.shared_with or c.lead_agency == y.id]
        hidden = [
            c
            for c in cases
            if c not in shared
            and list(names.values()).count(names[c.id]) == 1
            and not any(names[c.id] in names[s.id] or names[s.id] in names[c.id] for s in shared)
        ]
        if shared and hidden:
            break
    else:  # pragma: no cover - the demo seed gives one
        pytest.fail("no agency with both a shared and a hidden agenda case")
    contrib_svc.add_contribution(
        session, case_id=shared[0].id, text=TOKEN, restricted_to=[police.id]
    )
    mid = meetings_svc.schedule_meeting(
        session,
        held_on=dt.date(2026, 12, 3),
        case_ids=[shared[0].id, hidden[0].id],
        distribution=[by_agency[police.id].id, by_agency[y.id].id],
    )
    return {
        "meeting": mid,
        "police": by_agency[police.id],
        "other": by_agency[y.id],
        "shared": shared[0],
        "hidden": hidden[0],
        "hidden_name": names[hidden[0].id],
        "members": members,
    }


@pytest.fixture
def world(session: Any) -> dict[str, Any]:
    return _setup(session)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the documents (tmp_path itself holds the store)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_pack_per_recipient_need_to_know_both_ways(session, world, out):
    out_police = packs.write_meeting_pack(
        session, meeting_id=world["meeting"], recipient=world["police"].id, out=out / "police.pdf"
    )
    out_other = packs.write_meeting_pack(
        session, meeting_id=world["meeting"], recipient=world["other"].id, out=out / "other.pdf"
    )
    police, other = Pdf(out_police), Pdf(out_other)
    # The restricted item: present for the agency it names, absent everywhere for the other.
    assert police.has(TOKEN)
    assert not other.has(TOKEN)
    assert TOKEN not in repr(
        packs.meeting_pack_data(session, meeting_id=world["meeting"], recipient=world["other"].id)
    )
    # The case not shared with the other agency: its paper, ref and subject's name are nowhere.
    assert police.has(world["hidden_name"]) and police.has(world["hidden"].ref)
    assert not other.has(world["hidden_name"])
    assert not other.has(world["hidden"].ref)
    assert other.has(world["shared"].ref)
    for pdf, who in ((police, world["police"]), (other, world["other"])):
        # Marking twice on every page, the recipient on every page, numbered pages.
        n = len(pdf.pages)
        assert sum(p.count("OFFICIAL-SENSITIVE") for p in pdf.pages) == 2 * n
        for i, page in enumerate(pdf.pages, start=1):
            assert re.search(rf"Copy \d+ for {re.escape(who.name)}", page), i
            assert f"Page {i} of {n}" in page
        assert "Meeting pack" in pdf.metadata
    # Overdue actions are marked in words.
    data = packs.meeting_pack_data(
        session, meeting_id=world["meeting"], recipient=world["police"].id
    )
    lines = [*data.action_log, *(line for p in data.case_papers for line in p.actions)]
    assert any(line.overdue for line in lines)
    assert police.has("OVERDUE")


def test_each_pack_is_audited_as_a_disclosure(session, world, out):
    before = {
        e.seq for e in panel_svc.history(session, entity="meeting", record_id=world["meeting"])
    }
    paths = packs.write_all_packs(session, meeting_id=world["meeting"], out_dir=out)
    assert len(paths) == 2 and sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in paths
    )
    assert all(re.fullmatch(r"2026-12-03 pack 0[12] [^/\\]+\.pdf", p.name) for p in paths)
    entries = [
        e
        for e in panel_svc.history(session, entity="meeting", record_id=world["meeting"])
        if e.seq not in before
    ]
    assert sorted(e.action for e in entries) == ["disclosure-pack", "disclosure-pack"]
    # the recipient (a bare member id, as ever), the copy number and the cases it carried
    recipients = {next(f for f in e.fields if ":" not in f) for e in entries}
    assert recipients == {world["police"].id, world["other"].id}
    assert {f for e in entries for f in e.fields if f.startswith("copy:")} == {"copy:1", "copy:2"}
    assert all(any(f.startswith("case:") for f in e.fields) for e in entries)
    assert all(e.actor == session.me.id for e in entries)
    assert panel_svc.verify_audit(session).ok


def test_plan_and_minutes_written_and_audited(session, out):
    case = next(
        c
        for c in (cases_svc.resolve_case(session, r.ref) for r in cases_svc.list_cases(session))
        if cases_svc.get_case_file(session, c.id, audit_view=False).current_plan is not None
    )
    plan = Pdf(plans.write_plan(session, case_id=case.id, out=out / "plan.pdf"))
    assert plan.has(case.ref) and sum(p.count("OFFICIAL-SENSITIVE") for p in plan.pages) == 2 * len(
        plan.pages
    )
    assert (
        next(e.action for e in panel_svc.history(session, entity="case", record_id=case.id))
        == "disclosure-plan"
    )
    held = [m for m in meetings_svc.list_meetings(session) if m.status == "held"][-1]
    full = Pdf(minutes.write_minutes(session, meeting_id=held.id, out=out / "m.pdf"))
    summary = Pdf(minutes.write_minutes(session, meeting_id=held.id, out=out / "s.pdf", summary=True))
    discussion = next(i.discussion for i in held.agenda if i.discussion)
    assert full.has(discussion) and not summary.has(discussion)
    first_case = next(i.case_id for i in held.agenda if i.case_id)
    name = cases_svc.get_case_file(session, first_case, audit_view=False).subject.display_name
    assert full.has(name) and not summary.has(name)
    actions = [e.action for e in panel_svc.history(session, entity="meeting", record_id=held.id)]
    assert actions[:2] == ["disclosure-minutes-summary", "disclosure-minutes"]


def _refused(session, folder: Path, exc: type[AppError], words: str, fn) -> None:
    before = dump_store(session)
    with pytest.raises(exc) as info:
        fn()
    assert words in info.value.user_message
    assert sorted(folder.iterdir()) == []
    assert dump_store(session) == before


def test_bad_input_is_refused_with_no_file_and_no_change(session, world, out):
    empty = meetings_svc.schedule_meeting(session, held_on=dt.date(2026, 12, 20))
    mid, police = world["meeting"], world["police"].id
    outsider = next(m for m in world["members"] if m.id not in (police, world["other"].id))
    referred = next(c for c in cases_svc.list_cases(session) if c.status == "referred")
    cases = [
        (
            InvalidInput,
            "no agenda",
            lambda: packs.write_meeting_pack(
                session, meeting_id=empty, recipient=police, out=out / "a.pdf"
            ),
        ),
        (
            InvalidInput,
            "no agenda",
            lambda: packs.write_all_packs(session, meeting_id=empty, out_dir=out),
        ),
        (
            Refused,
            "not on the meeting's distribution",
            lambda: packs.write_meeting_pack(
                session, meeting_id=mid, recipient=outsider.id, out=out / "b.pdf"
            ),
        ),
        (
            NotFound,
            "no such member",
            lambda: packs.write_meeting_pack(
                session, meeting_id=mid, recipient="0" * 36, out=out / "c.pdf"
            ),
        ),
        (
            NotFound,
            "no such meeting",
            lambda: packs.write_meeting_pack(
                session, meeting_id="0" * 36, recipient=police, out=out / "d.pdf"
            ),
        ),
        (
            InvalidInput,
            "no plan yet",
            lambda: plans.write_plan(session, case_id=referred.id, out=out / "e.pdf"),
        ),
        (
            FileWriteError,
            "does not exist",
            lambda: packs.write_meeting_pack(
                session, meeting_id=mid, recipient=police, out=out / "missing" / "f.pdf"
            ),
        ),
        (
            FileWriteError,
            "does not exist",
            lambda: packs.write_all_packs(session, meeting_id=mid, out_dir=out / "missing"),
        ),
        (
            FileWriteError,
            "is a folder",
            lambda: packs.write_meeting_pack(session, meeting_id=mid, recipient=police, out=out),
        ),
        (
            FileWriteError,
            "is a folder",
            lambda: minutes.write_minutes(session, meeting_id=mid, out=out),
        ),
    ]
    for exc, words, fn in cases:
        _refused(session, out, exc, words, fn)


def test_all_packs_is_all_or_nothing(session, world, out):
    before = dump_store(session)
    seen: list[tuple[int, int]] = []
    with pytest.raises(packs.GenerationCancelled):
        packs.write_all_packs(
            session,
            meeting_id=world["meeting"],
            out_dir=out,
            progress=lambda d, t: seen.append((d, t)),
            cancelled=lambda: bool(seen),
        )
    assert seen == [(1, 2)] and list(out.iterdir()) == [] and dump_store(session) == before
    # The second file cannot be written (a folder stands in its place): the first is removed too.
    second = packs.pack_recipients(session, meeting_id=world["meeting"])[1]
    meeting = meetings_svc.get_meeting(session, meeting_id=world["meeting"])
    (out / packs.pack_file_name(meeting, second)).mkdir()
    with pytest.raises(FileWriteError):
        packs.write_all_packs(session, meeting_id=world["meeting"], out_dir=out)
    assert [p.name for p in out.iterdir()] == [packs.pack_file_name(meeting, second)]
    assert dump_store(session) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Łukasz Nowak", "Łukasz Nowak"),
        ("../../etc/passwd", "etc_passwd"),
        ("..hidden", "hidden"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        ("x" * 300, "x" * 60),
        ("\x00\n\t", "recipient"),
    ],
)
def test_safe_file_name(name, expected):
    assert docs.safe_file_name(name) == expected
    assert "/" not in docs.safe_file_name(name) and not docs.safe_file_name(name).startswith(".")
