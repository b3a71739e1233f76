"""Table views configured one way everywhere, and the chip delegate for status/risk columns.

Invariant: cells are painted as plain text (the delegate draws ``DisplayRole`` with drawText, never
as rich text).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QListView,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from app.ui.widgets.roles import KindRole, SortRole

CHIP_COLOURS = {
    "ok": (QColor("#e3f1e6"), QColor("#24613a")),
    "warn": (QColor("#fbf0d9"), QColor("#7a5200")),
    "danger": (QColor("#f8e1dc"), QColor("#8f2a16")),
    "accent": (QColor("#e4ecf6"), QColor("#23486e")),
    "info": (QColor("#eef1f4"), QColor("#35414d")),
    "muted": (QColor("#f1f2f4"), QColor("#6b7785")),
}


class ChipDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        kind = index.data(KindRole)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not kind or not text:
            super().paint(painter, option, index)
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        bg, fg = CHIP_COLOURS.get(str(kind), CHIP_COLOURS["info"])
        fm = option.fontMetrics
        rect = option.rect
        room = rect.width() - 16
        label, flags = str(text), int(Qt.AlignmentFlag.AlignCenter)
        lines = fm.boundingRect(QRect(0, 0, max(1, room), 10_000), int(Qt.TextFlag.TextWordWrap.value), label)
        if fm.horizontalAdvance(label) <= room:
            w, h = fm.horizontalAdvance(label) + 14, min(rect.height() - 6, fm.height() + 4)
        elif lines.height() + 4 <= rect.height() - 6 and lines.width() <= room:
            # a row with room for two lines (a wrapping table): the chip wraps, nothing is cut
            flags |= int(Qt.TextFlag.TextWordWrap.value)
            w, h = lines.width() + 14, lines.height() + 4
        else:
            label = fm.elidedText(label, Qt.TextElideMode.ElideRight, room)
            w, h = fm.horizontalAdvance(label) + 14, min(rect.height() - 6, fm.height() + 4)
        chip = QRectF(rect.x() + 4, rect.y() + (rect.height() - h) / 2, w, h)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg)
        radius = min(h, fm.height() + 4) / 2
        painter.drawRoundedRect(chip, radius, radius)
        painter.setPen(fg)
        painter.drawText(chip, flags, label)
        painter.restore()


def read_only_rows(view: QTableView, name: str, model: QAbstractItemModel, *, object_name: str,
                   selection: QAbstractItemView.SelectionMode, wrap: bool) -> None:
    """What every read-only table of rows shares: whole rows selected, nothing edited, alternate
    rows shaded, no grid, no row numbers, and Tab leaves the table."""
    view.setObjectName(object_name)
    view.setAccessibleName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(wrap)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setHighlightSections(False)


def make_table(name: str, model: QAbstractItemModel, *, chip_columns: tuple[int, ...] = (), sortable: bool = True,
               parent: QWidget | None = None) -> QTableView:
    view = QTableView(parent)
    read_only_rows(view, name, model, object_name="DataTable",
                   selection=QAbstractItemView.SelectionMode.ExtendedSelection, wrap=False)
    view.setSortingEnabled(sortable)
    view.verticalHeader().setDefaultSectionSize(28)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    if chip_columns:
        delegate = ChipDelegate(view)
        for c in chip_columns:
            view.setItemDelegateForColumn(c, delegate)
    return view


def sorted_table(name: str, model: QAbstractItemModel, parent: QObject, *,
                 chip_columns: tuple[int, ...] = ()) -> tuple[QSortFilterProxyModel, QTableView]:
    """A table (``make_table``) over ``model`` through a proxy that sorts each column by its
    ``SortRole`` value (dates as dates, not as the text shown)."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    return proxy, make_table(name, proxy, chip_columns=chip_columns)


MIN_COLUMN = 44
MIN_STRETCH = 110
STRETCH_SHARE = 0.2  # of a narrow table's width, kept for its stretch columns
SPARE_BELOW = 0.8  # optional columns go when the others would get less than this of their widths


def title_width(view: QTableView, column: int) -> int:
    """Room for a column's title whole (with the header's padding and sort arrow)."""
    model = view.model()
    title = model.headerData(column, Qt.Orientation.Horizontal) if model is not None else None
    if not title:
        return 0
    return view.horizontalHeader().fontMetrics().horizontalAdvance(str(title)) + 22


