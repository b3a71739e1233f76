"""Records › Disclosures… (issue 16): the disclosure log on screen with its filters, saved as a
spreadsheet, and the case's History tab naming the packs that carried the case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from PySide6.QtWidgets import QFileDialog

from tests.support.ui import click


def _packs(h: Any, folder: Path) -> dict[str, Any]:
    from app.services import meetings
    from app.services.documents import packs as docs

    folder.mkdir()

    def make(s: Any = h.session) -> dict[str, Any]:
        upcoming = next(m for m in meetings.list_meetings(s) if m.status == "scheduled")
        docs.write_all_packs(s, meeting_id=upcoming.id, out_dir=folder)
        who = docs.pack_recipients(s, meeting_id=upcoming.id)
        case_id = next(i.case_id for i in upcoming.agenda if i.case_id)
        return {"recipients": who, "case": case_id}

    return h.tasks.call_sync(make)  # type: ignore[no-any-return]


def _texts(dlg: Any) -> list[list[str]]:
    m = dlg.table.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_disclosures_view_filters_and_saves(demo_ui, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    h = demo_ui
    made = _packs(h, tmp_path / "packs")
    recipients = made["recipients"]
    assert h.win.act_disclosures.isEnabled()
    h.win.act_disclosures.trigger()
    dlg = h.win.disclosures_dialog
    h.idle()
    rows = _texts(dlg)
    assert len(rows) == len(recipients) and all(r[1] == "Meeting pack" for r in rows)
    assert {r[4] for r in rows} == {f"{p.name}, copy {p.copy_number}" for p in recipients}
    assert dlg.status.text() == f"{len(recipients)} disclosure(s) listed."

    # the agency filter: only the packs for that agency's members
    first = recipients[0]
    agency_index = dlg.agency_box.findText(first.agency)
    assert agency_index > 0
    dlg.agency_box.setCurrentIndex(agency_index)
    h.idle()
    chosen = _texts(dlg)
    assert chosen and {r[5] for r in chosen} == {first.agency}
    assert len(chosen) == sum(p.agency == first.agency for p in recipients)
    dlg.agency_box.setCurrentIndex(0)
    h.idle()

    # a period after today shows nothing; a period that ends before it starts is one sentence
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    dlg.start_edit.setDate(tomorrow)
    click(h.qtbot, dlg.show_button)
    h.idle()
    assert _texts(dlg) == [] and dlg.status.text() == "No disclosure matches these filters."
    dlg.end_edit.setDate(tomorrow - dt.timedelta(days=5))
    click(h.qtbot, dlg.show_button)
    h.idle()
    assert dlg.error.isVisible() and "ends before it starts" in dlg.error.text()
    dlg.start_edit.clear()
    dlg.end_edit.clear()
    click(h.qtbot, dlg.show_button)
    h.idle()
    assert not dlg.error.isVisible() and len(_texts(dlg)) == len(recipients)

    # saved as a spreadsheet and as a PDF, each opened in the system's viewer
    target = tmp_path / "log"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    opened: list[Path] = []
    monkeypatch.setattr("app.ui.documents.jobs.open_in_system", lambda p: opened.append(p) or True)
    with h.qtbot.waitSignal(dlg.saved, timeout=60_000):
        click(h.qtbot, dlg.xlsx_button)
    h.idle()
    written = target.with_name("log.xlsx")
    ws = openpyxl.load_workbook(written)["Disclosures"]
    assert ws["A1"].value.startswith("OFFICIAL")
    assert sorted(ws.cell(r, 5).value for r in range(6, ws.max_row + 1)) == sorted(
        p.name for p in recipients)
    with h.qtbot.waitSignal(dlg.saved, timeout=60_000):
        click(h.qtbot, dlg.pdf_button)
    h.idle()
    assert opened == [written, target.with_name("log.pdf")]
    pages = pypdf.PdfReader(opened[1]).pages
    assert all(p.extract_text().count(ws["A1"].value) == 2 for p in pages)
    assert recipients[0].name in " ".join(" ".join(p.extract_text() for p in pages).split())


def test_case_history_names_the_packs_that_carried_it(demo_ui, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services.documents import packs as docs

    h = demo_ui
    made = _packs(h, tmp_path / "packs")

    def carried(s: Any = h.session) -> list[Any]:
        return [p for p in made["recipients"]
                if made["case"] in docs.meeting_pack_data(
                    s, meeting_id=_meeting(s), recipient=p.member_id).names.cases]

    def _meeting(s: Any) -> str:
        from app.services import meetings
        return next(m.id for m in meetings.list_meetings(s) if m.status == "scheduled")

    expected = h.tasks.call_sync(carried)
    assert expected
    h.win.open_case(made["case"])
    h.idle()
    view = h.win.screens["Cases"].view
    view.tabs.setCurrentWidget(view.history)
    h.idle()
    model = view.history.table.model()
    h.qtbot.waitUntil(lambda: model.rowCount() > 0)
    texts = [model.index(r, 1).data() for r in range(model.rowCount())]
    packs = [t for t in texts if t.startswith("Pack copy")]
    assert len(packs) == len(expected)
    for p in expected:
        assert any(t.startswith(f"Pack copy {p.copy_number} for {p.name} ({p.agency}) printed on ")
                   for t in packs), p
