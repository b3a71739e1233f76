"""The disclosure log (issue 16): one row per disclosure, derived from the audit chain.

Every disclosing action is driven and must add exactly one row, with the right kind, cases,
recipient (by name) and author; a scripted day of use on a three-store panel gives exactly the
expected rows, the filters choose among them, the XLSX and PDF exports are marked and hold them,
and each case's History says which disclosures carried it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from sqlalchemy import text

from app.models import disclosures as model
from app.models.domain import AuditEntry
from app.models.errors import InvalidInput, NotFound
from app.services import cases as cases_svc
from app.services import disclosures, history, meetings, statistics
from app.services import panel as panel_svc
from app.services.documents import minutes as minutes_docs
from app.services.documents import packs, plans, subject_access
from tests.support.stores import dump_store
from tests.support.sync_support import Panel, open_case, panel_template  # noqa: F401 - fixture
from tests.support.sync_support import panel as sync_panel  # noqa: F401 - fixture


def _rows(session: Any, **kw: Any) -> list[Any]:
    return disclosures.disclosures(session, **kw)


def _new(session: Any, before: list[Any]) -> list[Any]:
    seen = {r.seq for r in before}
    return [r for r in _rows(session) if r.seq not in seen]


def _case_with_plan(session: Any) -> Any:
    for s in cases_svc.list_cases(session):
        c = cases_svc.resolve_case(session, s.ref)
        if cases_svc.get_case_file(session, c.id, audit_view=False).current_plan is not None:
            return c
    raise AssertionError("the demo has a case with a plan")


# --- every disclosing action: exactly one row ----------------------------------------------------


def test_every_disclosing_action_writes_exactly_one_row(session: Any, tmp_path: Path) -> None:
    me = session.me.name
    upcoming = next(m for m in meetings.list_meetings(session) if m.status == "scheduled")
    held = [m for m in meetings.list_meetings(session) if m.status == "held"][-1]
    recipient = packs.pack_recipients(session, meeting_id=upcoming.id)[1]
    plan_case = _case_with_plan(session)
    sar_case = cases_svc.resolve_case(session, next(i.case_id for i in held.agenda if i.case_id))
    actions = {
        "pack": lambda: packs.write_meeting_pack(session, meeting_id=upcoming.id,
                                                recipient=recipient.member_id, out=tmp_path / "p.pdf"),
        "plan": lambda: plans.write_plan(session, case_id=plan_case.id, out=tmp_path / "plan.pdf"),
        "minutes": lambda: minutes_docs.write_minutes(session, meeting_id=held.id, out=tmp_path / "m.pdf"),
        "minutes-summary": lambda: minutes_docs.write_minutes(session, meeting_id=held.id,
                                                      out=tmp_path / "s.pdf", summary=True),
        "subject-access": lambda: subject_access.subject_access_report(
            session, case_id=sar_case.id, out=tmp_path / "sar.pdf"),
        "statistics": lambda: statistics.write_return(
            session, start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 30), out=tmp_path / "r.xlsx"),
    }
    for kind, act in actions.items():
        before = _rows(session)
        act()
        new = _new(session, before)
        assert [r.kind for r in new] == [kind], kind
        row = new[0]
        assert row.by == me and row.cases_recorded
        if kind == "pack":
            assert (row.recipient, row.recipient_agency, row.copy_number) == (
                recipient.name, recipient.agency, recipient.copy_number)
            assert row.about == f"Meeting of {history.long_date(upcoming.held_on)}"
            assert row.case_refs and all(r.startswith("RT-") for r in row.case_refs)
        elif kind == "plan":
            assert row.case_refs == (plan_case.ref,) and row.recipient == ""
        elif kind.startswith("minutes"):
            agenda_refs = {cases_svc.resolve_case(session, i.case_id).ref
                           for i in held.agenda if i.case_id}
            assert set(row.case_refs) == agenda_refs
        elif kind == "subject-access":
            assert sar_case.ref in row.case_refs and row.recipient == disclosures.SUBJECT
        else:
            assert row.case_refs == () and row.about.endswith("XLSX")
    # six actions, six rows, and the audit chain still verifies
    assert len(_rows(session)) == len(actions)
    assert panel_svc.verify_audit(session).ok


def test_an_exchange_file_is_one_row_with_its_cases(sync_panel: Panel) -> None:  # noqa: F811
    panel = sync_panel
    a = open_case(panel.hub, share=[panel.police], surname="Ashdown")
    b = open_case(panel.hub, share=[panel.police], surname="Birch")
    open_case(panel.hub, share=[panel.health], surname="Crane")
    panel.ship(panel.hub, panel.police)
    rows = _rows(panel.hub)
    assert [r.kind for r in rows] == ["bundle"]
    refs = {cases_svc.resolve_case(panel.hub, c).ref for c in (a, b)}
    assert set(rows[0].case_refs) == refs
    assert (rows[0].recipient, rows[0].recipient_agency) == ("Pat Constable", "Police")
    # the member's own file to the coordinator is a disclosure on the member's store
    panel.ship(panel.police, panel.hub)
    mine = _rows(panel.police)
    assert [(r.kind, r.recipient) for r in mine] == [("bundle", "Cora Ordinator")]


# --- a scripted day ------------------------------------------------------------------------------


@pytest.fixture
def day(sync_panel: Panel, tmp_path: Path) -> dict[str, Any]:  # noqa: F811
    """A day at the hub: two cases (one shared with police, one with health) on a meeting's
    agenda; packs for everyone, the minutes, an exchange file for police, a subject access report
    and a statistics return."""
    panel = sync_panel
    hub = panel.hub
    a = open_case(hub, share=[panel.police], surname="Ashdown")
    b = open_case(hub, share=[panel.health], surname="Birch")
    members = {m.name: m for m in panel_svc.list_members(hub)}
    meeting = meetings.schedule_meeting(
        hub, held_on=dt.date(2026, 12, 3), case_ids=[a, b],
        distribution=[members[n].id for n in ("Cora Ordinator", "Pat Constable", "Harriet Nurse")])
    out = tmp_path / "out"
    out.mkdir()
    packs.write_all_packs(hub, meeting_id=meeting, out_dir=out)
    minutes_docs.write_minutes(hub, meeting_id=meeting, out=out / "minutes.pdf")
    panel.ship(hub, panel.police)
    subject_access.subject_access_report(hub, case_id=a, out=out / "sar.pdf")
    statistics.write_return(hub, start=dt.date(2026, 1, 1), end=dt.date(2026, 11, 30),
                            out=out / "return.xlsx")
    ref = {c: cases_svc.resolve_case(hub, c).ref for c in (a, b)}
    return {"hub": hub, "a": a, "b": b, "ref": ref, "meeting": meeting, "out": out, "panel": panel}


def _shape(rows: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.what, r.copy_number, r.recipient, r.recipient_agency, r.case_refs, r.by)
            for r in rows]


def test_a_scripted_day_gives_the_expected_rows(day: dict[str, Any]) -> None:
    hub, ra, rb = day["hub"], day["ref"][day["a"]], day["ref"][day["b"]]
    cora = "Cora Ordinator"
    assert _shape(_rows(hub)) == [  # newest first
        ("Statistics return", None, "", "", (), cora),
        ("Subject access report", None, disclosures.SUBJECT, "", (ra,), cora),
        ("Exchange file", None, "Pat Constable", "Police", (ra,), cora),
        ("Minutes", None, "", "", (ra, rb), cora),
        ("Meeting pack", 3, "Pat Constable", "Police", (ra,), cora),
        ("Meeting pack", 2, "Harriet Nurse", "NHS Health", (rb,), cora),
        ("Meeting pack", 1, cora, "Borough Council", (ra, rb), cora),
    ]
    # the log is the audit chain read: one row per disclosure entry, and no row without one
    with hub.view() as conn:
        audited = {r[0] for r in conn.execute(text("SELECT seq, action, entity FROM audit"))
                   .all() if (r[1], r[2]) in model.BY_ENTRY}
        parts = conn.execute(text("SELECT count(*) FROM audit WHERE action = 'disclose' "
                                  "AND entity = 'case'")).scalar_one()
    assert {r.seq for r in _rows(hub)} == audited and len(audited) == 7
    assert parts == 1  # the exchange file's one case, read into its row, not a row of its own
    # nothing in the log holds an id
    dumped = json.dumps([r.__dict__ for r in _rows(hub)], default=str)
    for ident in (day["a"], day["b"], day["meeting"], hub.me.id):
        assert ident not in dumped


def test_filters(day: dict[str, Any]) -> None:
    hub, ra, rb = day["hub"], day["ref"][day["a"]], day["ref"][day["b"]]
    police = _rows(hub, agency="Police")
    assert [(r.what, r.recipient) for r in police] == [
        ("Exchange file", "Pat Constable"), ("Meeting pack", "Pat Constable")]
    assert _rows(hub, member="Harriet Nurse")[0].copy_number == 2
    assert len(_rows(hub, member="Harriet Nurse")) == 1
    by_case = _rows(hub, case=rb)
    assert [r.what for r in by_case] == ["Minutes", "Meeting pack", "Meeting pack"]
    assert {r.recipient for r in by_case} == {"", "Harriet Nurse", "Cora Ordinator"}
    assert [r.what for r in _rows(hub, case=ra, agency="Police")] == ["Exchange file",
                                                                       "Meeting pack"]
    today = _rows(hub)[-1].at.date()
    assert len(_rows(hub, start=today, end=today + dt.timedelta(days=1))) == 7
    assert _rows(hub, start=today + dt.timedelta(days=1)) == []
    assert _rows(hub, end=today - dt.timedelta(days=1)) == []
    # the case filter (through the record index) agrees with filtering the whole log
    everything = _rows(hub)
    assert [r.seq for r in by_case] == [r.seq for r in everything if rb in r.case_refs]


def test_bad_filters_are_one_sentence_and_change_nothing(day: dict[str, Any]) -> None:
    hub = day["hub"]
    before = dump_store(hub)
    with pytest.raises(InvalidInput, match="ends before it starts"):
        _rows(hub, start=dt.date(2026, 12, 3), end=dt.date(2026, 12, 1))
    with pytest.raises(NotFound):
        _rows(hub, case="RT-1999-0001")
    with pytest.raises(Exception) as info:
        _rows(hub, agency="Nowhere Agency")
    assert "agency" in getattr(info.value, "user_message", str(info.value)).lower()
    assert dump_store(hub) == before


def test_history_shows_the_disclosures_that_carried_the_case(day: dict[str, Any]) -> None:
    hub = day["hub"]
    lines = [h.text for h in history.case_history_lines(hub, case_id=day["a"])]
    when = history.long_date(_rows(hub)[-1].at.date())  # the day they were made (not "today")
    assert f"Pack copy 3 for Pat Constable (Police) printed on {when} by Cora Ordinator." in lines
    assert f"Pack copy 1 for Cora Ordinator (Borough Council) printed on {when} by Cora Ordinator." in lines
    assert f"Exchange file for Pat Constable (Police) sent on {when} by Cora Ordinator." in lines
    assert f"Subject access report written on {when} by Cora Ordinator." in lines
    assert any(t.startswith("Minutes of the meeting of 3 December 2026 printed on") for t in lines)
    # the pack for Health did not carry case A; the raw "disclose" entries are not shown twice
    assert not any("Harriet Nurse" in t for t in lines)
    assert not any(t.startswith("Disclose") for t in lines)
    assert sum("Exchange file" in t for t in lines) == 1
    b_lines = [h.text for h in history.case_history_lines(hub, case_id=day["b"])]
    assert any("Pack copy 2 for Harriet Nurse (NHS Health)" in t for t in b_lines)
    assert not any("Pat Constable" in t for t in b_lines)


def test_export_xlsx_and_pdf(day: dict[str, Any]) -> None:
    hub, out = day["hub"], day["out"]
    f = disclosures.resolve_filters(hub, agency="Police")
    xlsx = disclosures.write_log(hub, f, out=out / "log.xlsx")
    ws = openpyxl.load_workbook(xlsx)["Disclosures"]
    assert ws["A1"].value == "OFFICIAL-SENSITIVE"
    assert "Agency: Police" in ws["A3"].value
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=6)]
    assert [(r[1], r[4], r[5]) for r in body] == [("Exchange file", "Pat Constable", "Police"),
                                                  ("Meeting pack", "Pat Constable", "Police")]
    assert body[1][6] == 3 and body[0][3] == day["ref"][day["a"]]
    assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE"
    pdf = disclosures.write_log(hub, disclosures.resolve_filters(hub), out=out / "log.pdf")
    pages = [p.extract_text() for p in pypdf.PdfReader(pdf).pages]
    assert all(p.count("OFFICIAL-SENSITIVE") == 2 for p in pages)
    flat = " ".join(" ".join(pages).split())
    for words in ("Disclosure log", "Pat Constable", "Harriet Nurse", "Statistics return",
                  day["ref"][day["b"]]):
        assert words in flat
    # each export is audited (format, rows), and is not itself a row of the log
    with hub.view() as conn:
        logged = [json.loads(r[0]) for r in conn.execute(
            text("SELECT fields FROM audit WHERE action = 'disclosure-log'"))]
    assert sorted(map(sorted, logged)) == [["format:pdf", "rows:7"], ["format:xlsx", "rows:2"]]
    assert len(_rows(hub)) == 7
    with pytest.raises(InvalidInput):
        disclosures.write_log(hub, f, out=out / "log.csv")


# --- old entries stay readable -------------------------------------------------------------------


def _entry(action: str, entity: str, fields: tuple[str, ...], seq: int = 1) -> AuditEntry:
    return AuditEntry(seq, "2026-03-12T10:00:00.000+00:00", None, None, action, entity, "m1",
                      fields, "", "")


def test_entries_from_before_the_log_read_as_not_recorded() -> None:
    member = "0b6f1f7e-4d0b-4b8e-9a51-3f7e2b1c9d11"
    old_pack = model.read_entry(_entry("disclosure-pack", "meeting", (member,)))
    assert old_pack is not None
    assert (old_pack.to_member, old_pack.copy_number, old_pack.cases_recorded) == (member, None, False)
    old_minutes = model.read_entry(_entry("disclosure-minutes", "meeting", ()))
    assert old_minutes is not None and not old_minutes.cases_recorded
    new_minutes = model.read_entry(_entry("disclosure-minutes", "meeting", ("cases:0",)))
    assert new_minutes is not None and new_minutes.cases_recorded and new_minutes.case_ids == ()
    late = model.read_entry(_entry("disclosure-plan", "case", ("p1", "read-only-at:2026-03-11T09:00:00+00:00", "by:x")))
    assert late is not None and late.at.startswith("2026-03-11") and late.actor == "x"
    assert model.read_entry(_entry("view", "case", ())) is None


# --- the command line ----------------------------------------------------------------------------


def test_cli_json_filters_and_export(day: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                     capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tests.support.cli_inprocess import make_run, one_sentence

    hub = day["hub"]
    expected = [disclosures.sentence(r) for r in _rows(hub)]
    ra = day["ref"][day["a"]]
    path = hub.store.path
    hub.close()
    run = make_run(monkeypatch, capfd, tmp_path)
    code, out, _err = run(path, "disclosures", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == len(expected) == 7
    assert rows[2] == {**rows[2], "kind": "bundle", "what": "Exchange file", "cases": [ra],
                       "to": "Pat Constable", "agency": "Police", "copy": None,
                       "by": "Cora Ordinator"}
    assert [r["copy"] for r in rows if r["kind"] == "pack"] == [3, 2, 1]
    assert {r["to"] for r in rows} == {None, "Pat Constable", "Harriet Nurse", "Cora Ordinator",
                                       disclosures.SUBJECT}
    code, out, _err = run(path, "disclosures", "--case", ra, "--agency", "Police", "--json")
    assert code == 0 and [r["what"] for r in json.loads(out)] == ["Exchange file", "Meeting pack"]
    first, last = rows[-1]["at"][:10], rows[0]["at"][:10]  # local days (the same but at midnight)
    code, out, _err = run(path, "disclosures", "--from", first, "--to", last, "--json")
    assert code == 0 and len(json.loads(out)) == 7
    code, out, _err = run(path, "disclosures", "--to", "2026-01-01", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _err = run(path, "disclosures", "--agency", "Police")
    assert code == 0 and "Pat Constable (Police)" in out and "Meeting pack copy 3" in out
    assert "Harriet" not in out
    code, out, err = run(path, "disclosures", "--from", "2026-12-05", "--to", "2026-12-01")
    assert code == 1 and "ends before it starts" in one_sentence(err)
    code, out, err = run(path, "disclosures", "--case", "RT-1999-0001")
    assert code == 1 and one_sentence(err)
    target = tmp_path / "log.pdf"
    code, out, _err = run(path, "disclosures", "--member", "Pat Constable", "--out", str(target))
    assert code == 0 and target.exists() and "Disclosure log written" in out
    flat = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(target).pages).split())
    assert "Pat Constable" in flat and "Harriet" not in flat


def test_hostile_names_export_as_text(day: dict[str, Any]) -> None:
    """A recipient's name that looks like a formula or markup is written as text in the workbook
    and printed literally in the PDF."""
    hub, out = day["hub"], day["out"]
    hostile = '=HYPERLINK("http://evil.example","x") <b>Pat</b>'
    pat = next(m for m in panel_svc.list_members(hub) if m.name == "Pat Constable")
    panel_svc.update_member(hub, member_id=pat.id, name=hostile)
    f = disclosures.resolve_filters(hub, member=str(pat.id))
    assert {r.recipient for r in disclosures.rows(hub, f)} == {hostile}
    ws = openpyxl.load_workbook(disclosures.write_log(hub, f, out=out / "h.xlsx"))["Disclosures"]
    cells = [ws.cell(r, 5) for r in range(6, ws.max_row + 1)]
    assert cells and all(c.value == hostile and c.data_type == "s" and c.quotePrefix for c in cells)
    pdf = disclosures.write_log(hub, f, out=out / "h.pdf")
    flat = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).split())
    assert "<b>Pat</b>" in flat


def test_a_saved_attachment_is_a_row(day: dict[str, Any]) -> None:
    """The attachments service (issue 16, another branch) audits "Save a copy…" as
    ``disclosure-attachment`` on the attachment with ``case:<id>``: the log reads it as one row and
    the case's History says so, with no code but the row of ``KINDS``."""
    hub, a = day["hub"], day["a"]
    with hub.change() as w:
        w.record_event("disclosure-attachment", "attachment", "0f0e0d0c-0000-4000-8000-000000000001",
                       [f"case:{a}", "saved"])
    row = _rows(hub)[0]
    assert (row.kind, row.what, row.case_refs, row.recipient) == (
        "attachment", "Saved attachment", (day["ref"][a],), "")
    assert _rows(hub, case=a)[0].seq == row.seq
    lines = [h.text for h in history.case_history_lines(hub, case_id=a)]
    assert lines[0] == f"Attachment saved on {history.long_date(row.at.date())} by Cora Ordinator."


