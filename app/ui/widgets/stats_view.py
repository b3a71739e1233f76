"""The statistics of a period as key figures, small QPainter charts and compact tables.

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
import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
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
from app.ui.itemmodels.statistics import BreakdownModel, value_text
from app.ui.widgets.common import uk
from app.ui.widgets.plain import PlainLabel, muted, plain_tooltip
from app.ui.widgets.tables import set_widths

INK = QColor("#1f2933")
MUTED = QColor("#6b7785")
TRACK = QColor("#eef1f4")
AXIS = QColor("#d5dae1")
BAR = QColor("#2f5d8a")
BAR_SOFT = QColor("#8fb0cf")
LATE = QColor("#b3472f")

ROW_H = 19
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


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the bar's length (0 when there is nothing to measure)
    text: str  # the figure written beside it
    soft: bool = False  # a second measure of the same thing (drawn lighter)


class HBarChart(QWidget):
    """Horizontal bars: label, bar, figure. ``top`` fixes the scale (e.g. 100 for percentages)."""

    def __init__(self, name: str, parent: QWidget | None = None, *, colour: QColor = BAR) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setObjectName("StatsChart")
        self._bars: list[Bar] = []
        self._top: float | None = None
        self._colour = colour
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar], *, top: float | None = None) -> None:
        self._bars = list(bars)
        self._top = top
        self.setAccessibleDescription("; ".join(f"{b.label}: {b.text}" for b in self._bars))
        self.updateGeometry()
        self.update()

    def data(self) -> list[tuple[str, float]]:
        return [(b.label, b.value) for b in self._bars]

    # Labels wrap onto more lines rather than being cut ("Asian or Asian British – Indian" and
    # "… – Pakistani" must not both read "Asian or Asian British …"): each bar is as tall as its
    # label needs at the width the chart has.
    def _label_width(self, w: int, fm: QFontMetrics) -> int:
        return min(int(w * 0.5), max((fm.horizontalAdvance(b.label) for b in self._bars), default=0) + 10)

    def _rows(self, w: int) -> list[int]:
        fm = QFontMetrics(self.font())
        inner = max(20, self._label_width(w, fm) - 8)
        flags = int(Qt.TextFlag.TextWordWrap.value)
        return [max(ROW_H, fm.boundingRect(0, 0, inner, 10_000, flags, b.label).height() + 4)
                for b in self._bars]

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        return max(ROW_H + 4, sum(self._rows(w)) + 4)

    def sizeHint(self) -> QSize:
        return QSize(240, self.heightForWidth(max(240, self.width())))

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.heightForWidth(max(160, self.width())))

    def clipped_texts(self) -> list[str]:
        """Labels that do not show whole at the chart's size (a word wider than the label room,
        or rows taller than the chart): for the layout tests; empty when all is readable."""
        fm = QFontMetrics(self.font())
        inner = self._label_width(self.width(), fm) - 8
        out = [b.label for b in self._bars if any(fm.horizontalAdvance(w) > inner for w in b.label.split())]
        if self._bars and sum(self._rows(self.width())) + 4 > self.height() + 2:
            out.append("(the chart is shorter than its rows)")
        return out

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.updateGeometry()  # the rows' heights follow the width

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        if not self._bars:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing to show")
            p.end()
            return
        w = self.width()
        label_w = self._label_width(w, fm)
        text_w = max(fm.horizontalAdvance(b.text) for b in self._bars) + 8
        bar_x = label_w + 2
        bar_w = max(12, w - bar_x - text_w - 2)
        top = self._top or max((b.value for b in self._bars), default=0) or 1
        left_mid = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        right_mid = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        y = 2
        for b, row_h in zip(self._bars, self._rows(w), strict=True):
            p.setPen(INK)
            p.drawText(QRectF(0, y, label_w - 8, row_h), int(right_mid) | int(Qt.TextFlag.TextWordWrap.value),
                       b.label)
            mid = y + (row_h - ROW_H) / 2
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(TRACK)
            p.drawRoundedRect(QRectF(bar_x, mid + 5, bar_w, ROW_H - 10), 2, 2)
            if b.value > 0:
                p.setBrush(BAR_SOFT if b.soft else self._colour)
                p.drawRoundedRect(QRectF(bar_x, mid + 5, max(2.0, bar_w * min(b.value, top) / top), ROW_H - 10), 2, 2)
            p.setPen(MUTED)
            p.drawText(QRectF(bar_x + bar_w + 6, y, text_w, row_h), left_mid, b.text)
            y += row_h
        p.end()


class ColumnChart(QWidget):
    """Vertical columns over time (referrals by month): short labels below, years under January
    and the first column, the figure above each column when there is room."""

    HEIGHT = 132

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.setObjectName("StatsChart")
        self._points: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_points(self, points: list[tuple[str, int]]) -> None:
        self._points = list(points)
        self.setAccessibleDescription("; ".join(f"{label}: {n}" for label, n in self._points))
        self.update()

    def data(self) -> list[tuple[str, float]]:
        return [(label, float(n)) for label, n in self._points]

    def sizeHint(self) -> QSize:
        return QSize(240, self.HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, self.HEIGHT)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        n = len(self._points)
        if not n:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing to show")
            p.end()
            return
        line = fm.height()
        base = self.height() - 2 * line - 4  # two label lines under the axis
        top_y = line + 2  # room for the figure above the tallest column
        slot = self.width() / n
        col_w = max(2.0, min(28.0, slot * 0.64))
        top = max(n_ for _, n_ in self._points) or 1
        label_every = max(1, math.ceil(fm.horizontalAdvance("Mmm") / max(1.0, slot - 2)))
        show_figures = fm.horizontalAdvance(str(top)) <= slot - 2
        p.setPen(AXIS)
        p.drawLine(0, int(base) + 1, self.width(), int(base) + 1)
        centre = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        for i, (label, value) in enumerate(self._points):
            x = i * slot + (slot - col_w) / 2
            h = (base - top_y) * value / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(BAR)
            if value > 0:
                p.drawRoundedRect(QRectF(x, base - max(h, 2), col_w, max(h, 2)), 2, 2)
            cell = QRectF(i * slot - 6, 0, slot + 12, line)
            if show_figures:
                p.setPen(MUTED)
                p.drawText(cell.translated(0, base - max(h, 2) - line - 1), centre, str(value))
            month, _, year = label.partition(" ")
            if i % label_every == 0:
                p.setPen(INK)
                p.drawText(cell.translated(0, base + 3), centre, month)
            if year and (i == 0 or month == "Jan"):
                p.setPen(MUTED)
                p.drawText(QRectF(i * slot - 20, base + 3 + line, slot + 40, line), centre, year)
        p.end()


class StatsTable(QTableView):
    """A compact read-only table that is as tall as its rows (the page scrolls, not the table).

    The height is asked for at layout time, after the stylesheet has sized the header."""

    def __init__(self, name: str, model: BreakdownModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatsTable")
        self.setAccessibleName(name)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(True)  # long labels (agencies, ethnicities) wrap rather than elide
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(TABLE_ROW_H)
        self.verticalHeader().setMinimumSectionSize(TABLE_ROW_H)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().sectionResized.connect(lambda *_: self.updateGeometry())
        self.horizontalHeader().setHighlightSections(False)
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
