"""The case screen's Attachments tab (issue 16): attach with "Attach…" or by dropping files onto
the case, a PDF shown page by page inside Roundtable from memory (no attachment bytes in any file
outside the store while it is shown), images shown, other types only saved as an audited copy,
bad files refused in one sentence with nothing stored."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.services import attachments, cases
from tests.support import attachment_files as files
from tests.ui.conftest import Harness

MARKER = "WOMBAT-VIEWED-ONLY-IN-MEMORY"


def _open(h: Harness, case_id: str):  # type: ignore[no-untyped-def]
    h.win.open_case(case_id)
    h.idle()
    view = h.win.cases.view
    view.tabs.setCurrentWidget(view.attachments_tab)
    return view


def _drop(widget, paths: list[Path]) -> QDropEvent:  # type: ignore[no-untyped-def]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)
    return event


def _files_holding(roots: list[Path], needles: list[bytes], since: float) -> list[Path]:
    found = []
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for n in names:
                p = Path(folder) / n
                try:
                    if not p.is_file() or p.stat().st_mtime < since - 1 or p.stat().st_size > 200 * 1024 * 1024:
                        continue
                    data = p.read_bytes()
                except OSError:
                    continue
                if any(x in data for x in needles):
                    found.append(p)
    return found


def test_attach_by_drop_view_a_pdf_from_memory_and_save_a_copy(
    demo_ui: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pypdfium2", reason="the PDF viewer's engine (pypdfium2) is not installed here")
    from app.ui.screens.cases.attachment_viewer import AttachmentViewer

    start = time.time()
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    h = demo_ui
    cid = h.tasks.call_sync(lambda: cases.list_case_ids(h.session))[0]
    view = _open(h, cid)
    assert view.tabs.tabText(view.tabs.indexOf(view.attachments_tab)) == "Attachments"
    tab = view.attachments_tab
    outside = tmp_path / "outside"
    outside.mkdir()
    data = files.pdf_bytes(3, MARKER)
    src = files.write(outside, "Agency report.pdf", data)
    tab.description.setText("Report from the school")
    event = _drop(view, [src])
    assert event.isAccepted()
    h.idle()
    assert [a.filename for a in tab.model.rows()] == ["Agency report.pdf"]
    assert tab.model.rows()[0].description == "Report from the school"
    needles = [MARKER.encode(), data[-200:]]
    assert _files_holding([outside], needles, start) == [src]  # the scan finds a copy where there is one
    src.unlink()  # from here on, the only copy is inside the encrypted store

    tab.table.selectRow(0)
    tab.view_selected()
    h.idle()
    viewer = tab.viewer
    assert isinstance(viewer, AttachmentViewer)
    assert viewer.page_count == 3 and viewer.page_label.text() == "Page 1 of 3"
    # it fits on the screen it opens on and carries the case's marking top and bottom
    room = viewer.screen().availableGeometry()
    assert viewer.width() <= view.window().width() and viewer.height() <= room.height()
    from app.ui.widgets.common import MarkingBanner

    marks = [b.text() for b in viewer.findChildren(MarkingBanner)]
    assert marks == [view.case_file.case.marking.value.upper()] * 2
    first = viewer.canvas.pixmap().toImage()
    assert not first.isNull() and first.width() > 500
    viewer.next_button.click()
    assert viewer.page_label.text() == "Page 2 of 3"
    # a page with text on it is not blank
    img = viewer.canvas.pixmap().toImage()
    assert len({img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height() // 4, 7)}) > 1
    store_files = {h.store, h.store.with_name(h.store.name + "-wal")}
    leaked = [p for p in _files_holding([tmp_path, home, tmp, Path(tempfile.gettempdir())], needles, start)
              if p not in store_files]
    shm = Path("/dev/shm")
    if shm.is_dir():
        leaked += _files_holding([shm], needles, start)
    assert leaked == []
    viewer.close()
    h.idle()
    audit = h.tasks.call_sync(lambda: [e for e in _audit(h) if e[0] == "view" and e[1] == "attachment"])
    assert len(audit) == 1

    target = tmp_path / "saved" / "copy.pdf"
    target.parent.mkdir()
    tab.save_copy(tab.model.rows()[0], target)
    h.idle()
    assert target.read_bytes() == data and "Copy saved" in tab.status.text()
    assert any(e[0] == "disclosure-attachment" for e in h.tasks.call_sync(lambda: _audit(h)))


def _audit(h: Harness) -> list[tuple[str, str]]:
    from sqlalchemy import text

    with h.session.view() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT action, entity FROM audit ORDER BY seq"))]  # type: ignore[misc]


def test_images_are_shown_other_types_only_saved_bad_files_refused(demo_ui: Harness, tmp_path: Path) -> None:
    from app.ui.screens.cases.attachment_viewer import AttachmentViewer

    h = demo_ui
    cid = h.tasks.call_sync(lambda: cases.list_case_ids(h.session))[0]
    view = _open(h, cid)
    tab = view.attachments_tab
    png = files.write(tmp_path, "photo.png", files.png_bytes(30, 20))
    docx = files.write(tmp_path, "letter.docx", files.docx_bytes())
    fake = files.write(tmp_path, "fake.pdf", files.png_bytes())
    tab.attach_files([png, docx, fake])
    h.idle()
    assert sorted(a.filename for a in tab.model.rows()) == ["letter.docx", "photo.png"]
    assert "fake.pdf is not a PDF" in tab.error.text()
    assert tab.status.text() == "Attached: photo.png, letter.docx."
    stored = h.tasks.call_sync(lambda: attachments.attachments_for(h.session, case_id=cid))
    assert len(stored) == 2

    rows = tab.model.rows()
    tab.view(next(a for a in rows if a.filename == "photo.png"))
    h.idle()
    assert isinstance(tab.viewer, AttachmentViewer)
    assert tab.viewer.canvas.pixmap().width() == 30
    tab.viewer.close()
    h.idle()

    word = next(a for a in rows if a.filename == "letter.docx")
    row = next(i for i in range(tab.proxy.rowCount())
               if tab.proxy.index(i, 0).data() == "letter.docx")
    tab.table.selectRow(row)
    tab.view_selected()
    h.idle()
    assert "cannot be shown inside Roundtable" in tab.error.text() and tab.viewer is None
    tab.save_copy(word, tmp_path / "letter copy.docx")
    h.idle()
    assert (tmp_path / "letter copy.docx").read_bytes() == docx.read_bytes()


def test_the_packs_dialog_can_append_the_attached_documents(qtbot, session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    import pypdf

    from app.services import meetings as meetings_svc
    from app.services import panel as panel_svc
    from app.ui.documents.pack_dialog import PackDialog
    from app.ui.tasks import TaskManager

    officers = {m.agency_id: m for m in panel_svc.list_members(session) if m.role.value == "officer"}
    case = next(c for c in (cases.resolve_case(session, str(i)) for i in cases.list_case_ids(session))
                if any(a in officers for a in c.shared_with))
    officer = officers[next(a for a in case.shared_with if a in officers)]
    attachments.add_attachment(session, case_id=case.id,
                               path=files.write(tmp_path, "report.pdf", files.pdf_bytes(2, "APPENDED")))
    mid = meetings_svc.schedule_meeting(session, held_on=dt.date(2026, 12, 3), case_ids=[case.id],
                                        distribution=[officer.id])
    tasks = TaskManager()
    try:
        dialog = PackDialog(None, session, mid, tasks=tasks)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.recipients_loaded, timeout=60_000):
            pass
        folder = tmp_path / "packs"
        folder.mkdir()
        dialog.folder_edit.setText(str(folder))
        dialog.attachments_box.setChecked(True)
        with qtbot.waitSignal(dialog.packs_written, timeout=60_000) as done:
            dialog.generate_button.click()
        [pack] = done.args[0]
        text = " ".join((p.extract_text() or "") for p in pypdf.PdfReader(pack).pages)
        assert "Appendix: attached documents" in text and "APPENDED page 2" in text
    finally:
        tasks.shutdown()


def test_the_viewer_and_the_disclosures_fit_a_1280_by_720_window(demo_ui: Harness) -> None:
    # the viewer opened 1000 px tall (its page buttons above a 720/800 screen's edge) and the
    # disclosures 900 wide however wide the window: both now follow the window and the screen
    from app.models.attachments import Attachment
    from app.ui.dialogs.disclosures_dialog import DisclosuresDialog
    from app.ui.screens.cases.attachment_viewer import AttachmentViewer

    h = demo_ui
    h.win.resize(1280, 720)
    a = Attachment(id="a1", case_id="c1", agency_id="x", author="m", attached_at="2026-03-16T09:30:00",
                   description="", filename="letter.pdf", media_type="application/pdf",
                   size=len(files.pdf_bytes(1)), sha256="")  # type: ignore[arg-type]
    viewer = AttachmentViewer(a, files.pdf_bytes(1), h.win)
    room = h.win.screen().availableGeometry()
    assert viewer.height() <= room.height() - 60 and viewer.width() <= h.win.width() - 40
    assert viewer.width() >= 900  # an A4 page at the render scale, without a horizontal scroll bar
    viewer.reject()  # closes the PDF
    dlg = DisclosuresDialog(h.win, h.ctx)
    assert dlg.width() == min(1180, h.win.width() - 80) > 900
    dlg.close()
