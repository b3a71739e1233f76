"""A 5,000-character note can be read in the application, to its last word, at 1366x768 at 125 %
(docs/ui.md, "Layout at small sizes"): the Information tab wraps it and scrolls by pixels, so a
row taller than the view is not cut off at the view's bottom edge."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from tests.support.ui import SIZES

END = "This is the last sentence of the long note."


def test_a_5000_character_note_can_be_read_to_the_end(demo_ui) -> None:  # type: ignore[no-untyped-def]
    from app.services import cases, contributions

    h = demo_ui
    s = h.session
    body = " ".join(f"Observation {n}: the family reported a further change in routine." for n in range(80))
    text = (body[: 5000 - len(END) - 1] + " " + END)
    assert len(text) == 5000

    def add() -> str:
        # a case that already has a note from before today: sorted newest first, it follows the
        # long one (the first case of the demo data may have none)
        cid = next(c for c in cases.list_case_ids(s)
                   if any(n.recorded_on < s.today() for n in contributions.contributions_for(s, case_id=c)))
        contributions.add_contribution(s, case_id=cid, text=text)
        return cid

    cid = h.tasks.call_sync(add)
    h.win.resize(*SIZES["1366x768@125%"])
    h.win.open_case(cid)
    h.idle()
    view = h.win.screens["Cases"].view
    view.tabs.setCurrentWidget(view.information)
    h.idle()
    QApplication.processEvents()
    table = view.information.table
    table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # newest first: other notes follow it
    QApplication.processEvents()
    model = table.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 5).data() == text)
    assert row < model.rowCount() - 1, "another note follows this one"
    index = model.index(row, 5)
    table.scrollTo(index)
    QApplication.processEvents()
    rect = table.visualRect(index)
    fm = table.fontMetrics()
    flags = int(Qt.TextFlag.TextWordWrap.value)
    need = fm.boundingRect(QRect(0, 0, rect.width() - 8, 100_000), flags, text).height()
    assert rect.height() >= need, "the row is shorter than the note"
    assert rect.height() > table.viewport().height(), "the note should be taller than the view here"
    # the view scrolls within the row: its end can be brought into view
    bar = table.verticalScrollBar()
    seen = set()
    for value in [*range(bar.minimum(), bar.maximum(), max(1, bar.singleStep())), bar.maximum()]:
        bar.setValue(value)
        QApplication.processEvents()
        r = table.visualRect(index)
        top, bottom = max(0, -r.top()), min(r.height(), table.viewport().height() - r.top())
        seen.update(range(top // 10, (bottom + 9) // 10))
    missing = set(range((rect.height() - 12) // 10)) - seen  # the cell's last padding aside
    assert not missing, f"{len(missing) * 10}px of the note can never be scrolled into view"
