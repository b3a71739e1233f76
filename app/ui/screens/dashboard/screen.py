"""Dashboard: what needs attention today, for this workstation's agency.

My agency's actions overdue and due soon; referrals awaiting screening with working days left;
the next meeting and what is not ready for it; reviews and post-exit reviews falling due; counts
by status and by risk level as small charts. One trip to the store worker per refresh.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QTableView, QWidget

from app.models.domain import Action, CaseSummary
from app.services import ui_queries
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, IdRole, RowsModel, SortRole
from app.ui.screens.base import Screen
from app.ui.widgets.charts import BarChart
from app.ui.widgets.common import Section, uk
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import make_table, set_widths


class DashboardScreen(Screen):
    title = "Dashboard"
    watches = ()  # any change can move a figure here
    case_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.today_label = muted("", wrap=False)
        self.header.addWidget(self.today_label)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(14)
        self.root.addLayout(grid, 1)
        self.data: ui_queries.Dashboard | None = None

        self.actions_box = Section("My agency's actions: overdue and due in 14 days")
        self.actions_model: RowsModel[Action] = RowsModel(
            [
                Column("Case", lambda a: self.data.case_refs.get(a.case_id, "") if self.data else ""),
                Column("Action", lambda a: a.title),
                Column("Due", lambda a: uk(a.due), sort=lambda a: a.due),
            ],
            lambda a: a.id,
            self,
        )
        self.actions_model.set_danger(lambda a: self.data is not None and a.due < self.data.today)  # overdue
        self.actions_table = self._table("My agency's actions", self.actions_model, [112, 0, 88], chips=(),
                                         stretch=1)
        self.actions_box.body.addWidget(self.actions_table)
        self.all_actions = QPushButton("All my agency's overdue actions →")
        self.all_actions.setObjectName("Flat")
        self.all_actions.setAccessibleName("Show all my agency's overdue actions")
        self.actions_box.body.addWidget(self.all_actions, 0, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.actions_box, 0, 0)

        self.screen_box = Section("Referrals awaiting screening")
        self.screen_model: RowsModel[ui_queries.AwaitingScreening] = RowsModel(
            [
                Column("Ref", lambda w: w.summary.ref),
                Column("Name", lambda w: w.summary.subject_name),
                Column("Screen by", lambda w: uk(w.deadline), sort=lambda w: w.deadline),
                Column("Days", lambda w: f"{-w.days_left} late" if w.days_left < 0 else f"{w.days_left} left",
                       sort=lambda w: w.days_left,
                       kind=lambda w: "danger" if w.days_left < 0 else ("warn" if w.days_left <= 1 else "ok")),
            ],
            lambda w: w.summary.id,
            self,
        )
        self.screen_table = self._table("Referrals awaiting screening", self.screen_model, [112, 0, 88, 64],
                                        chips=(3,), stretch=1)
        self.screen_box.body.addWidget(self.screen_table)
        grid.addWidget(self.screen_box, 0, 1)

        self.meeting_box = Section("Next meeting")
        self.meeting_title = PlainLabel("", object_name="H2", wrap=True)
        self.meeting_box.body.addWidget(self.meeting_title)
        self.not_ready = PlainLabel("", wrap=True, accessible="What is not ready")
        self.meeting_box.body.addWidget(self.not_ready)
        self.meeting_box.body.addStretch(1)
        grid.addWidget(self.meeting_box, 1, 0)

        self.review_box = Section("Reviews and post-exit reviews due (14 days)")
        self.review_model: RowsModel[CaseSummary] = RowsModel(
            [
                Column("Ref", lambda s: s.ref),
                Column("Name", lambda s: s.subject_name),
                Column("Review", lambda s: uk(s.next_review), sort=lambda s: s.next_review),
                Column("Kind", lambda s: "Post-exit" if self.data and s in self.data.post_exit_due else "Review",
                       kind=lambda s: "muted" if self.data and s in self.data.post_exit_due else "accent"),
            ],
            lambda s: s.id,
            self,
        )
        self.review_table = self._table("Reviews due", self.review_model, [112, 0, 88, 72], chips=(3,), stretch=1)
        self.review_box.body.addWidget(self.review_table)
        grid.addWidget(self.review_box, 1, 1)

        charts = Section("Cases by status", horizontal=False)
        self.status_chart = BarChart("Cases by status")
        charts.body.addWidget(self.status_chart)
        grid.addWidget(charts, 0, 2)
        risk = Section("Open cases by risk level")
        self.risk_chart = BarChart("Open cases by risk level")
        risk.body.addWidget(self.risk_chart)
        risk.body.addStretch(1)
        grid.addWidget(risk, 1, 2)
        charts.setFixedWidth(262)
        risk.setFixedWidth(262)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 5)
        grid.setColumnStretch(2, 0)

    def _table(self, name: str, model: RowsModel[Any], widths: list[int], chips: tuple[int, ...],
               stretch: int) -> QTableView:
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(model)
        proxy.setSortRole(SortRole)
        view = make_table(name, proxy, chip_columns=chips)
        set_widths(view, widths, stretch=stretch)
        view.activated.connect(self._on_table_activated)
        return view

    def _on_table_activated(self, index: QModelIndex) -> None:
        rec_id = index.data(IdRole)
        model = index.model()
        if model is self.actions_table.model() and self.data is not None:
            act = next((a for a in (*self.data.my_overdue, *self.data.my_due_soon) if a.id == rec_id), None)
            rec_id = act.case_id if act else None
        if rec_id:
            self.case_requested.emit(rec_id)

    def load(self) -> None:
        self.ctx.run(ui_queries.dashboard, owner=self, on_done=self._on_loaded)

    def _on_loaded(self, d: ui_queries.Dashboard) -> None:
        self.data = d
        self.today_label.setText(f"Today {uk(d.today)} · {self.ctx.snap.workstation.agency.name}")
        self.actions_model.set_rows((*d.my_overdue, *d.my_due_soon))
        self.actions_box.title.setText(
            f"My agency's actions: {len(d.my_overdue)} overdue, {len(d.my_due_soon)} due in 14 days")
        self.screen_model.set_rows(d.awaiting_screening)
        late = sum(1 for w in d.awaiting_screening if w.days_left < 0)
        self.screen_box.title.setText(f"Referrals awaiting screening: {len(d.awaiting_screening)}, {late} late")
        if d.next_meeting is None:
            self.meeting_title.setText("No meeting scheduled.")
            self.not_ready.setText("Schedule one on the Meetings screen.")
        else:
            m = d.next_meeting
            self.meeting_title.setText(f"{uk(m.held_on)} at {m.time} · {m.venue or 'venue to be confirmed'} · "
                                       f"{len(m.agenda)} items")
            self.not_ready.setText(
                "\n".join(f"• {label}: {problems}" for label, problems in d.not_ready)
                or "Every item on the agenda is ready.")
        self.review_model.set_rows((*d.reviews_due, *d.post_exit_due))
        self.status_chart.set_data(list(d.by_status))
        from app.ui.widgets.charts import PALETTE

        self.risk_chart.set_data([(label, n, PALETTE[min(i, len(PALETTE) - 1)]) for i, (label, n) in enumerate(d.by_risk)])
