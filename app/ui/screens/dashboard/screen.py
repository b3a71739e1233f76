"""Dashboard: what needs attention today, for this workstation's agency.

My agency's actions overdue and due soon; referrals awaiting screening with working days left;
the next meeting and what is not ready for it; reviews and post-exit reviews falling due; counts
by status and by risk level as small charts. One trip to the store worker per refresh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QStyle, QTableView, QVBoxLayout, QWidget

from app.models.domain import Action
from app.models.transfer import UNANSWERED_WORKING_DAYS
from app.services import ui_queries
from app.ui.context import UiContext
from app.ui.itemmodels.rows import Column, IdRole, RowsModel
from app.ui.screens.base import Screen, scrolled
from app.ui.widgets.charts import BarChart
from app.ui.widgets.common import Section, uk
from app.ui.widgets.controls import button
from app.ui.widgets.plain import PlainLabel, muted
from app.ui.widgets.tables import (
    MIN_STRETCH,
    date_width,
    ref_width,
    set_widths,
    sorted_table,
    text_width,
    wrap_rows,
)

SHORT_KIND = {"Post-exit review": "Post-exit", "Consent re-assessment": "Consent"}  # the box title says it whole


def review_when(r: ui_queries.ReviewDue, today: dt.date) -> str:
    """ "3 late", "today", "5 left" (days): how a review due stands, as the screening queue says it."""
    if r.days_late:
        return f"{r.days_late} late"
    ahead = (r.due - today).days
    return "today" if ahead <= 0 else f"{ahead} left"


def short_day(day: dt.date, today: dt.date) -> str:
    """ "30/11" in this year (the header says which: "Today 30/11/2026"), "14/01/2025" otherwise."""
    return day.strftime("%d/%m") if day.year == today.year else uk(day)


def screen_by(w: ui_queries.AwaitingScreening, today: dt.date) -> str:
    """The screening deadline and where it stands, in one chip: "03/12 · 3 left", "28/11 · 2 late"."""
    left = f"{-w.days_left} late" if w.days_left < 0 else f"{w.days_left} left"
    return f"{short_day(w.deadline, today)} · {left}"


def due_when(r: ui_queries.ReviewDue, today: dt.date) -> str:
    """A review's due date and where it stands, in one chip: "30/11 · today", "20/11 · 10 late"."""
    return f"{short_day(r.due, today)} · {review_when(r, today)}"


NOT_READY_LINES = 4  # the next-meeting card lists this many unready items, then "and n more"


