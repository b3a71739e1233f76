"""The Panel screen (offscreen): lists open A→Z, words not codes, Add member defaults to Officer,
"1 minute", and agencies and members edited at the hub (rename, short name, area; policing area),
a name the panel already has refused in the dialog with a sentence."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt

from app.models.enums import Role
from app.services import panel


def _column(view, col: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    m = view.model()
    return [str(m.index(r, col).data()) for r in range(m.rowCount())]


def _select(view, text: str) -> None:  # type: ignore[no-untyped-def]
    m = view.model()
    for r in range(m.rowCount()):
        if m.index(r, 0).data() == text:
            view.setCurrentIndex(m.index(r, 0))
            return
    raise AssertionError(f"{text!r} not in the table")


def test_lists_open_sorted_a_to_z(demo_ui) -> None:  # type: ignore[no-untyped-def]
    pnl = demo_ui.win.show_screen("Panel")
    demo_ui.idle()
    agencies = _column(pnl.agencies_table)
    members = _column(pnl.members_table)
    assert len(agencies) > 3 and len(members) > 3
    assert agencies == sorted(agencies, key=str.casefold)  # Z→A before
    assert members == sorted(members, key=str.casefold)


def test_words_not_codes(demo_ui) -> None:  # type: ignore[no-untyped-def]
    pnl = demo_ui.win.show_screen("Panel")
    demo_ui.idle()
    cells = [c for col in range(pnl.agencies.columnCount()) for c in _column(pnl.agencies_table, col)]
    codes = set(panel.AGENCY_SECTORS) - {"police", "other", "health", "probation", "housing", "education"}
    assert not codes & set(cells), cells  # no "local-authority", "ct-police", "childrens"…
    assert "Local authority" in cells
    combo = [pnl.agency_sector.itemText(i) for i in range(pnl.agency_sector.count())]
    assert "Local authority" in combo and "local-authority" not in combo
    statuses = set(_column(pnl.members_table, 4))
    assert statuses <= {"Active", "Access revoked"}, statuses
    pnl.auto_lock.setValue(1)
    assert pnl.auto_lock.text() == "1 minute"
    pnl.auto_lock.setValue(2)
    assert pnl.auto_lock.text() == "2 minutes"


def test_add_member_defaults_to_officer(demo_ui) -> None:  # type: ignore[no-untyped-def]
    pnl = demo_ui.win.show_screen("Panel")
    demo_ui.idle()
    assert Role(pnl.member_role.currentData()) is Role.OFFICER


def test_rename_an_agency_at_the_hub(demo_ui, qtbot) -> None:  # type: ignore[no-untyped-def]
    h = demo_ui
    pnl = h.win.show_screen("Panel")
    h.idle()
    names = _column(pnl.agencies_table)
    target, other = names[0], names[1]
    _select(pnl.agencies_table, target)
    assert pnl.edit_agency.isEnabled()
    qtbot.mouseClick(pnl.edit_agency, Qt.MouseButton.LeftButton)
    dlg = pnl.edit_dialog
    assert dlg.isVisible() and dlg.fields["name"].text() == target
    dlg.fields["name"].setText(f"  {other.upper()} ")
    dlg.save_button.click()
    h.idle()
    assert "already has an agency called" in dlg.error.text() and dlg.isVisible()
    dlg.fields["name"].setText("Zetland Youth Offending Service")
    dlg.fields["area"].setText("East")
    dlg.save_button.click()
    h.idle()
    assert not shiboken6.isValid(dlg) or not dlg.isVisible()  # closed (and deleted)
    assert "Zetland Youth Offending Service" in _column(pnl.agencies_table)
    assert target not in _column(pnl.agencies_table)
    a = next(a for a in h.tasks.call_sync(lambda: panel.list_agencies(h.session))
             if a.name == "Zetland Youth Offending Service")
    assert a.area == "East"


def test_edit_a_member_name_and_area(demo_ui, qtbot) -> None:  # type: ignore[no-untyped-def]
    h = demo_ui
    pnl = h.win.show_screen("Panel")
    h.idle()
    name = _column(pnl.members_table)[0]
    _select(pnl.members_table, name)
    qtbot.mouseClick(pnl.edit_member, Qt.MouseButton.LeftButton)
    dlg = pnl.edit_dialog
    assert dlg.fields["name"].text() == name
    dlg.fields["name"].setText("Aaron Renamed")
    dlg.fields["area"].setText("West")
    dlg.save_button.click()
    h.idle()
    assert not shiboken6.isValid(dlg) or not dlg.isVisible()  # closed (and deleted)
    m = next(m for m in h.tasks.call_sync(lambda: panel.list_members(h.session)) if m.name == "Aaron Renamed")
    assert m.area == "West"
    assert "Aaron Renamed" in _column(pnl.members_table)


def test_an_officer_cannot_edit(demo_ui) -> None:  # type: ignore[no-untyped-def]
    h = demo_ui
    officer = next(m for m in h.ctx.snap.members if m.role is Role.OFFICER)
    win = h.window_as(officer.id, is_hub=False)
    pnl = win.show_screen("Panel")
    h.idle()
    _select(pnl.agencies_table, _column(pnl.agencies_table)[0])
    _select(pnl.members_table, _column(pnl.members_table)[0])
    assert not pnl.edit_agency.isEnabled() and not pnl.edit_member.isEnabled()


def test_add_an_agency_with_an_area_and_a_duplicate_refused(empty_ui, qtbot) -> None:  # type: ignore[no-untyped-def]
    h = empty_ui
    pnl = h.win.show_screen("Panel")
    h.idle()
    qtbot.keyClicks(pnl.agency_name, "Northshire Police")
    qtbot.keyClicks(pnl.agency_short, "NP")
    qtbot.keyClicks(pnl.agency_area, "North")
    qtbot.mouseClick(pnl.add_agency, Qt.MouseButton.LeftButton)
    h.idle()
    a = next(a for a in h.tasks.call_sync(lambda: panel.list_agencies(h.session)) if a.short == "NP")
    assert (a.name, a.area) == ("Northshire Police", "North")
    assert pnl.agency_area.text() == ""
    qtbot.keyClicks(pnl.agency_name, "northshire  POLICE")
    qtbot.keyClicks(pnl.agency_short, "NP2")
    qtbot.mouseClick(pnl.add_agency, Qt.MouseButton.LeftButton)
    h.idle()
    assert "already has an agency called “Northshire Police”" in pnl.error.text()
    assert len(h.tasks.call_sync(lambda: panel.list_agencies(h.session))) == 2
