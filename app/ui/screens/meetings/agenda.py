"""The meeting editor's Agenda tab: the agenda in order, items moved or removed, AOB added, and
the proposals from ``meetings.propose_agenda`` added when the coordinator says so (a part of
``MeetingEditor``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Role
from app.services import ui_queries
from app.services.context import Session
from app.services.meetings import agenda
from app.ui.context import UiContext
from app.ui.screens.base import scrolled
from app.ui.widgets.common import Section, chain_focus
from app.ui.widgets.controls import button, line_edit
from app.ui.widgets.plain import muted
from app.ui.widgets.tables import wrap_list

USER = 0x0100  # Qt.ItemDataRole.UserRole: the agenda item's or case's id


class AgendaTab:
    """Mixed into ``MeetingEditor``, which supplies what is declared here."""

    ctx: UiContext
    meeting_id: str
    view: ui_queries.MeetingView | None
    _run: Callable[..., None]  # MeetingEditor._run: one service call, then the meeting reloads

    # --- agenda ----------------------------------------------------------------------------------
    def _build_agenda(self) -> QWidget:
        # the agenda above the proposals, and the page scrolls: side by side, the proposals had a
        # fifth of the editor, wrapped to a few words a line and showed two at a time
        # (1366x768 at 125 % with the client's fonts)
        page = QWidget()
        h = QVBoxLayout(page)
        left = Section("Agenda")
        self.agenda = QListWidget()
        self.agenda.setAccessibleName("Agenda items in order")
        wrap_list(self.agenda)
        left.body.addWidget(self.agenda)
        row = QHBoxLayout()
        self.up = button("Move &up", accessible="Move item up")
        self.down = button("Move &down", accessible="Move item down")
        self.remove = button("Remove", accessible="Remove item from agenda")
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.remove.clicked.connect(self._on_remove_clicked)
        for b in (self.up, self.down, self.remove):
            row.addWidget(b)
        left.body.addLayout(row)
        aob = QHBoxLayout()
        self.aob = line_edit("Other business title", placeholder="Any other business")
        add_aob = button("Add", accessible="Add other business", on_click=self._on_add_aob_clicked)
        aob.addWidget(self.aob, 1)
        aob.addWidget(add_aob)
        left.body.addLayout(aob)
        self.add_aob = add_aob
        right = Section("Proposed")
        right.body.addWidget(muted("Cases ready for panel, reviews and post-exit reviews due by the meeting date."))
        self.proposals = QListWidget()
        self.proposals.setAccessibleName("Proposed agenda items")
        wrap_list(self.proposals)
        right.body.addWidget(self.proposals)
        self.add_proposed = button("&Add to agenda", accessible="Add proposed items to the agenda",
                                   on_click=self._on_add_proposed_clicked)
        right.body.addWidget(self.add_proposed)
        h.addWidget(left)
        h.addWidget(right)
        for lst in (self.agenda, self.proposals):  # room for a few two-line items each
            lst.setMinimumHeight(7 * lst.fontMetrics().lineSpacing())
        chain_focus(self.agenda, self.up, self.down, self.remove, self.aob, add_aob, self.proposals, self.add_proposed)
        return scrolled(page)

    def _item_text(self, item_id: str) -> str:
        assert self.view is not None
        for i in self.view.meeting.agenda:
            if i.id == item_id:
                s = self.view.summaries.get(i.case_id or "")
                who = f"{s.ref} · {s.subject_name}" if s else i.title
                problems = self.view.problems.get(i.id)
                extra = f"   ⚠ {'; '.join(problems)}" if problems else ""
                return f"{i.position}. {self.ctx.snap.programme.agenda_label(i.kind, item=True)}: {who}{extra}"
        return ""

    def _fill_agenda(self) -> None:
        assert self.view is not None
        self.agenda.clear()
        for i in sorted(self.view.meeting.agenda, key=lambda x: x.position):
            item = QListWidgetItem(self._item_text(i.id))
            item.setData(USER, i.id)
            self.agenda.addItem(item)
        self.proposals.clear()
        for cid, kind in self.view.proposals:
            s = self.view.summaries.get(cid)
            label = self.ctx.snap.programme.agenda_label(kind, item=True)
            item = QListWidgetItem(f"{label}: {s.ref} · {s.subject_name}" if s else label)
            item.setData(USER, cid)
            self.proposals.addItem(item)
        self.proposals.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        editable = self.ctx.snap.workstation.member.role is Role.COORDINATOR and self.view.meeting.status == "scheduled"
        for w in (self.up, self.down, self.remove, self.add_proposed, self.aob):
            w.setEnabled(editable)

    def agenda_ids(self) -> list[str]:
        return [self.agenda.item(i).data(USER) for i in range(self.agenda.count())]

    def _move(self, delta: int) -> None:
        row = self.agenda.currentRow()
        ids = self.agenda_ids()
        if not 0 <= row < len(ids) or not 0 <= row + delta < len(ids):
            return
        ids[row], ids[row + delta] = ids[row + delta], ids[row]
        mid, target = self.meeting_id, row + delta
        self._run(lambda s: agenda.reorder_agenda(s, meeting_id=mid, item_ids=ids),
                  done=lambda _r: setattr(self, "_select_row", target))

    def _on_remove_clicked(self) -> None:
        item = self.agenda.currentItem()
        if item is not None:
            iid = item.data(USER)
            self._run(lambda s: agenda.remove_agenda_item(s, item_id=iid))

    def _on_add_aob_clicked(self) -> None:
        title, mid = self.aob.text(), self.meeting_id
        self._run(lambda s: agenda.add_agenda_item(s, meeting_id=mid, title=title), done=lambda _r: self.aob.clear())

    def _on_add_proposed_clicked(self) -> None:
        chosen = [i.data(USER) for i in self.proposals.selectedItems()] or [
            self.proposals.item(i).data(USER) for i in range(self.proposals.count())]
        mid = self.meeting_id

        def job(s: Session) -> None:
            for cid in chosen:
                agenda.add_agenda_item(s, meeting_id=mid, case_id=cid)

        self._run(job)

    # --- minutes ---------------------------------------------------------------------------------