def test_a_purged_case_stays_in_the_log_as_a_deleted_case(session: Any, tmp_path: Path) -> None:
    from app.services import retention

    item = retention.retention_review(session, within_days=36_500)[0]
    subject_access.subject_access_report(session, case_id=item.case_id, out=tmp_path / "sar.pdf")
    assert _rows(session)[0].case_refs == (item.ref,)
    retention.purge_case(session, case_id=item.case_id, reason="Retention period ended.",
                         override_reason=None if item.overdue else "Test of the log.")
    row = _rows(session)[0]
    assert row.kind == "subject-access" and row.case_refs == (disclosures.DELETED_CASE,)
    assert item.ref not in json.dumps([r.__dict__ for r in _rows(session)], default=str)
    assert panel_svc.verify_audit(session).ok


def test_a_pack_with_attached_documents_says_how_many() -> None:
    """A pack with an appendix of attached documents (the attachments branch adds
    ``attachment:<id>`` fields to its entry) reads as the same one disclosure."""
    x = model.read_entry(_entry("disclosure-pack", "meeting",
                                ("m1", "attachment:a1", "attachment:a2", "case:c1", "cases:1",
                                 "copy:2")))
    assert x is not None and dict(x.details)["attachments"] == "2"
    assert (x.to_member, x.copy_number, x.case_ids) == ("m1", 2, ("c1",))
