"""The import wizard over a real store: preview with problems highlighted, column choice, explicit
leaving-out of failing rows, all-or-nothing import, known people; its model passes the tester."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from app.services import cases
from tests.support.stores import PASSPHRASE, copy_store, today

HEAD = "Referral date,Referrer,Referring agency,Forename(s),Surname,DOB,Type of concern,Reason for referral"
OK = "03/02/2026,Mrs Jones,school,Zoë,<b>Bold</b> Nowak,17/05/2009,far right,Images shared."
BAD = "04/02/2026,PC Smith,police,Jan,Dvořák,31/02/2009,Islamist,Online."


@pytest.fixture
def ctx(qtbot, template_store: Path, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from app.services.setup import unlock
    from app.ui.context import UiContext, load_snapshot
    from app.ui.tasks import TaskManager

    store = copy_store(template_store, tmp_path / "store")
    tasks = TaskManager()
    c = UiContext(tasks, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    session = tasks.call_sync(lambda: unlock(store, passphrase=PASSPHRASE, today_fn=today))
    c.attach(session, tasks.call_sync(lambda: load_snapshot(session)))
    yield c
    tasks.call_sync(session.close)
    tasks.shutdown()


def wizard(qtbot, ctx, path: Path):  # type: ignore[no-untyped-def]
    from app.ui.dialogs.import_wizard import ImportWizard

    w = ImportWizard(ctx)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.preview_ready, timeout=60_000):
        w.load_file(path)
    return w


def test_preview_highlights_problems_and_import_needs_explicit_skip(qtbot, qtmodeltester, ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    from app.ui.dialogs.import_wizard import PROBLEM

    session = ctx._session
    known = cases.get_case_file(session, cases.list_cases(session)[0].id, audit_view=False).subject
    dup = f"05/02/2026,GP,health,{known.forenames},{known.surname},{known.date_of_birth:%d/%m/%Y},Mixed,Seen."
    path = tmp_path / "refs.csv"
    path.write_text("\n".join([HEAD, OK, BAD, dup, ",,,", ""]), encoding="utf-8")
    before = len(ctx.tasks.call_sync(lambda: cases.list_cases(session)))

    w = wizard(qtbot, ctx, path)
    qtmodeltester.check(w.model, force_py=True)
    model = w.model
    assert model.rowCount() == 3
    assert [model.data(model.index(r, 0)) for r in range(3)] == ["2", "3", "4"]
    assert model.data(model.index(0, 2)) == "<b>Bold</b> Nowak"  # plain text, as typed
    assert model.data(model.index(1, 1)) == "Problem"
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole).color() == PROBLEM
    assert "Row 3, “DOB”" in model.data(model.index(1, 8))
    assert "linked to existing subject" in model.data(model.index(2, 8))
    assert not w.import_button.isEnabled() and w.skip_box.isVisibleTo(w)

    w.skip_box.setChecked(True)
    assert w.import_button.isEnabled()
    with qtbot.waitSignal(w.imported, timeout=60_000) as got:
        w.import_button.click()
    report = got.args[0]
    assert [r.row for r in report.imported] == [2, 4] and report.skipped_rows == (3,)
    assert report.imported[1].link is not None
    assert len(ctx.tasks.call_sync(lambda: cases.list_cases(session))) == before + 2


def test_column_choice_fixes_a_file_and_is_remembered(qtbot, ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "odd.csv"
    path.write_text("\n".join([HEAD.replace("Surname", "Family"), OK, ""]), encoding="utf-8")
    w = wizard(qtbot, ctx, path)
    assert w.preview.blocking and not w.import_button.isEnabled()
    with qtbot.waitSignal(w.preview_ready, timeout=60_000):
        w.set_column("surname", "Family")
    assert not w.preview.problems and w.import_button.isEnabled()
    with qtbot.waitSignal(w.imported, timeout=60_000):
        w.import_button.click()
    again = wizard(qtbot, ctx, path)
    assert again.preview.mapping_source == "remembered" and not again.preview.problems


def test_a_bad_file_shows_a_safe_message(qtbot, ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    from app.ui.dialogs.import_wizard import ImportWizard

    path = tmp_path / "renamed.csv"
    path.write_bytes(b"\x00\x01binary" * 100)
    w = ImportWizard(ctx)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.failed, timeout=60_000) as got:
        w.load_file(path)
    assert got.args[0] and not w.import_button.isEnabled()
