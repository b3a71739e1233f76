"""One open conflict from exchange, its versions side by side, and the coordinator's resolution.

Job: show every candidate of a ``ConflictView`` (value, the workstation it came from, its time,
which one shows for now) next to each other; the coordinator keeps one ("Keep this"), keeps both
(where the service and the field allow it) or merges text in an editor prefilled with both; an
officer sees that the conflict awaits the coordinator and nothing to press.

Invariants:
- Every value and name is shown as plain text (read-only ``QPlainTextEdit`` / ``PlainLabel``).
- The resolution runs on the store worker (``exchange.resolve_conflict``, one audited transaction);
  the dialog closes only when it succeeded; an error is the one error dialog, the conflict stays.
- "Keep both" and "Merge text" are offered only for free-text fields and for versioned records
  (assessments, contributions: both, never merged); an edit after a deletion can only keep the
  deletion. The service enforces the same rules; the dialog does not offer what it would refuse,
  nor joining two values of a coded field (a status, a level) that the service would accept.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.models.entities import is_free_text
from app.services import exchange
from app.services.exchange.conflicts import Candidate, ConflictView
from app.ui.context import UiContext
from app.ui.screens.base import scrolled
from app.ui.screens.exchange.models import KIND_LABELS, field_text, record_text, value_text, when
from app.ui.widgets.controls import button, page_column, row, text_box
from app.ui.widgets.plain import PlainLabel, heading, muted

# Register fields holding free text (a status, a level, an id or a date cannot be joined).

EXPLAIN = {
    "concurrent": "Two workstations changed this field without seeing each other's change. The "
                  "version marked \u201cshown now\u201d is what everyone sees until you decide.",
    "fork": "Two people wrote a new version of the same text. Both are kept until you decide.",
    "risk": "Two risk assessments were recorded at the same time. The higher level shows until "
            "you decide.",
    "edit-after-delete": "This record was deleted, and afterwards it was edited on another "
                         "workstation. A deleted record stays deleted: keep the deletion, or "
                         "create the record anew.",
}

AWAITING = "This conflict awaits the coordinator. Nothing is lost in the meantime."


def allows_both(c: ConflictView) -> bool:
    if c.kind in ("fork", "risk"):
        return True
    return c.kind == "concurrent" and is_free_text(c.entity, c.field)


def allows_merge(c: ConflictView) -> bool:
    return c.kind == "concurrent" and is_free_text(c.entity, c.field)


def allows_keep(c: ConflictView, cand: Candidate) -> bool:
    if c.kind == "edit-after-delete":
        return bool(c.candidates) and cand.op_id == c.candidates[0].op_id
    return True


def merged_prefill(c: ConflictView) -> str:
    parts = [value_text(x.value) for x in c.candidates if x.value not in (None, "")]
    return "\n\n".join(dict.fromkeys(parts))


class CandidateCard(QFrame):
    keep_requested = Signal(str)

    def __init__(self, conflict: ConflictView, cand: Candidate, index: int, *, can_resolve: bool) -> None:
        super().__init__()
        self.setObjectName("Card")
        self.candidate = cand
        who = cand.origin_name or "an unknown workstation"
        self.setAccessibleName(f"Version {index} from {who}")
        v = QVBoxLayout(self)
        v.setContentsMargins(12, 10, 12, 10)
        v.setSpacing(6)
        top = QHBoxLayout()
        self.title = PlainLabel(f"Version {index}", object_name="CardTitle")
        top.addWidget(self.title)
        top.addStretch(1)
        if cand.op_id == conflict.shown_op_id:
            shown = PlainLabel("Shown now", object_name="Chip", accessible="This version shows for now")
            shown.setProperty("kind", "accent")
            top.addWidget(shown)
        v.addLayout(top)
        self.origin = PlainLabel(f"From {who}", wrap=True, accessible="From")
        v.addWidget(self.origin)
        self.time = PlainLabel(when(cand.at), object_name="Muted", accessible="Time")
        v.addWidget(self.time)
        self.value = QPlainTextEdit(value_text(cand.value))
        self.value.setReadOnly(True)
        self.value.setAccessibleName(f"Value of version {index}")
        self.value.setTabChangesFocus(True)
        self.value.setMinimumHeight(90)
        v.addWidget(self.value, 1)
        self.keep = button("Keep this", accessible=f"Keep version {index}, from {who}",
                           visible=can_resolve and allows_keep(conflict, cand),
                           on_click=lambda: self.keep_requested.emit(cand.op_id))
        v.addWidget(self.keep, 0, Qt.AlignmentFlag.AlignLeft)


class ConflictDialog(QDialog):
    resolved = Signal(str)  # the conflict id, once closed

    def __init__(self, ctx: UiContext, conflict: ConflictView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.conflict = conflict
        self.busy = False
        self.setObjectName("ConflictDialog")
        self.setWindowTitle("Conflict")
        self.setAccessibleName("Conflict")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(860, 520)
        can = conflict.can_resolve
        root = QVBoxLayout(self)
        root.setContentsMargins(18, 14, 18, 14)
        root.setSpacing(8)
        root.addWidget(heading(f"{record_text(conflict)} \u00b7 {field_text(conflict)}", level=2))
        root.addWidget(PlainLabel(KIND_LABELS.get(conflict.kind, conflict.kind), object_name="Lead"))
        root.addWidget(muted(EXPLAIN.get(conflict.kind, "")))
        root.addWidget(self._build_candidates(), 1)
        root.addWidget(self._build_merge_box())
        self.awaiting = PlainLabel(AWAITING, object_name="Warning", wrap=True, accessible="Awaiting the coordinator")
        self.awaiting.setVisible(not can)
        root.addWidget(self.awaiting)
        root.addLayout(self._build_buttons())

    def _build_candidates(self) -> QScrollArea:
        """The versions side by side, each a card with its Keep button; scrolls sideways."""
        strip = QWidget()
        cards = QHBoxLayout(strip)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.setSpacing(10)
        self.cards: list[CandidateCard] = []
        for i, cand in enumerate(self.conflict.candidates, start=1):
            card = CandidateCard(self.conflict, cand, i, can_resolve=self.conflict.can_resolve)
            card.keep_requested.connect(self._on_card_keep_requested)
            card.setMinimumWidth(240)
            cards.addWidget(card, 1)
            self.cards.append(card)
        return scrolled(strip, sideways=True)

    def _build_merge_box(self) -> QWidget:
        self.merge_box, mv = page_column()
        mv.addWidget(PlainLabel("Merged text (edit, then save):", object_name="FieldLabel"))
        self.merge_editor = text_box("Merged text")
        mv.addWidget(self.merge_editor)
        self.merge_box.setVisible(False)
        return self.merge_box

    def _build_buttons(self) -> QHBoxLayout:
        """Keep both, Merge, Save merged text (as the conflict allows), a note, Close."""
        conflict, can = self.conflict, self.conflict.can_resolve
        self.keep_both = button("Keep &both", accessible="Keep both versions", visible=can and allows_both(conflict),
                                on_click=self._on_keep_both_clicked)
        self.merge = button("&Merge text…", accessible="Merge the texts in an editor",
                            visible=can and allows_merge(conflict), on_click=self._on_merge_clicked)
        self.save_merge = button("&Save merged text", accessible="Save the merged text", object_name="Primary",
                                 visible=False, on_click=self._on_save_merge_clicked)
        self.close_button = button("Close", accessible="Close without deciding", on_click=self.reject)
        self.note = PlainLabel("Your decision reaches every workstation with the next files." if can else "",
                               object_name="Muted", accessible="Note")
        return row(self.keep_both, self.merge, self.save_merge, 1, self.note, self.close_button)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        first = self.cards[0].keep if self.cards and not self.cards[0].keep.isHidden() else self.close_button
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- choices ------------------------------------------------------------------------------------
    def _on_card_keep_requested(self, op_id: str) -> None:
        self.resolve(keep=op_id)

    def _on_keep_both_clicked(self) -> None:
        self.resolve(keep="both")

    def _on_merge_clicked(self) -> None:
        if not self.merge_box.isVisible():
            self.merge_editor.setPlainText(merged_prefill(self.conflict))
        self.merge_box.setVisible(True)
        self.save_merge.setVisible(True)
        self.merge_editor.setFocus()

    def _on_save_merge_clicked(self) -> None:
        text = self.merge_editor.toPlainText().strip()
        if not text:
            self.merge_editor.setFocus()
            return
        self.resolve(merged_text=text)

    def resolve(self, *, keep: str | None = None, merged_text: str | None = None) -> None:
        if self.busy or not self.conflict.can_resolve:
            return
        self.busy = True
        self._enable(False)
        cid = self.conflict.id

        def work(session: object) -> str:
            return exchange.resolve_conflict(session, conflict_id=cid, keep=keep,  # type: ignore[arg-type]
                                             merged_text=merged_text)

        self.ctx.run(work, owner=self, mutates=True, on_done=self._on_resolved, on_error=self._on_failed)

    def _enable(self, on: bool) -> None:
        for b in (self.keep_both, self.merge, self.save_merge, *(c.keep for c in self.cards)):
            b.setEnabled(on)

    def _on_resolved(self, _op_id: str) -> None:
        self.busy = False
        self.resolved.emit(self.conflict.id)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        from app.ui.errors import show_error

        self.busy = False
        self._enable(True)
        show_error(self, exc)
