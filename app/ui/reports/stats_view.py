"""The statistics of a period as key figures, small QPainter charts (``charts``)
and compact tables.

``StatsView.set_statistics(stats)`` lays out one card per breakdown (chart above, table below) in
three columns, shortest column first, with the timing and actions breakdowns full width below.
Used by the Reports screen.

Invariants:
- Shows the raw :class:`Statistics` (the screen's figures are not suppressed; returns are).
- Category labels are data and are painted with ``drawText`` or shown as model strings: plain
  text, never markup. Every chart exposes its figures through ``accessibleDescription``.
- Cards are built once per breakdown key and refilled in place; tables are sized to their rows
  (the page scrolls, never the tables).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.statistics import CASE_FIELD_BREAKDOWN, Breakdown, Count, Measure, Statistics
from app.ui.reports.charts import BAR, LATE, Bar, ColumnChart, HBarChart
from app.ui.reports.model import BreakdownModel, value_text
from app.ui.widgets.common import uk
from app.ui.widgets.plain import PlainLabel, muted, plain_tooltip
from app.ui.widgets.tables import read_only_rows, set_widths

TABLE_ROW_H = 22

#: heading of the category column of each breakdown's table
LABEL_HEADINGS = {
    "referrals_by_month": "Month",
    "referrals_by_quarter": "Quarter",
    "referrals_by_sector": "Referring sector",
    "referrals_by_concern": "Type of concern",
    "referrals_by_age": "Age at referral",
    "referrals_by_gender": "Gender",
    "referrals_by_ethnicity": "Ethnicity",
    "screening_outcomes": "Outcome",
    "case_progress": "Stage",
    "consent": "Consent",
    "timeliness": "From referral",
    "actions_on_time": "Agency",
    "overdue_now": "Agency",
}
WIDE = ("timeliness", "actions_on_time")
#: the order cards are placed in (most asked-for first); keys not listed follow in their own order
ORDER = (
    "referrals_by_month", "referrals_by_quarter", "case_progress", "screening_outcomes", "consent",
    "referrals_by_sector", "referrals_by_concern", "referrals_by_age", "referrals_by_gender",
    "referrals_by_ethnicity", "overdue_now", "timeliness", "actions_on_time",
)  # fmt: skip


class StatsTable(QTableView):
    """A compact read-only table that is as tall as its rows (the page scrolls, not the table).

    The height is asked for at layout time, after the stylesheet has sized the header."""

    def __init__(self, name: str, model: BreakdownModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # long labels (agencies, ethnicities) wrap rather than elide
        read_only_rows(self, name, model, object_name="StatsTable",
                       selection=QAbstractItemView.SelectionMode.SingleSelection, wrap=True)
        self.verticalHeader().setDefaultSectionSize(TABLE_ROW_H)
        self.verticalHeader().setMinimumSectionSize(TABLE_ROW_H)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().sectionResized.connect(lambda *_: self.updateGeometry())
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        model.modelReset.connect(self.updateGeometry)

    def sizeHint(self) -> QSize:
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        header = self.horizontalHeader()
        h = max(header.height(), header.sizeHint().height()) if not header.isHidden() else 0
        body = self.verticalHeader().length() if rows else 0
        body = max(body, rows * self.verticalHeader().defaultSectionSize())
        return QSize(240, h + body + 2 * self.frameWidth() + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.sizeHint().height())


class BreakdownCard(QFrame):
    """One breakdown: a title, a chart and a compact table (side by side when ``wide``)."""

    def __init__(self, key: str, title: str, *, wide: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("Card")
        self.setAccessibleName(title)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 10, 14, 12)
        outer.setSpacing(6)
        self.title = PlainLabel(title, object_name="CardTitle", wrap=True)
        outer.addWidget(self.title)
        self.chart: HBarChart | ColumnChart = (
            ColumnChart(f"{title}: chart") if key == "referrals_by_month" else
            HBarChart(f"{title}: chart", colour=LATE if key == "overdue_now" else BAR)
        )
        self.model = BreakdownModel(LABEL_HEADINGS.get(key, ""), self)
        self.table = StatsTable(f"{title}: table", self.model)
        body = QHBoxLayout() if wide else QVBoxLayout()
        body.setSpacing(18 if wide else 8)
        body.addWidget(self.chart, 2 if wide else 1, Qt.AlignmentFlag.AlignTop)
        body.addWidget(self.table, 3 if wide else 1, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(body)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._fitted: tuple[str, ...] = ()

    def set_breakdown(self, b: Breakdown, title: str = "") -> None:
        title = title or b.title
        self.title.setText(title)
        self.setAccessibleName(title)
        self.chart.setAccessibleName(f"{title}: chart")
        self.table.setAccessibleName(f"{title}: table")
        self.model.set_breakdown(b, LABEL_HEADINGS.get(b.key, b.label_heading))
        if b.columns != self._fitted:  # once per shape: set_widths installs a resize filter
            self._fitted = b.columns
            bold = QFont(self.table.font())
            bold.setBold(True)
            fm = QFontMetrics(bold)
            set_widths(self.table, [0] + [max(64, fm.horizontalAdvance(c) + 26) for c in b.columns], stretch=0)
        if isinstance(self.chart, ColumnChart):
            self.chart.set_points([(r.label, _count(r.values[0])) for r in b.rows if not r.is_total])
        else:
            bars, top = chart_bars(b)
            self.chart.set_bars(bars, top=top)
        self.chart.setToolTip(plain_tooltip(self.chart.accessibleDescription().replace("; ", "\n")) or "")

    def weight(self) -> int:
        """Roughly how tall the card is, in table rows (to balance the columns)."""
        rows = self.model.rowCount()
        chart_rows = 6 if isinstance(self.chart, ColumnChart) else max(1, rows - 1)
        return 3 + rows + chart_rows


def _count(v: Count | Measure) -> int:
    return v.value if isinstance(v, Count) else 0


def chart_bars(b: Breakdown) -> tuple[list[Bar], float | None]:
    """What a breakdown's chart draws (totals are left to the table)."""
    rows = [r for r in b.rows if not r.is_total]
    if b.key == "timeliness":
        bars = []
        for r in rows:
            label = r.label.removeprefix("Referral to ").capitalize()
            for measure, name, soft in ((r.values[1], "median", False), (r.values[2], "90th pct", True)):
                v = measure.value
                text = "n/a" if v is None else f"{value_text(measure)} days"
                bars.append(Bar(f"{label}, {name}", float(v or 0), text, soft))
        return bars, None
    if b.key == "actions_on_time":
        return [Bar(r.label, float(r.values[-1].value or 0), value_text(r.values[-1])) for r in rows], 100.0
    return [Bar(r.label, float(_count(r.values[0])), value_text(r.values[0])) for r in rows], None


