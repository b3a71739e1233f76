"""Case tab: Meetings — where this case was discussed and what was decided."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.models.domain import AgendaItem, CaseFile, Meeting
from app.services import meetings
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.screens.cases.tab_common import CaseTab
from app.ui.widgets.common import uk
from app.ui.widgets.tables import set_widths, sorted_table, wrap_rows


class MeetingsTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._meetings: dict[str, Meeting] = {}
        v = self.body

        def held(i: AgendaItem) -> str:
            m = self._meetings.get(i.meeting_id)
            return uk(m.held_on) if m else ""

        self.model: RowsModel[AgendaItem] = RowsModel(
            [
                Column("Meeting", held, sort=lambda i: self._meetings[i.meeting_id].held_on if i.meeting_id in self._meetings else None),
                Column("Item", lambda i: self.ctx.snap.programme.agenda_label(i.kind, item=True)),
                Column("Decision", lambda i: i.decision or "—"),
                Column("Rationale", lambda i: i.rationale),
                Column("Dissent", lambda i: i.dissent),
                Column("Discussion", lambda i: i.discussion),
            ],
            lambda i: i.id,
            self,
        )
        self.proxy, self.table = sorted_table("Where this case was discussed", self.model, self)
        set_widths(self.table, [92, 120, 0, 0, 160, 0], stretch=(2, 3, 5))
        wrap_rows(self.table)
        v.addWidget(self.table, 1)

    def show_case(self, cf: CaseFile) -> None:
        items = cf.agenda_items

        def got(ms: list[Meeting]) -> None:
            self._meetings = {m.id: m for m in ms}
            self.model.set_rows(items)

        self.ctx.run(meetings.list_meetings, owner=self, on_done=got)
