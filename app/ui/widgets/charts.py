"""Small QPainter charts (QtCharts is not part of PySide6-Essentials).

``BarChart``: horizontal bars with labels and counts. ``StepChart``: a level over time, for the
risk-level history. Both draw from plain (label, value) data and expose it for tests and screen
readers through ``accessibleDescription``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.models.dates import format_uk

INK = QColor("#1f2933")
MUTED = QColor("#6b7785")
GRID = QColor("#e3e7ec")
BAR = QColor("#2f5d8a")
PALETTE = [QColor("#3d7a4f"), QColor("#c08a1e"), QColor("#b3472f"), QColor("#7a2f5d")]


class BarChart(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self._data: list[tuple[str, int, QColor | None]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_data(self, data: Sequence[tuple[str, int] | tuple[str, int, QColor | None]]) -> None:
        self._data = [(d[0], d[1], d[2] if len(d) > 2 else None) for d in data]
        self.setAccessibleDescription("; ".join(f"{label}: {n}" for label, n, _ in self._data))
        self.updateGeometry()
        self.update()

    def data(self) -> list[tuple[str, int]]:
        return [(label, n) for label, n, _ in self._data]

    MIN_BAR = 48

    def _label_width(self, fm: QFontMetrics) -> int:
        return max((fm.horizontalAdvance(t) for t, _, _ in self._data), default=40) + 10

    def _count_width(self, fm: QFontMetrics) -> int:
        return fm.horizontalAdvance(str(max((n for _, n, _ in self._data), default=0))) + 10

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        return QSize(self._label_width(fm) + 120 + self._count_width(fm), max(40, 22 * len(self._data) + 6))

    def minimumSizeHint(self) -> QSize:
        """Wide enough for every label whole, a short bar and the count (labels are read, not
        guessed: they are only elided when the window is narrower than this)."""
        fm = QFontMetrics(self.font())
        return QSize(self._label_width(fm) + self.MIN_BAR + self._count_width(fm), max(40, 22 * len(self._data) + 6))

    def clipped_texts(self) -> list[str]:
        """Labels the chart would elide at its present width, or draw below its height (a layout
        squeezed below the chart's minimum), for the layout tests."""
        fm = QFontMetrics(self.font())
        label_w = min(self._label_width(fm), max(40, self.width() - self._count_width(fm) - self.MIN_BAR))
        return [t for i, (t, _, _) in enumerate(self._data)
                if fm.horizontalAdvance(t) > label_w - 8 or 3 + i * 22 + 18 > self.height()]

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        count_w = self._count_width(fm)
        label_w = min(self._label_width(fm), max(40, self.width() - count_w - self.MIN_BAR))
        bar_w = max(10, self.width() - label_w - count_w - 2)
        top = max((n for _, n, _ in self._data), default=0) or 1
        for i, (label, n, colour) in enumerate(self._data):
            y = 3 + i * 22
            p.setPen(INK)
            p.drawText(QRectF(0, y, label_w - 8, 18), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       fm.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 8))
            p.fillRect(QRectF(label_w, y + 3, bar_w, 12), GRID)
            p.fillRect(QRectF(label_w, y + 3, bar_w * n / top, 12), colour or BAR)
            p.setPen(MUTED)
            p.drawText(QRectF(label_w + bar_w + 6, y, count_w, 18), Qt.AlignmentFlag.AlignVCenter, str(n))
        p.end()


class StepChart(QWidget):
    """A level (rank 1..n, labelled) over dates, drawn as a step line with points."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self._points: list[tuple[dt.date, int]] = []
        self._levels: list[str] = []
        self.setMinimumHeight(180)

    def set_data(self, points: list[tuple[dt.date, int]], levels: list[str]) -> None:
        self._points = sorted(points)
        self._levels = levels
        self.setAccessibleDescription(
            "; ".join(f"{format_uk(d)}: {levels[r - 1] if 0 < r <= len(levels) else r}" for d, r in self._points)
        )
        self.update()

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        left = max((fm.horizontalAdvance(t) for t in self._levels), default=30) + 14
        bottom, top, right = self.height() - 26, 12, self.width() - 16
        n = max(1, len(self._levels))
        def y_of(rank: int) -> float:
            return bottom - (rank - 0.5) * (bottom - top) / n
        for i, label in enumerate(self._levels, start=1):
            y = y_of(i)
            p.setPen(QPen(GRID, 1))
            p.drawLine(QPointF(left, y), QPointF(right, y))
            p.setPen(MUTED)
            p.drawText(QRectF(0, y - 9, left - 8, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        if not self._points:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No assessments yet")
            p.end()
            return
        first, last = self._points[0][0], self._points[-1][0]
        span = max(1, (last - first).days)
        def x_of(d: dt.date) -> float:
            if len(self._points) == 1:
                return (left + right) / 2
            return left + 10 + (d - first).days * (right - left - 20) / span
        p.setPen(QPen(BAR, 2))
        prev: QPointF | None = None
        for d, r in self._points:
            pt = QPointF(x_of(d), y_of(r))
            if prev is not None:
                p.drawLine(prev, QPointF(pt.x(), prev.y()))
                p.drawLine(QPointF(pt.x(), prev.y()), pt)
            prev = pt
        for d, r in self._points:
            colour = PALETTE[min(r - 1, len(PALETTE) - 1)] if r > 0 else BAR
            p.setBrush(colour)
            p.setPen(QPen(QColor("white"), 1.5))
            p.drawEllipse(QPointF(x_of(d), y_of(r)), 5, 5)
            p.setPen(MUTED)
            text = format_uk(d)
            half = fm.horizontalAdvance(text) / 2 + 2
            cx = min(max(x_of(d), half), self.width() - half)  # the first and last dates stay inside
            p.drawText(QRectF(cx - half, bottom + 4, 2 * half, 18), Qt.AlignmentFlag.AlignHCenter, text)
        p.end()
