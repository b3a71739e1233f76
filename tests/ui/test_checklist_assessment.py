"""The assessment editor with a checklist framework: a list of questions answered yes, no or not
known; the level the answers suggest is shown; choosing another asks for a reason, which is saved
with the version. Offscreen, no sleeps: ``Harness.idle`` waits for the task manager."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox

from app.config.programmes import available_programmes, load_programme
from app.models.framework import split_summaries
from app.services import cases
from tests.support.stores import PASSPHRASE, copy_store, today
from tests.support.ui import Harness

CHECKLISTS = [p for p in available_programmes() if load_programme(p).framework.is_checklist]


@pytest.fixture(scope="module", params=CHECKLISTS)
def checklist_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from app.models.enums import Role
    from app.services import demo, setup
    from tests.support.kdf import CHEAP

    path = tmp_path_factory.mktemp(f"ui-{request.param}") / "panel.rtdb"
    created = setup.create_store(
        path, passphrase=PASSPHRASE, name="Ann Coordinator", agency="Northshire County Council",
        role=Role.COORDINATOR, programme=request.param, kdf=CHEAP, today_fn=today,
    )
    demo.build_demo(created.session, cases=6, seed=2)
    created.session.close()
    return path


@pytest.fixture
def ui(qtbot, checklist_template: Path, tmp_path: Path) -> Iterator[Harness]:  # type: ignore[no-untyped-def]
    h = Harness(qtbot, copy_store(checklist_template, tmp_path / "store"), tmp_path / "settings.ini")
    yield h
    h.close()


def _answer(editor, n_counted: int) -> None:  # type: ignore[no-untyped-def]
    fw = editor.fw
    counted = sorted(fw.counted)[0]
    other = next(r.id for r in fw.ratings if r.id not in fw.counted)
    for i, (combo, _evidence, _source) in enumerate(editor.rows.values()):
        combo.setCurrentIndex(combo.findData(counted if i < n_counted else other))


def test_checklist_editor_suggests_and_asks_for_a_reason(ui: Harness, qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.ui.screens.cases.assessment_editor import AssessmentEditor

    fw = ui.ctx.snap.programme.framework
    t = max(fw.thresholds, key=lambda t: t.at_least)
    suggested = fw.risk_level(t.level)
    lower = max((r for r in fw.risk_levels if r.rank < suggested.rank), key=lambda r: r.rank)
    case_id = ui.tasks.call_sync(lambda: cases.list_case_ids(ui.session)[0])
    before = ui.tasks.call_sync(lambda: len(cases.get_case_file(ui.session, case_id, audit_view=False).assessments))

    editor = AssessmentEditor(ui.ctx, case_id, None)
    qtbot.addWidget(editor)
    editor.show()
    # A question list: one answer box per question, offering exactly the framework's answers.
    assert len(editor.rows) == len(fw.factor_ids())
    combo: QComboBox = next(iter(editor.rows.values()))[0]
    assert [combo.itemText(i) for i in range(1, combo.count())] == [r.label for r in fw.ratings]
    assert combo.currentData() is None  # unanswered until someone answers it

    _answer(editor, t.at_least - 1)
    assert editor.suggested() is None
    assert "suggest no level" in editor.suggestion.text()
    assert not editor.reason.isVisible()

    _answer(editor, t.at_least)
    assert editor.suggested() == suggested.id
    assert suggested.label in editor.suggestion.text()
    assert f"{t.at_least} " in editor.suggestion.text()

    editor.level.setCurrentIndex(editor.level.findData(suggested.id))
    assert not editor.reason.isVisible()
    if not fw.judgement_may_lower:
        # Judgement may raise the level, never lower it: lower levels are not offered (MARAC).
        assert "not lower it" in editor.suggestion.text()
        model = editor.level.model()
        assert not model.item(editor.level.findData(lower.id)).isEnabled()
        assert model.item(editor.level.findData(suggested.id)).isEnabled()
        higher = [r for r in fw.risk_levels if r.rank > suggested.rank]
        if not higher:
            return
        lower = higher[0]  # the override below is upwards
    editor.level.setCurrentIndex(editor.level.findData(lower.id))
    assert editor.reason.isVisible()  # a different level: the reason is asked for

    editor.overall.setPlainText("Professional judgement of the conference.")
    for cf_id, box in editor.fields.items():
        box.setCurrentIndex(box.count() - 1)
        assert box.currentData(), cf_id
    finished: list[bool] = []
    editor.finished.connect(lambda: finished.append(True))
    editor.submit()
    ui.idle()
    assert finished == []  # refused: no reason given
    assert "reason" in editor.error.text()

    editor.reason.setText("A protection order now keeps him away; agencies agree the risk is lower.")
    with qtbot.waitSignal(editor.finished, timeout=60_000):
        editor.submit()
    ui.idle()
    saved = ui.tasks.call_sync(lambda: cases.get_case_file(ui.session, case_id, audit_view=False).assessments)
    assert len(saved) == before + 1
    latest = saved[-1]
    notes = split_summaries(latest.dimension_summaries)
    assert latest.risk_level == lower.id
    assert notes.suggested_level == suggested.id
    assert notes.level_reason.startswith("A protection order")
    assert sum(1 for f in latest.factors if f.rating in fw.counted) == t.at_least

    # The tab shows the version with its suggestion and the reason for the override.
    from app.ui.screens.cases.tab_assessment import AssessmentTab

    tab = AssessmentTab(ui.ctx)
    qtbot.addWidget(tab)
    tab.show_case(ui.tasks.call_sync(lambda: cases.get_case_file(ui.session, case_id, audit_view=False)))
    assert f"Risk level: {lower.label}." in tab.overall.text()
    assert f"The checklist suggested: {suggested.label}." in tab.summaries.text()
    assert "Reason for the level chosen: A protection order" in tab.summaries.text()
