"""The statistics charts of the Reports screen, painted with QPainter: ``HBarChart`` (labelled
horizontal bars) and ``ColumnChart`` (referrals by month).

Invariants: category labels are data and are painted with ``drawText``: plain text, never markup.
Every chart exposes its figures through ``accessibleDescription``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor("#1f2933")
MUTED = QColor("#6b7785")
TRACK = QColor("#eef1f4")
AXIS = QColor("#d5dae1")
BAR = QColor("#2f5d8a")
BAR_SOFT = QColor("#8fb0cf")
LATE = QColor("#b3472f")

ROW_H = 19


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
