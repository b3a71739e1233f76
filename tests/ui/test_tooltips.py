"""Tooltips show untrusted text literally: Qt guesses rich text in tooltips, so a name such as
``<b>Robert'); DROP TABLE</b>`` must be escaped, never rendered as markup."""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from app.ui.widgets.plain import plain_tooltip

HOSTILE = "<b>Robert'); DROP TABLE</b> <img src='file:///etc/passwd'> & Zoë\nsecond line"


def _shown(tooltip: str) -> str:
    doc = QTextDocument()
    doc.setHtml(tooltip)
    return doc.toPlainText()


def test_hostile_text_is_shown_literally(qapp) -> None:
    tip = plain_tooltip(HOSTILE)
    assert tip is not None
    assert "<b>" not in tip and "<img" not in tip
    assert _shown(tip) == HOSTILE


def test_empty_text_gives_no_tooltip() -> None:
    assert plain_tooltip("") is None and plain_tooltip(None) is None


def test_table_models_escape_their_tooltips(qapp) -> None:
    from PySide6.QtCore import Qt

    from app.ui.itemmodels.rows import Column, RowsModel

    model: RowsModel[str] = RowsModel([Column("Name", lambda r: r)], id_of=lambda r: r)
    model.set_rows([HOSTILE])
    tip = model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
    assert _shown(tip) == HOSTILE
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole) == HOSTILE
