"""The packs dialog and the print helpers, offscreen: recipients from the distribution, packs
rendered on a worker with progress, cancel that writes nothing, the folder and PDFs opened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QWidget

from app.services import cases as cases_svc
from app.services import meetings as meetings_svc
from app.services import panel as panel_svc
from app.ui.documents import jobs
from app.ui.documents.pack_dialog import PackDialog, print_minutes, print_plan
from app.ui.tasks import TaskManager


@pytest.fixture
def tasks() -> Any:
    manager = TaskManager()
    yield manager
    manager.shutdown()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    monkeypatch.setattr(jobs, "open_in_system", lambda p: calls.append(Path(p)) or True)
    return calls


@pytest.fixture
def meeting(session: Any) -> str:
    """A small meeting: three agenda cases, three members on the distribution."""
    upcoming = next(m for m in meetings_svc.list_meetings(session) if m.status == "scheduled")
    officers = [m.id for m in panel_svc.list_members(session) if m.role.value == "officer"][:3]
    cases = [i.case_id for i in upcoming.agenda if i.case_id][:3]
    return meetings_svc.schedule_meeting(
        session, held_on=dt.date(2026, 12, 3), case_ids=cases, distribution=officers
    )


def _dialog(qtbot: Any, session: Any, meeting: str, tasks: TaskManager) -> PackDialog:
    dialog = PackDialog(None, session, meeting, tasks=tasks)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.recipients_loaded, timeout=60_000) as loaded:
        pass
    assert loaded.args == [3] and len(dialog.boxes) == 3
    return dialog


def test_generate_chosen_packs_then_open_folder(qtbot, session, meeting, tmp_path, opened, tasks):
    dialog = _dialog(qtbot, session, meeting, tasks)
    first = next(iter(dialog.boxes))
    dialog.boxes[first].setChecked(False)
    dialog.folder_edit.setText(str(tmp_path / "packs"))
    (tmp_path / "packs").mkdir()
    with qtbot.waitSignal(dialog.packs_written, timeout=30_000) as done:
        dialog.generate_button.click()
        assert not dialog.generate_button.isEnabled()  # running: inputs locked
    assert len(done.args[0]) == 2 and len(list((tmp_path / "packs").iterdir())) == 2
    assert dialog.progress.value() == dialog.progress.maximum() == 2
    assert dialog.open_button.isEnabled() and dialog.generate_button.isEnabled()
    dialog.open_button.click()
    assert opened == [tmp_path / "packs"]


def test_cancel_writes_nothing(qtbot, session, meeting, tmp_path, opened, tasks):
    dialog = _dialog(qtbot, session, meeting, tasks)
    dialog.folder_edit.setText(str(tmp_path))
    before = sorted(tmp_path.iterdir())
    with qtbot.waitSignal(dialog.packs_failed, timeout=30_000) as failed:
        dialog.generate_button.click()
        dialog.cancel_button.click()  # asks; the worker stops before its next pack
    assert "Cancelled" in failed.args[0]
    assert sorted(tmp_path.iterdir()) == before and not dialog.open_button.isEnabled()


def test_refusal_is_shown_in_the_dialog(qtbot, session, meeting, tmp_path, tasks):
    dialog = _dialog(qtbot, session, meeting, tasks)
    dialog.folder_edit.setText(str(tmp_path / "missing"))
    with qtbot.waitSignal(dialog.packs_failed, timeout=60_000) as failed:
        dialog.generate_button.click()
    assert "does not exist" in failed.args[0] and dialog.status.text() == failed.args[0]


def test_print_plan_and_minutes_open_the_pdf(qtbot, session, tmp_path, opened, monkeypatch, tasks):
    parent = QWidget()
    qtbot.addWidget(parent)
    case = next(
        c
        for c in (cases_svc.resolve_case(session, r.ref) for r in cases_svc.list_cases(session))
        if cases_svc.get_case_file(session, c.id, audit_view=False).current_plan is not None
    )
    target = tmp_path / "plan"  # the helper adds .pdf
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    job = print_plan(parent, session, case.id, tasks=tasks)
    assert job is not None
    with qtbot.waitSignal(job.written, timeout=60_000):
        pass
    assert opened == [tmp_path / "plan.pdf"] and (tmp_path / "plan.pdf").stat().st_size > 0

    held = next(m for m in meetings_svc.list_meetings(session) if m.status == "held")
    target = tmp_path / "summary.pdf"
    job = print_minutes(parent, session, held.id, summary=True, tasks=tasks)
    assert job is not None
    with qtbot.waitSignal(job.written, timeout=60_000):
        pass
    assert opened[-1] == target and target.exists()

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert print_plan(parent, session, case.id, tasks=tasks) is None  # the user cancelled the save dialog


def test_print_plan_refused_shows_the_error(qtbot, session, tmp_path, opened, monkeypatch, tasks):
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[BaseException] = []
    monkeypatch.setattr(jobs, "show_error", lambda _p, exc: shown.append(exc))
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "x.pdf"), "")
    )
    referred = next(c for c in cases_svc.list_cases(session) if c.status == "referred")
    job = print_plan(parent, session, referred.id, tasks=tasks)
    assert job is not None
    with qtbot.waitSignal(job.failed, timeout=60_000) as failed:
        pass
    assert "no plan yet" in failed.args[0] and len(shown) == 1
    assert opened == [] and not (tmp_path / "x.pdf").exists()
