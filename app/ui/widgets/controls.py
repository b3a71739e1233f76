"""Small builders for the controls every screen and dialog sets up the same way: a push button
with its accessible name and action, a line edit or drop-down with its accessible name, a row of
controls, the inline error line. One call says what the control is; the screens keep only what
is theirs (labels, names, what a click does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.plain import PlainLabel

RowPart = QWidget | QLayout | int | tuple[QWidget, int]


def button(text: str, *, accessible: str = "", on_click: Callable[[], object] | None = None,
           enabled: bool = True, visible: bool = True, default: bool = False, object_name: str = "",
           tip: str = "") -> QPushButton:
    """A push button; ``text`` marks its access key with ``&``."""
    b = QPushButton(text)
    if object_name:
        b.setObjectName(object_name)
    if accessible:
        b.setAccessibleName(accessible)
    if default:
        b.setDefault(True)
    if not enabled:
        b.setEnabled(False)
    if not visible:
        b.setVisible(False)
    if tip:
        b.setToolTip(tip)
    if on_click is not None:
        b.clicked.connect(on_click)
    return b


def line_edit(accessible: str, *, placeholder: str = "", max_length: int = 0, password: bool = False,
              min_width: int = 0, max_width: int = 0) -> QLineEdit:
    """A line edit named for screen readers; widths in pixels keep room to type at small sizes."""
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if min_width:
        edit.setMinimumWidth(min_width)
    if max_width:
        edit.setMaximumWidth(max_width)
    return edit


def page_column() -> tuple[QWidget, QVBoxLayout]:
    """A page (a tab's, a stack's) and the column its contents go in, edge to edge."""
    page = QWidget()
    column = QVBoxLayout(page)
    column.setContentsMargins(0, 0, 0, 0)
    return page, column


def text_box(accessible: str, text: str = "", *, placeholder: str = "", max_height: int = 0,
             min_height: int = 0) -> QPlainTextEdit:
    """A plain-text box for a few lines, named for screen readers; Tab moves on (it types no tab)."""
    box = QPlainTextEdit(text)
    box.setAccessibleName(accessible)
    if placeholder:
        box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    if max_height:
        box.setMaximumHeight(max_height)
    if min_height:
        box.setMinimumHeight(min_height)
    return box


def combo(accessible: str, items: Iterable[tuple[str, Any]] = (), *, current: Any = None) -> QComboBox:
    """A drop-down named for screen readers, holding ``(label, data)`` items; ``current`` selects
    the item with that data (the first item when none has it)."""
    box = QComboBox()
    box.setAccessibleName(accessible)
    for label, data in items:
        box.addItem(label, data)
    if current is not None:
        box.setCurrentIndex(max(0, box.findData(current)))
    return box


def refill(box: QComboBox, items: Iterable[tuple[str, Any] | tuple[str, Any, str]], *, quiet: bool = False,
           keep: bool = True) -> None:
    """Replace a drop-down's ``(label, data)`` or ``(label, data, tooltip)`` items, keeping the
    chosen data where it is still there (else, or without ``keep``, the first item); ``quiet``:
    no change signals while it happens."""
    chosen = box.currentData()
    if quiet:
        box.blockSignals(True)
    box.clear()
    for label, data, *tip in items:
        box.addItem(label, data)
        if tip:
            box.setItemData(box.count() - 1, tip[0], Qt.ItemDataRole.ToolTipRole)
    if keep:
        box.setCurrentIndex(max(0, box.findData(chosen)))
    if quiet:
        box.blockSignals(False)


def check(text: str, accessible: str, *, checked: bool = False) -> QCheckBox:
    """A check box named for screen readers; ``text`` marks its access key with ``&``."""
    box = QCheckBox(text)
    box.setAccessibleName(accessible)
    if checked:
        box.setChecked(True)
    return box


def field_label(text: str, buddy: QWidget) -> PlainLabel:
    """The label beside a control outside a form; ``text``'s ``&`` key moves to ``buddy``."""
    label = PlainLabel(text, object_name="FieldLabel")
    label.setBuddy(buddy)
    return label


def row(*parts: RowPart, margins: tuple[int, int, int, int] | None = None) -> QHBoxLayout:
    """Controls side by side: a widget, ``(widget, stretch)``, a layout, or a number (a stretch
    of that factor)."""
    h = QHBoxLayout()
    if margins is not None:
        h.setContentsMargins(*margins)
    for part in parts:
        if isinstance(part, int):
            h.addStretch(part)
        elif isinstance(part, tuple):
            h.addWidget(*part)
        elif isinstance(part, QLayout):
            h.addLayout(part)
        else:
            h.addWidget(part)
    return h


def error_line(accessible: str = "Problem") -> PlainLabel:
    """The inline error under a form: one clear sentence, wrapped."""
    return PlainLabel("", wrap=True, object_name="InlineError", accessible=accessible)


def shown_value(form: QFormLayout, label: str, accessible: str) -> PlainLabel:
    """A value shown (not edited) in ``form`` under ``label``: selectable, plain text, empty
    until set."""
    value = PlainLabel("", accessible=accessible, selectable=True)
    form.addRow(label, value)
    return value


def labelled_line(form: QFormLayout, label: str, *, value: str = "", password: bool = False) -> QLineEdit:
    """A line edit added to ``form`` under ``label`` (which marks its access key with ``&``),
    named for screen readers after the label."""
    edit = line_edit(label.replace("&", ""), password=password)
    edit.setText(value)
    form.addRow(label, edit)
    return edit


FINGERPRINT_DIGITS = 40


def digits_in(text: str) -> int:
    """How many digits a typed fingerprint holds (spaces and dashes as the reader says them)."""
    return sum(ch.isdigit() for ch in text)


def fingerprint_field(accessible: str) -> QLineEdit:
    """Where a fingerprint read aloud is typed: 40 digits, in groups of five as shown."""
    return line_edit(accessible, placeholder="12345 67890 12345 67890 12345 67890 12345 67890", max_length=200)


def file_choice(text: str, accessible: str, on_click: Callable[[], object], *, none_yet: str,
                what: str) -> tuple[QPushButton, PlainLabel, QHBoxLayout]:
    """A "Choose … file" button with the chosen file's name beside it (``none_yet`` until one is
    chosen); ``what`` names the label for screen readers."""
    choose = button(text, accessible=accessible, on_click=on_click)
    label = PlainLabel(none_yet, object_name="Muted", accessible=what)
    return choose, label, row(choose, (label, 1))


def question(parent: QWidget, name: str, title: str, text: str, *, details: str = "",
             icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """A question over ``parent`` in plain text (names in it are never read as markup), deleted
    once answered; the caller adds its buttons (``add_cancel`` for Cancel) and opens it."""
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    if details:
        box.setInformativeText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def add_cancel(box: QMessageBox, *, default: bool = True) -> QPushButton:
    """Cancel, which Escape presses; by default also the button Enter presses."""
    cancel = box.addButton("&Cancel", QMessageBox.ButtonRole.RejectRole)
    if default:
        box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return cancel


def ask(box: QMessageBox, confirm: str, on_answer: Callable[[QAbstractButton], object]) -> QPushButton:
    """Open ``box`` (from ``question``) with ``confirm`` and Cancel, Cancel the default;
    ``on_answer`` gets the button pressed. Returns the confirm button."""
    yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
    add_cancel(box)
    box.buttonClicked.connect(on_answer)
    box.open()
    return yes