class DashboardScreen(Screen):
    title = "Dashboard"
    watches = ()  # any change can move a figure here
    case_requested = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._fitters: dict[int, tuple[Any, list[int], tuple[int, ...]]] = {}
        self.today_label = muted("", wrap=False)
        self.header.addWidget(self.today_label)
        left, right = self._build_columns()
        self.data: ui_queries.Dashboard | None = None
        left.addWidget(self._build_actions(), 1)
        # offers to partner panels left unanswered (issue 15): a line above the queue, when any
        self.transfers_late = PlainLabel("", wrap=True, object_name="Lead",
                                         accessible="Transfers not answered")
        self.transfers_late.hide()
        right.addWidget(self.transfers_late)
        right.addWidget(self._build_screening(), 1)
        left.addWidget(self._build_meeting())
        right.addWidget(self._build_reviews(), 1)
        left.addWidget(self._build_charts())

    def _build_columns(self) -> tuple[QVBoxLayout, QVBoxLayout]:
        # two calm columns: my work (actions, the next meeting, the counts) | the panel's queue
        # (referrals to screen, reviews due); tables stretch, fixed columns fit their text. When
        # the window is too narrow for both (1366x768 at 125 %), the queue goes below my work and
        # the page scrolls up and down (docs/ui.md, "Layout at small sizes")
        body = QWidget()
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        self.columns.setContentsMargins(0, 0, 0, 0)
        self.columns.setSpacing(14)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.setSpacing(14)
        right.setSpacing(14)
        self.columns.addLayout(left, 1)
        self.columns.addLayout(right, 1)
        self.left_column, self.right_column = left, right
        self.page = scrolled(body)
        self.page.setAccessibleName("Dashboard")
        self.root.addWidget(self.page, 1)
        body.installEventFilter(_StackWhenNarrow(self))
        return left, right

    def _build_actions(self) -> Section:
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
        self.actions_table = self._table("My agency's actions", self.actions_model, ["ref", 0, "date"], chips=(),
                                         stretch=1, keep=(0, 2))
        self.actions_box.body.addWidget(self.actions_table, 1)
        self.no_actions = muted("Nothing of your agency's is overdue or due in the next 14 days.")
        self.actions_box.body.addWidget(self.no_actions)
        self.no_actions.hide()
        self.all_actions = button("All my agency's overdue actions →",
                                  accessible="Show all my agency's overdue actions", object_name="Flat")
        self.actions_box.body.addWidget(self.all_actions, 0, Qt.AlignmentFlag.AlignLeft)
        return self.actions_box

    def _build_screening(self) -> Section:
        self.screen_box = Section("Referrals awaiting screening")
        self.screen_model: RowsModel[ui_queries.AwaitingScreening] = RowsModel(
            [
                Column("Ref", lambda w: w.summary.ref),
                Column("Name", lambda w: w.summary.subject_name),
                Column("Screen by", lambda w: screen_by(w, self.data.today if self.data else w.deadline),
                       sort=lambda w: (w.deadline, w.summary.ref),
                       kind=lambda w: "danger" if w.days_left < 0 else ("warn" if w.days_left <= 1 else "ok")),
            ],
            lambda w: w.summary.id,
            self,
        )
        self.screen_table = self._table("Referrals awaiting screening", self.screen_model,
                                        ["ref", 0, "00/00 · 10 late"], chips=(2,), stretch=1)
        self.screen_box.body.addWidget(self.screen_table)
        # a step another agency holds that is past its due time (the police gateway assessment)
        self.steps_late = PlainLabel("", wrap=True, object_name="InlineError", accessible="Steps overdue")
        self.screen_box.body.addWidget(self.steps_late)
        self.steps_late.hide()
        return self.screen_box

    def _build_meeting(self) -> Section:
        self.meeting_box = Section("Next meeting")
        self.meeting_title = PlainLabel("", object_name="H2", wrap=True)
        self.meeting_box.body.addWidget(self.meeting_title)
        self.not_ready = PlainLabel("", wrap=True, accessible="What is not ready")
        self.meeting_box.body.addWidget(self.not_ready)
        return self.meeting_box

    def _build_reviews(self) -> Section:
        self.review_box = Section("Reviews, post-exit reviews and consent re-assessments due (14 days)")
        # earliest first; a late one is marked as late screening is (the "When" chip)
        self.review_model: RowsModel[ui_queries.ReviewDue] = RowsModel(
            [
                Column("Ref", lambda r: r.summary.ref),
                # a date field's proposal says what ended, and what it proposes, after the name
                Column("Name", lambda r: f"{r.summary.subject_name} · {r.note}" if r.note else r.summary.subject_name),
                Column("Due", lambda r: due_when(r, self.data.today if self.data else r.due),
                       sort=lambda r: (r.due, r.summary.ref),
                       kind=lambda r: "danger" if r.days_late else ("warn" if self.data and r.due == self.data.today
                                                                    else "ok")),
                Column("Kind", lambda r: SHORT_KIND.get(r.kind, r.kind), sort=lambda r: (r.kind, r.due),
                       kind=lambda r: {"Review": "accent", "Post-exit review": "muted"}.get(r.kind, "info")),
            ],
            lambda r: f"{r.summary.id}:{r.kind}",
            self,
        )
        self.review_table = self._table("Reviews due", self.review_model,
                                        ["ref", 0, "00/00 · 10 late", "Post-exit"],
                                        chips=(2, 3), stretch=1)
        self.review_table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.review_box.body.addWidget(self.review_table)
        return self.review_box

    def _build_charts(self) -> Section:
        charts = Section("Cases", horizontal=True)
        charts.body.setSpacing(20)
        status_col, risk_col = QVBoxLayout(), QVBoxLayout()
        status_col.addWidget(muted("By status", wrap=False))
        self.status_chart = BarChart("Cases by status")
        status_col.addWidget(self.status_chart)
        status_col.addStretch(1)
        risk_col.addWidget(muted("Open cases by risk level", wrap=False))
        self.risk_chart = BarChart("Open cases by risk level")
        risk_col.addWidget(self.risk_chart)
        risk_col.addStretch(1)
        charts.body.addLayout(status_col, 3)
        charts.body.addLayout(risk_col, 2)
        return charts

    def _table(self, name: str, model: RowsModel[Any], widths: list[int | str], chips: tuple[int, ...],
               stretch: int, keep: tuple[int, ...] | None = None) -> QTableView:
        """``widths``: pixels, or "ref"/"date", or a sample text the column must show whole. Refs,
        dates and chips keep their width (``keep``: by default every column but ``stretch``);
        names wrap onto a second line rather than elide. A chip column widens, once loaded, to
        its longest text ("14/01/2025 · 320 late")."""
        _proxy, view = sorted_table(name, model, self, chip_columns=chips)
        px = [w if isinstance(w, int) else ref_width(view) if w == "ref" else date_width(view) if w == "date"
              else text_width(view, w, pad=34) for w in widths]
        if keep is None:
            keep = tuple(i for i in range(len(widths)) if i != stretch)
        fitter = set_widths(view, px, stretch=stretch, keep=keep)
        wrap_rows(view)
        view.verticalHeader().setMinimumSectionSize(28)  # a chip's row as tall as elsewhere
        self._fitters[id(view)] = (fitter, list(px), chips)
        view.activated.connect(self._on_table_activated)
        return view

    def _fit_chips(self, view: QTableView) -> None:
        """Chip columns as wide as their longest text (at least the sample they were built with)."""
        fitter, base, chips = self._fitters[id(view)]
        model = view.model()
        fm = view.fontMetrics()
        for c in chips:
            texts = [str(model.index(r, c).data() or "") for r in range(model.rowCount())]
            fitter.widths[c] = max([base[c], *(fm.horizontalAdvance(t) + 34 for t in texts)])
        fitter.fit()

    def right_column_width(self) -> int:
        """What the queue's column needs: the reviews table's fixed columns whole, a name column
        of fair width, the table's frame and scroll bar, the card's margins."""
        need = 0
        for view in (self.screen_table, self.review_table):
            fitter, _base, _chips = self._fitters[id(view)]
            fixed = sum(w for i, w in enumerate(fitter.widths) if i not in fitter.stretch)
            bar = view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, view)
            need = max(need, fixed + MIN_STRETCH + bar + 2 * view.frameWidth() + 28 + 4)
        return need

    def stack_columns(self, stacked: bool) -> None:
        """The queue beside my work, or below it (the page scrolls); stacked, each table keeps
        room for several rows."""
        want = QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        if self.columns.direction() == want:
            return
        self.columns.setDirection(want)
        for view in (self.actions_table, self.screen_table, self.review_table):
            view.setMinimumHeight(view.horizontalHeader().height() + 5 * 30 if stacked else 0)

    def _on_table_activated(self, index: QModelIndex) -> None:
        rec_id = index.data(IdRole)
        model = index.model()
        if model is self.actions_table.model() and self.data is not None:
            act = next((a for a in (*self.data.my_overdue, *self.data.my_due_soon) if a.id == rec_id), None)
            rec_id = act.case_id if act else None
        elif model is self.review_table.model() and rec_id:
            rec_id = str(rec_id).split(":", 1)[0]  # "case id:kind" (a case may have two reviews due)
        if rec_id:
            self.case_requested.emit(rec_id)

    def load(self) -> None:
        self.ctx.run(ui_queries.dashboard, owner=self, on_done=self._on_loaded)

    def _on_loaded(self, d: ui_queries.Dashboard) -> None:
        self.data = d
        self.today_label.setText(f"Today {uk(d.today)} · {self.ctx.snap.workstation.agency.name}")
        self.actions_model.set_rows((*d.my_overdue, *d.my_due_soon))
        empty = not (d.my_overdue or d.my_due_soon)
        self.actions_table.setVisible(not empty)
        self.no_actions.setVisible(empty)
        self.actions_box.title.setText(
            f"My agency's actions: {len(d.my_overdue)} overdue, {len(d.my_due_soon)} due in 14 days")
        self.screen_model.set_rows(d.awaiting_screening)
        self._fit_chips(self.screen_table)
        late = sum(1 for w in d.awaiting_screening if w.days_left < 0)
        self.screen_box.title.setText(f"Referrals awaiting screening: {len(d.awaiting_screening)}, {late} late")
        overdue: dict[str, list[str]] = {}
        for w in d.awaiting_screening:
            if w.step and w.days_left < 0:
                overdue.setdefault(w.step, []).append(w.summary.ref)
        self.steps_late.setText("\n".join(f"{step} overdue: {', '.join(sorted(refs))}"
                                           for step, refs in overdue.items()))
        self.steps_late.setVisible(bool(overdue))
        if d.next_meeting is None:
            self.meeting_title.setText("No meeting scheduled.")
            self.not_ready.setText("Schedule one on the Meetings screen.")
        else:
            m = d.next_meeting
            self.meeting_title.setText(f"{uk(m.held_on)} at {m.time} · {m.venue or 'venue to be confirmed'} · "
                                       f"{len(m.agenda)} items")
            lines = [f"• {label}: {problems}" for label, problems in d.not_ready]
            if len(lines) > NOT_READY_LINES:
                more = len(lines) - NOT_READY_LINES + 1
                lines = [*lines[:NOT_READY_LINES - 1], f"… and {more} more items not ready (see Meetings)."]
            self.not_ready.setText("\n".join(lines) or "Every item on the agenda is ready.")
        self.transfers_late.setText("\n".join(
            f"{t.case_ref}: transfer offered to {t.partner} on {uk(t.offered_on)}, no answer in "
            f"{UNANSWERED_WORKING_DAYS} working days" for t in d.unanswered_transfers))
        self.transfers_late.setVisible(bool(d.unanswered_transfers))
        self.review_model.set_rows(d.due)
        self._fit_chips(self.review_table)
        late_reviews = sum(1 for r in d.due if r.days_late)
        self.review_box.title.setText(f"Reviews due in 14 days: {len(d.due)}, {late_reviews} late")
        self.status_chart.set_data(list(d.by_status))
        from app.ui.widgets.charts import PALETTE

        self.risk_chart.set_data([(label, n, PALETTE[min(i, len(PALETTE) - 1)]) for i, (label, n) in enumerate(d.by_risk)])


class _StackWhenNarrow(QObject):
    """Stacks the dashboard's two columns while its page is narrower than my work's column at its
    least plus the queue's column at what it needs."""

    def __init__(self, screen: DashboardScreen) -> None:
        super().__init__(screen)
        self.screen = screen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            s = self.screen
            need = s.left_column.minimumSize().width() + s.columns.spacing() + s.right_column_width()
            s.stack_columns(watched.width() < need)  # type: ignore[attr-defined]
        return False
