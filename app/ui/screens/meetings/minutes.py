"""The meeting editor's Minutes tab: the page (minutes of the chosen agenda item, saved on Save,
and the action raised at it) and the minute as typed (a part of ``MeetingEditor``, which keeps
the drafts and the saving).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import AgendaItem
from app.models.enums import DecisionMethod
from app.services import ui_queries
from app.services.meetings import minutes
from app.ui.context import UiContext
from app.ui.screens.base import scrolled
from app.ui.widgets.common import Section, chain_focus, date_edit
from app.ui.widgets.controls import button, combo, line_edit, text_box
from app.ui.widgets.plain import PlainLabel


class MinutesTab:
    """Mixed into ``MeetingEditor``, which supplies what is declared here."""

    ctx: UiContext
    view: ui_queries.MeetingView | None
    save: Callable[[], bool]
    _on_minute_item_changed: Callable[[int], None]
    _on_discard_minutes_clicked: Callable[[], None]
    _on_raise_button_clicked: Callable[[], None]
    _update_discard: Callable[..., None]

    def _build_minutes(self) -> QWidget:
        inner = QWidget()
        v = QVBoxLayout(inner)
        self.minute_item = combo("Agenda item to minute")
        self.minute_item.currentIndexChanged.connect(self._on_minute_item_changed)
        v.addWidget(self.minute_item)
        form = QFormLayout()
        self.discussion = self._text(form, "Discussion", 90)
        self.decision = self._text(form, "Decision", 50)
        self.rationale = self._text(form, "Rationale", 50)
        self.dissent = self._text(form, "Dissent", 40)
        self.method = combo("How the decision was made")
        self.method.addItem("—", None)
        for m in DecisionMethod:
            self.method.addItem(m.value.capitalize(), m)
        form.addRow("Decided by", self.method)
        v.addLayout(form)
        row = QHBoxLayout()
        self.draft_note = PlainLabel("", wrap=True, object_name="Muted", accessible="Unsaved minutes")
        row.addWidget(self.draft_note, 1)
        self.discard_minutes_button = button("Discard changes",
                                             accessible="Discard the unsaved minutes of this item",
                                             on_click=self._on_discard_minutes_clicked)
        row.addWidget(self.discard_minutes_button)
        self.save_minutes_button = button("&Save minutes", accessible="Save minutes for this item",
                                          object_name="Primary", on_click=self.save)
        row.addWidget(self.save_minutes_button)
        v.addLayout(row)
        v.addWidget(self._build_raise_box())
        self.raised = PlainLabel("", wrap=True, object_name="Muted", accessible="Actions raised at this item")
        v.addWidget(self.raised)
        v.addStretch(1)
        for e in (self.discussion, self.decision, self.rationale, self.dissent):
            e.textChanged.connect(self._update_discard)
        self.method.currentIndexChanged.connect(self._update_discard)
        self.discard_minutes_button.setEnabled(False)
        chain_focus(self.minute_item, self.discussion, self.decision, self.rationale, self.dissent, self.method,
                    self.discard_minutes_button, self.save_minutes_button, self.action_title, self.action_agency, self.action_due,
                    self.raise_button)
        return scrolled(inner)

    def _build_raise_box(self) -> Section:
        raise_box = Section("Action raised at this item")  # the title on a row of its own: room to type
        self.action_title = line_edit("Action raised", placeholder="What is to be done")
        self.action_agency = combo("Owning agency")
        self.action_due = date_edit("Due date", today_fn=self.ctx.today_fn)  # empty until given
        self.raise_button = button("&Raise action", accessible="Raise action",
                                   on_click=self._on_raise_button_clicked)
        raise_box.body.addWidget(self.action_title)
        # the owning agency on a row of its own too: agency names are long, and beside the date and
        # the button they pushed the row wider than the editor (client fonts, 1366x768 at 125 %)
        raise_box.body.addWidget(self.action_agency)
        raise_row = QHBoxLayout()
        raise_row.addWidget(self.action_due)
        raise_row.addStretch(1)
        raise_row.addWidget(self.raise_button)
        raise_box.body.addLayout(raise_row)
        return raise_box

    def _text(self, form: QFormLayout, label: str, height: int) -> QPlainTextEdit:
        e = text_box(label, max_height=height)
        form.addRow(label, e)
        return e

    def _current_item(self) -> AgendaItem | None:
        if self.view is None:
            return None
        iid = self.minute_item.currentData()
        return next((i for i in self.view.meeting.agenda if i.id == iid), None)

    def _show_minute(self, minute: minutes.MinuteInput) -> None:
        for w, text in ((self.discussion, minute.discussion), (self.decision, minute.decision),
                        (self.rationale, minute.rationale), (self.dissent, minute.dissent)):
            w.setPlainText(text)
        self.method.setCurrentIndex(max(0, self.method.findData(minute.method)))

    def _typed_minute(self) -> minutes.MinuteInput:
        return minutes.MinuteInput(discussion=self.discussion.toPlainText(), decision=self.decision.toPlainText(),
                                    rationale=self.rationale.toPlainText(), dissent=self.dissent.toPlainText(),
                                    method=DecisionMethod(self.method.currentData()) if self.method.currentData() else None)
