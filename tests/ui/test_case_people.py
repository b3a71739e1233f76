"""The case screen's People tab (MARAC's linked people): shown only for a programme with linked
roles; the coordinator adds, changes and removes a person; details typed and not saved are a draft
of the case that survives moving to another case and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, linked_people
from app.services.cases import referrals
from tests.support.programme_stores import build_programme_store
from tests.support.stores import copy_store
from tests.ui.conftest import Harness


@pytest.fixture(scope="module")
def marac_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_programme_store(tmp_path_factory.mktemp("marac-ui") / "panel.rtdb", "marac", demo_cases=6)


@pytest.fixture
def marac_ui(qtbot, marac_template: Path, tmp_path: Path) -> Iterator[Harness]:  # type: ignore[no-untyped-def]
    h = Harness(qtbot, copy_store(marac_template, tmp_path / "store"), tmp_path / "settings.ini")
    yield h
    h.close()


def _open(h: Harness, case_id: str):  # type: ignore[no-untyped-def]
    h.win.open_case(case_id)
    h.idle()
    return h.win.cases.view


def test_people_tab_adds_edits_and_removes(marac_ui: Harness) -> None:
    h = marac_ui
    cid, other = h.tasks.call_sync(lambda: cases.list_case_ids(h.session))[:2]
    view = _open(h, cid)
    assert view.tabs.tabText(1) == "People"
    tab = view.people
    view.tabs.setCurrentWidget(tab)
    before = len(h.tasks.call_sync(lambda: linked_people.people_of(h.session, cid)))
    tab.role.setCurrentIndex(tab.role.findData("perpetrator"))
    tab.forenames.setText("Darren")
    tab.surname.setText("Kell")
    tab.dob.setText("14/02/1985")
    tab.pnc.setText("12/345678A")
    # a draft of the case: moving away and back keeps it
    _open(h, other)
    assert h.ctx.drafts.has(("linked_person", cid))
    view = _open(h, cid)
    assert (tab.forenames.text(), tab.surname.text(), tab.pnc.text()) == ("Darren", "Kell", "12/345678A")
    assert tab.save()
    h.idle()
    found = h.tasks.call_sync(lambda: linked_people.people_of(h.session, cid))
    kell = next(p for p in found if p.surname == "Kell")
    assert len(found) == before + 1 and kell.role == "perpetrator" and kell.date_of_birth.year == 1985
    assert not h.ctx.drafts.has(("linked_person", cid)) and tab.surname.text() == ""
    # select him, change his name, save
    row = next(i for i, p in enumerate(tab.model.rows()) if p.id == kell.id)
    tab.table.selectRow(tab.proxy.mapFromSource(tab.model.index(row, 0)).row())
    assert tab.editing == kell.id and tab.surname.text() == "Kell"
    tab.forenames.setText("Daz")
    assert tab.save()
    h.idle()
    assert next(p for p in h.tasks.call_sync(lambda: linked_people.people_of(h.session, cid))
                if p.id == kell.id).forenames == "Daz"
    tab._on_remove_clicked()
    h.idle()
    assert kell.id not in [p.id for p in h.tasks.call_sync(lambda: linked_people.people_of(h.session, cid))]


def test_no_people_tab_without_linked_roles(demo_ui: Harness) -> None:
    h = demo_ui
    cid = h.tasks.call_sync(lambda: cases.list_case_ids(h.session))[0]
    view = _open(h, cid)
    assert "People" not in [view.tabs.tabText(i) for i in range(view.tabs.count())]


def test_assessment_tab_proposes_the_young_peoples_checklist_by_age(marac_ui: Harness) -> None:
    import datetime as dt

    from app.models.framework import split_summaries
    from tests.support.stores import today

    h = marac_ui
    prog = h.session.programme
    cid = h.tasks.call_sync(lambda: referrals.open_referral(
        h.session,
        subject=SubjectInput(forenames="Kayla", surname="Dunn", date_of_birth=today() - dt.timedelta(days=15 * 366)),
        referral=ReferralInput(received=today(), referrer="School nurse", sector=prog.sectors[0].label,
                                     concern=prog.concerns[0].label, narrative="Disclosed abuse."),
    ))
    view = _open(h, cid)
    tab = view.assessment
    view.tabs.setCurrentWidget(tab)
    assert tab.framework_choice.isVisible() and tab.framework_choice.currentData() == "young-people"
    tab.start_new_version()
    editor = tab.editor_page
    assert editor.fw.id == "young-people" and len(editor.rows) == len(editor.fw.factor_ids())
    for i, (combo, _e, _s) in enumerate(editor.rows.values()):
        combo.setCurrentIndex(combo.findData("yes" if i < 14 else "no"))
    assert editor.suggested() == "high"
    editor.overall.setPlainText("Seen at school with the school nurse.")
    editor.level.setCurrentIndex(editor.level.findData("high"))
    editor.submit()
    h.idle()
    a = h.tasks.call_sync(lambda: cases.get_case_file(h.session, cid, audit_view=False)).assessments[-1]
    assert split_summaries(a.dimension_summaries).framework == "young-people" and a.risk_level == "high"