class _FitColumns(QObject):
    """Keeps a table inside its width: stretch columns take what is left; when the window is too
    narrow for the preferred widths, the fixed columns shrink in proportion (text elides) instead
    of the table scrolling sideways."""

    def __init__(self, view: QTableView, widths: Sequence[int], stretch: tuple[int, ...],
                 keep: tuple[int, ...] = (), optional: tuple[int, ...] = ()) -> None:
        super().__init__(view)
        self.view = view
        self.widths = list(widths)
        self.stretch = stretch
        self.keep = keep
        self.optional = optional
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        view = self.view
        cols = view.model().columnCount() if view.model() is not None else 0
        fixed = [(i, w) for i, w in enumerate(self.widths) if i < cols and i not in self.stretch]
        kept = sum(w for i, w in fixed if i in self.keep)
        want = sum(w for i, w in fixed if i not in self.keep)
        width = view.viewport().width()
        stretches = len([c for c in self.stretch if c < cols])
        # the stretch columns (names, titles: the longest texts) keep a fair share of a narrow
        # table, so their text needs two lines at most rather than many
        floor = max(MIN_STRETCH * stretches, int(width * STRETCH_SHARE) if stretches else 0)
        room = width - floor - kept
        scale = min(1.0, room / want) if want > 0 and room > 0 else 1.0
        # a table too narrow for its columns drops the ones it can spare (shown again when wide)
        squeezed = want > 0 and room < want * SPARE_BELOW
        for i in self.optional:
            view.setColumnHidden(i, squeezed)
        if squeezed:
            want -= sum(w for i, w in fixed if i in self.optional)
            scale = min(1.0, room / want) if want > 0 and room > 0 else 1.0
        for i, w in fixed:
            least = max(MIN_COLUMN, title_width(view, i))  # a column's title is never cut
            view.setColumnWidth(i, w if i in self.keep else max(least, int(w * scale)))


def set_widths(view: QTableView, widths: Sequence[int], *, stretch: int | tuple[int, ...] | None = None,
               keep: tuple[int, ...] = (), optional: tuple[int, ...] = ()) -> _FitColumns:
    """Preferred widths for the fixed columns; ``stretch`` columns (default: the first column
    without a width, else the last) share the rest. Never a sideways scroll bar. When the window
    is narrow the fixed columns shrink in proportion, except those in ``keep`` (refs and dates
    that must stay whole); ``optional`` columns are hidden while the table is too narrow for
    the others to show whole (e.g. the case list's opening date at 1366x768 at 125 %). Returns
    the fitter: a screen whose texts are known only once loaded sets its ``widths`` and calls
    ``fit()`` (the dashboard's chips)."""
    header = view.horizontalHeader()
    cols = view.model().columnCount() if view.model() is not None else len(widths)
    if stretch is None:
        stretch = (len(widths),) if len(widths) < cols else (cols - 1,)
    elif isinstance(stretch, int):
        stretch = (stretch,)
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(MIN_COLUMN)
    for i in range(cols):
        mode = QHeaderView.ResizeMode.Stretch if i in stretch else QHeaderView.ResizeMode.Interactive
        header.setSectionResizeMode(i, mode)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    for i, w in enumerate(widths):
        if i not in stretch:
            view.setColumnWidth(i, w)
    fitter = _FitColumns(view, widths, stretch, keep, optional)
    fitter.fit()
    return fitter


def wrap_rows(view: QTableView) -> None:
    """Long text (evidence, decisions, narratives) wraps onto more lines instead of being cut.
    The view scrolls by pixels, so a row taller than the view (a 5,000-character note) can be
    read to its end."""
    view.setWordWrap(True)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)


def two_line_rows(view: QTableView) -> None:
    """For lazy tables (thousands of rows: sizing each row to its text would fetch them all):
    every row is two lines high and long names and titles wrap onto the second line."""
    view.setWordWrap(True)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    header = view.verticalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header.setDefaultSectionSize(2 * view.fontMetrics().lineSpacing() + 12)


class _StackWhenNarrow(QObject):
    def __init__(self, split: QSplitter, width: int) -> None:
        super().__init__(split)
        self.split, self.width = split, width
        split.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            narrow = self.split.width() < self.width
            want = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
            if self.split.orientation() != want:
                self.split.setOrientation(want)
        return False


def stack_when_narrow(split: QSplitter, width: int) -> None:
    """Side by side when the splitter is at least ``width`` wide, one above the other when
    narrower (a table beside a form at 1366x768 at 125 % leaves neither room to read)."""
    _StackWhenNarrow(split, width)


def wrap_list(view: QListView) -> None:
    """A list whose entries are sentences (an agenda, proposals): each wraps to the list's width;
    never a sideways scroll bar."""
    view.setWordWrap(True)
    view.setUniformItemSizes(False)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideNone)


def text_width(view: QWidget, sample: str, pad: int = 22) -> int:
    """A column width that shows ``sample`` whole in the view's font (cell padding included), so
    refs and dates are sized from font metrics rather than guessed pixels (and stay whole at any
    font size or scale)."""
    return view.fontMetrics().horizontalAdvance(sample) + pad


def ref_width(view: QWidget) -> int:
    """Room for a case ref such as RT-2026-00123 (five-digit numbers included)."""
    return text_width(view, "RT-0000-00000")


def date_width(view: QWidget) -> int:
    """Room for a dd/mm/yyyy date."""
    return text_width(view, "00/00/0000")
