"""Case tab: History — every view, change and print of the case, from the audit log."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.models.domain import CaseFile
from app.services import history
from app.services.history import HistoryLine
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, RowsModel
from app.ui.screens.cases.tab_common import CaseTab
from app.ui.widgets.plain import muted
from app.ui.widgets.tables import set_widths, sorted_table, text_width, wrap_rows


class HistoryTab(CaseTab):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        v = self.body
        # one sentence per entry, in local time ("Status changed from … to … by … at …")
        self.model: RowsModel[HistoryLine] = RowsModel(
            [
                Column("When", lambda h: h.at.strftime("%d/%m/%Y %H:%M"), sort=lambda h: h.seq),
                Column("What happened", lambda h: h.text),
            ],
            lambda h: str(h.seq),
            self,
        )
        self.proxy, self.table = sorted_table("Case history", self.model, self)
        set_widths(self.table, [text_width(self.table, "00/00/0000 00:00")], stretch=1)
        wrap_rows(self.table)
        v.addWidget(self.table, 1)
        v.addWidget(muted("Every view, change and print of this case, from the tamper-evident audit log."))

    def show_case(self, cf: CaseFile) -> None:
        cid = cf.case.id
        self.ctx.run(lambda s: history.case_history_lines(s, case_id=cid), owner=self,
                     on_done=self.model.set_rows)
