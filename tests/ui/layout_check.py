"""Finds text a person cannot read whole on screen: labels and buttons elided or clipped, widgets
cut off by the window's edge, areas that need sideways scrolling, and item-view cells and list rows
whose text is elided. Used by ``test_layouts`` at 1280x720 and at 1366x768 with 125 % scaling.

A label that wraps may take as many lines as it needs, but must have the height for them; a label
that does not wrap must be as wide as its text. Widgets inside a scroll area may be scrolled out of
view vertically (that is what the area is for), never horizontally."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QRadioButton,
    QScrollBar,
    QStyle,
    QTabBar,
    QTableView,
    QToolButton,
    QTreeView,
    QWidget,
)

SLACK = 2  # pixels of rounding allowed


def _name(w: QWidget) -> str:
    parts = []
    p: QWidget | None = w
    while p is not None and len(parts) < 4:
        label = p.objectName() or p.accessibleName() or type(p).__name__
        parts.append(label)
        p = p.parentWidget()
    return " < ".join(parts)


def _shown(w: QWidget, window: QWidget) -> bool:
    return w.isVisibleTo(window) and w.isVisible() and _visible_size(w, window)[0] > 0


def _in_scroll_area(w: QWidget, window: QWidget) -> QAbstractScrollArea | None:
    p = w.parentWidget()
    while p is not None and p is not window:
        if isinstance(p, QAbstractScrollArea) and not isinstance(p, QAbstractItemView):
            return p
        p = p.parentWidget()
    return None


def _text_width(label: QLabel, text: str) -> int:
    if label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
    ):
        doc = QTextDocument()
        doc.setDefaultFont(label.font())
        doc.setDocumentMargin(0)
        doc.setHtml(text)
        return int(doc.idealWidth() + 0.999)
    fm = label.fontMetrics()
    return max(fm.horizontalAdvance(line) for line in text.split("\n"))


def label_problem(label: QLabel) -> str | None:
    text = label.text()
    if label.buddy() is not None:  # the mnemonic's "&" is not drawn
        text = text.replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text.strip() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    cr = label.contentsRect()
    avail = cr.width() - 2 * max(label.margin(), 0) - max(label.indent(), 0)
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height() + SLACK:
            return f"wrapped text needs {need}px of height, has {label.height()}: {text[:60]!r}"
        return None
    need = _text_width(label, text)
    if need > avail + SLACK:
        return f"text needs {need}px, has {avail}: {text[:60]!r}"
    tip = label.toolTip()
    if text.endswith("…") and tip and text[:-1] in tip and len(tip) > len(text):
        return f"text elided (whole in the tooltip): {text[:60]!r}"
    return None


def button_problem(b: QAbstractButton) -> str | None:
    text = b.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if not text.strip():
        return None
    if (isinstance(b, QToolButton) and b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
            and not b.icon().isNull()):
        return None  # shows its icon only (a date field's calendar button): its text is not drawn
    fm = b.fontMetrics()
    need = fm.horizontalAdvance(text)
    if not b.icon().isNull():
        need += b.iconSize().width() + 4
    style = b.style()
    if isinstance(b, QPushButton):
        need += 2 * style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, None, b) // 2
    elif isinstance(b, (QCheckBox, QRadioButton)):
        ind = QStyle.PixelMetric.PM_IndicatorWidth if isinstance(b, QCheckBox) else (
            QStyle.PixelMetric.PM_ExclusiveIndicatorWidth)
        need += style.pixelMetric(ind, None, b) + style.pixelMetric(
            QStyle.PixelMetric.PM_CheckBoxLabelSpacing, None, b)
    if need > b.width() + SLACK:
        return f"text needs {need}px, has {b.width()}: {text[:60]!r}"
    return None


def _visible_size(w: QWidget, window: QWidget) -> tuple[int, int]:
    """The size of the part of ``w`` its ancestors (up to ``window``) leave in view."""
    r = QRect(0, 0, w.width(), w.height())
    child = w
    while child is not window and child.parentWidget() is not None:
        r = r.translated(child.pos())
        parent = child.parentWidget()
        r = r.intersected(QRect(0, 0, parent.width(), parent.height()))
        if r.isEmpty():
            return 0, 0
        child = parent
    return r.width(), r.height()


def combo_problem(c: QComboBox) -> str | None:
    """The chosen entry must show whole (the drop-down arrow takes about 28px)."""
    text = c.currentText()
    if not text or c.isEditable():
        return None
    need = c.fontMetrics().horizontalAdvance(text) + 28
    if not c.itemIcon(c.currentIndex()).isNull():
        need += c.iconSize().width() + 4
    if need > c.width() + SLACK:
        return f"choice needs {need}px, has {c.width()}: {text[:60]!r}"
    return None


def line_edit_problem(e: QLineEdit) -> str | None:
    """A box to type in must show at least ten characters (the minutes' "Action raised" box was
    55px wide)."""
    if e.isReadOnly():
        return None
    hint = e.placeholderText()
    if hint and not e.text():
        room = e.width() - 12 - (24 if e.isClearButtonEnabled() else 0)
        if e.fontMetrics().horizontalAdvance(hint) > room + SLACK:
            return f"hint cut: {hint[:60]!r} in {e.width()}px"
    need = 10 * e.fontMetrics().averageCharWidth()
    if e.maximumWidth() < need:  # a box for a few characters (a short name, a time)
        need = min(e.maximumWidth(), 5 * e.fontMetrics().averageCharWidth())
    if e.width() + SLACK < need:
        return f"too narrow to type in: {e.width()}px (ten characters need {need})"
    return None


def cut_off(w: QWidget, window: QWidget) -> str | None:
    """A widget whose right or bottom edge lies outside what its ancestors show (not in a scroll
    area, which may scroll it out of view vertically)."""
    vw, vh = _visible_size(w, window)
    if vw == 0:
        return None
    if vw + SLACK < w.width():
        return f"cut off: {vw} of {w.width()}px wide in view"
    if _in_scroll_area(w, window) is None and vh + SLACK < w.height():
        return f"cut off: {vh} of {w.height()}px high in view"
    return None


def _cell_width(view: QAbstractItemView, index: QModelIndex, text: str) -> int:
    fm = view.fontMetrics()
    lines = text.split("\n")
    need = max(fm.horizontalAdvance(line) for line in lines)
    icon = index.data(Qt.ItemDataRole.DecorationRole)
    if icon is not None:
        need += view.iconSize().width() if view.iconSize().width() > 0 else 16
        need += 4
    check = index.data(Qt.ItemDataRole.CheckStateRole)
    if check is not None:
        need += view.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, None, view) + 4
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return need + 2 * margin


def _wrapped_fits(
    view: QAbstractItemView, index: QModelIndex, text: str, rect: QRect, *, chip: bool = False
) -> bool:
    """Does ``text``, wrapped at the cell's width, fit the cell's height? (A chip has 16px of
    padding and 6px above and below.)"""
    fm = view.fontMetrics()
    width = rect.width() - (16 if chip else _cell_width(view, index, "") if text else 0)
    if chip:
        rect = rect.adjusted(0, 3, 0, -7)
    if width <= 0:
        return False
    flags = int(Qt.TextFlag.TextWordWrap.value)
    need = fm.boundingRect(QRect(0, 0, width, 100_000), flags, text).height()
    if any(fm.horizontalAdvance(word) > width for word in text.split()):
        return False  # a word longer than the cell is cut, wrapped or not
    return need <= rect.height() + SLACK


def rows_problem(view: QAbstractItemView) -> str | None:
    """A list that scrolls has room for at least three rows (the meetings list shrank to two);
    a table sized to its rows (no vertical scroll bar) is exempt."""
    model = view.model()
    if model is None or model.rowCount() < 2 or isinstance(view, QComboBox):
        return None
    if view.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        return None
    row_h = view.sizeHintForRow(0)
    if row_h <= 0:
        return None
    header = view.horizontalHeader() if isinstance(view, QTableView) else None
    avail = view.viewport().height()
    if avail < 3 * row_h - SLACK:
        return f"shows {avail // row_h} row(s) of {model.rowCount()} ({avail}px high)"
    del header
    return None


def view_problems(view: QAbstractItemView, limit: int = 60) -> list[str]:
    """Cells (tables, trees) and rows (lists) whose text is elided; headers whose title is cut."""
    out: list[str] = []
    model = view.model()
    if model is None or view.textElideMode() == Qt.TextElideMode.ElideNone:
        return out
    wrap = getattr(view, "wordWrap", lambda: False)()
    vp = view.viewport().rect()
    def chip(col: int) -> bool:  # a column with its own delegate (the chips) pads more
        return view.itemDelegateForColumn(col) is not None

    if isinstance(view, (QTableView, QTreeView)):
        header: QHeaderView = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
        for col in range(model.columnCount()):
            if header.isSectionHidden(col):
                continue
            title = model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
            width = header.sectionSize(col)
            if header.isVisible() and title:
                need = header.fontMetrics().horizontalAdvance(str(title)) + 12
                if need > width + SLACK:
                    out.append(f"column title cut ({need}px > {width}): {str(title)[:40]!r}")
            for row in range(min(model.rowCount(), limit)):
                index = model.index(row, col)
                rect = view.visualRect(index)
                if rect.isEmpty() or not rect.intersects(vp):
                    continue
                text = index.data(Qt.ItemDataRole.DisplayRole)
                if text is None or str(text) == "":
                    continue
                if wrap and _wrapped_fits(view, index, str(text), rect, chip=chip(col)):
                    continue
                need = _cell_width(view, index, str(text))
                if chip(col):
                    need = view.fontMetrics().horizontalAdvance(str(text)) + 16
                if isinstance(view, QTreeView) and col == 0:
                    need += view.indentation()
                if need > rect.width() + SLACK:
                    out.append(f"cell elided ({need}px > {rect.width()}): {str(text)[:40]!r}")
    elif isinstance(view, QListView):
        for row in range(min(model.rowCount(), limit)):
            index = model.index(row, view.modelColumn())
            rect = view.visualRect(index)
            if rect.isEmpty() or not rect.intersects(vp):
                continue
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if not text:
                continue
            if view.wordWrap() and _wrapped_fits(view, index, str(text), rect):
                continue
            need = _cell_width(view, index, str(text))
            avail = min(rect.width(), vp.width() - rect.left())
            if need > avail + SLACK:
                out.append(f"row elided ({need}px > {avail}): {str(text)[:40]!r}")
    return out


def sideways(area: QAbstractScrollArea) -> str | None:
    bar: QScrollBar = area.horizontalScrollBar()
    if bar.isVisible() and bar.maximum() > 0:
        return f"needs sideways scrolling ({bar.maximum()}px)"
    return None


def problems(window: QWidget) -> list[str]:
    """Every problem on what ``window`` shows now, one line each."""
    out: list[str] = []
    win_rect = QRect(0, 0, window.width(), window.height())
    for w in window.findChildren(QWidget):
        if not _shown(w, window):
            continue
        found: list[str] = []
        if isinstance(w, QLabel):
            p = label_problem(w)
            if p:
                found.append(p)
        elif isinstance(w, QAbstractButton) and not isinstance(w, QTabBar):
            p = button_problem(w)
            if p:
                found.append(p)
        elif isinstance(w, QComboBox):
            p = combo_problem(w)
            if p:
                found.append(p)
        elif isinstance(w, QLineEdit) and not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox)):
            p = line_edit_problem(w)
            if p:
                found.append(p)
        clipped = getattr(w, "clipped_texts", None)
        if callable(clipped):
            found += [f"drawn text cut: {t[:60]!r}" for t in clipped()]
        if isinstance(w, QAbstractItemView):
            found += view_problems(w)
            p = rows_problem(w)
            if p:
                found.append(p)
        if isinstance(w, QAbstractScrollArea):
            p = sideways(w)
            if p:
                found.append(p)
        # painted widgets (charts) too: the dashboard's status chart lost its last four bars
        # below the window's edge at 1366x768 at 125 %
        if isinstance(w, (QLabel, QAbstractButton, QComboBox, QLineEdit, QAbstractScrollArea)) or callable(clipped):
            p = cut_off(w, window)
            if p:
                found.append(p)
            top_left = w.mapTo(window, w.rect().topLeft())
            if _in_scroll_area(w, window) is None and not win_rect.contains(top_left):
                found.append("outside the window")
        out += [f"{_name(w)}: {p}" for p in found]
    return out