@dataclass(frozen=True)
class KeyFigure:
    caption: str
    text: str


def key_figures(stats: Statistics) -> list[KeyFigure]:
    """The headline numbers of the period, from the breakdowns (raw)."""
    out: list[KeyFigure] = []

    def count(key: str, label: str, caption: str) -> None:
        with contextlib.suppress(KeyError):
            out.append(KeyFigure(caption, str(stats.breakdown(key).value(label))))

    for count_key, caption in stats.captions:  # the programme's words for its stages
        with contextlib.suppress(KeyError):
            out.append(KeyFigure(caption, str(stats.breakdown("case_progress").count_of(count_key))))
    try:
        timing = stats.breakdown("timeliness")
        for row, caption in zip(timing.rows, ("Median days to screening", "Median days to panel"), strict=False):
            out.append(KeyFigure(caption, value_text(row.values[1])))
    except KeyError:
        pass
    try:
        total = next(r for r in stats.breakdown("actions_on_time").rows if r.is_total)
        out.append(KeyFigure("Actions on time", value_text(total.values[-1])))
    except (KeyError, StopIteration):
        pass
    count("overdue_now", "Total", "Overdue now")
    return out


class KeyFigureTile(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(0)
        self.figure = PlainLabel("", object_name="H1")
        # a programme's longer words for a stage wrap rather than push the cards off the screen
        self.caption = muted("", wrap=True)
        layout.addWidget(self.figure)
        layout.addWidget(self.caption)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set(self, k: KeyFigure) -> None:
        self.figure.setText(k.text)
        self.caption.setText(k.caption)
        self.setAccessibleName(f"{k.caption}: {k.text}")
        self.setToolTip(plain_tooltip(f"{k.caption}: {k.text}") or "")


class StatsView(QWidget):
    """Key figures on top, then the breakdown cards in three balanced columns, then the wide ones."""

    COLUMNS = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Statistics")
        self.stats: Statistics | None = None
        self.cards: dict[str, BreakdownCard] = {}
        self.tiles: list[KeyFigureTile] = []
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(12)
        self._tiles = QHBoxLayout()
        self._tiles.setSpacing(10)
        root.addLayout(self._tiles)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(12)
        self._grid.setVerticalSpacing(0)
        self._columns = []
        for c in range(self.COLUMNS):
            col = QVBoxLayout()
            col.setSpacing(12)
            self._columns.append(col)
            self._grid.addLayout(col, 0, c)
            self._grid.setColumnStretch(c, 1)
        root.addLayout(self._grid)
        self._wide = QVBoxLayout()
        self._wide.setSpacing(12)
        root.addLayout(self._wide)
        root.addStretch(1)

    def set_statistics(self, stats: Statistics) -> None:
        self.stats = stats
        figures = key_figures(stats)
        while len(self.tiles) < len(figures):
            tile = KeyFigureTile(self)
            self.tiles.append(tile)
            self._tiles.addWidget(tile)
        for tile, k in zip(self.tiles, figures, strict=False):
            tile.set(k)
        for tile in self.tiles[len(figures):]:
            tile.hide()
        rank: dict[str, float] = {k: i for i, k in enumerate(ORDER)}
        # the programme's case fields (if any) follow the outcomes of the referrals
        after = rank["consent"] + 0.5

        def place(b: Breakdown) -> float:
            return rank.get(b.key, after if b.key.startswith(CASE_FIELD_BREAKDOWN) else len(ORDER))

        ordered = sorted(stats.breakdowns, key=place)
        for b in ordered:
            card = self.cards.get(b.key)
            if card is None:
                card = self.cards[b.key] = BreakdownCard(b.key, b.title, wide=b.key in WIDE, parent=self)
            title = f"Actions overdue now (as at {uk(stats.today)}), by agency" if b.key == "overdue_now" else ""
            card.set_breakdown(b, title)
        self._place([self.cards[b.key] for b in ordered])

    def _place(self, cards: list[BreakdownCard]) -> None:
        """Narrow cards go to the shortest column in order; wide ones below, full width."""
        for layout in (*self._columns, self._wide):
            while layout.count():
                layout.takeAt(0)
        heights = [0] * self.COLUMNS
        for card in cards:
            if card.key in WIDE:
                self._wide.addWidget(card)
                continue
            c = heights.index(min(heights))
            self._columns[c].addWidget(card)
            heights[c] += card.weight()
        for col in self._columns:
            col.addStretch(1)
        used = set(map(id, cards))
        for card in self.cards.values():
            card.setVisible(id(card) in used)
