"""The editor for one meeting: details and attendance, the agenda builder, minutes per item with
actions raised in place, and "mark held".

Invariants: every edit is one service call saved as it is made (attendance on change, minutes on
Save); what is typed and not saved (minutes, the action raised at an item, the Details tab) is a
draft of its item or meeting in ``ctx.drafts``, kept when another item or meeting is chosen; a warning stands while the police representative for a case's area is not marked present;
proposals come from ``meetings.agenda.propose_agenda`` and are added only when the coordinator says so.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import AgendaItem
from app.models.enums import DecisionMethod, Role
from app.models.errors import InvalidInput
from app.models.ids import MeetingId
from app.services import actions, ui_queries
from app.services.context import Session
from app.services.meetings import minutes
from app.ui.context import UiContext
from app.ui.drafts import Draft
from app.ui.screens.meetings.agenda import AgendaTab
from app.ui.screens.meetings.attendance import AttendanceTab
from app.ui.screens.meetings.details import MeetingDetails
from app.ui.screens.meetings.held import HeldPart
from app.ui.screens.meetings.minutes import MinutesTab
from app.ui.widgets.common import day_or_say, required_day, uk
from app.ui.widgets.controls import button
from app.ui.widgets.plain import PlainLabel


def _saved_minute(item: AgendaItem | None) -> minutes.MinuteInput:
    if item is None:
        return minutes.MinuteInput(discussion="")
    return minutes.MinuteInput(discussion=item.discussion, decision=item.decision, rationale=item.rationale,
                                dissent=item.dissent, method=DecisionMethod(item.method) if item.method else None)


class MeetingEditor(AttendanceTab, AgendaTab, MinutesTab, HeldPart):
    def __init__(self, ctx: UiContext, meeting_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.view: ui_queries.MeetingView | None = None
        self._shown_item: str | None = None  # the agenda item whose minutes are in the fields
        self._minute_labels: dict[str, str] = {}
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self._build_head(v)
        self.warning = PlainLabel("", wrap=True, object_name="Warning", accessible="Meeting warnings")
        v.addWidget(self.warning)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Meeting tabs")
        self.tabs.addTab(self._build_attendance(), "&Attendance")
        self.tabs.addTab(self._build_agenda(), "A&genda")
        self.tabs.addTab(self._build_minutes(), "&Minutes")
        self.details = MeetingDetails(ctx, self._run)
        self.tabs.addTab(self.details, "De&tails")
        v.addWidget(self.tabs, 1)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        v.addWidget(self.error)
        ctx.drafts.flush_requested.connect(self.stash_drafts)
        ctx.drafts.discarded.connect(self._on_drafts_discarded)
        self.reload()

    def _build_head(self, v: QVBoxLayout) -> None:
        """The meeting's title with Mark as held / Undo held, then the documents row."""
        head = QHBoxLayout()
        self.title = PlainLabel("", object_name="H2", wrap=True, accessible="Meeting")
        head.addWidget(self.title, 1)
        self.held_button = button("Mark as &held", accessible="Mark meeting as held",
                                  on_click=self._on_held_button_clicked)
        head.addWidget(self.held_button)
        self.unheld_button = button("&Undo held", accessible="Undo marking the meeting as held", visible=False,
                                    on_click=self._on_unheld_button_clicked)
        head.addWidget(self.unheld_button)
        self.held_prompt: QMessageBox | None = None
        self.held_confirm: QPushButton | None = None
        v.addLayout(head)
        docs = QHBoxLayout()
        self.packs_button = button("Generate &packs…", accessible="Generate meeting packs",
                                   on_click=self.generate_packs)
        self.minutes_button = button("Mi&nutes…", accessible="Print the minutes",
                                     on_click=lambda: self.print_minutes(summary=False))
        self.summary_button = button("E&xecutive summary…",
                                     accessible="Print the executive summary of the minutes",
                                     on_click=lambda: self.print_minutes(summary=True))
        for b in (self.packs_button, self.minutes_button, self.summary_button):
            b.setObjectName("Flat")
            docs.addWidget(b)
        docs.addStretch(1)
        v.addLayout(docs)

    def _failed(self, exc: BaseException) -> None:
        from app.ui.errors import safe_message

        self.error.setText(safe_message(exc))

    def _run(self, fn: Callable[[Session], object], *, reload: bool = True,
             done: Callable[[object], None] | None = None) -> None:
        self.error.setText("")

        def ok(result: object) -> None:
            if done is not None:
                done(result)
            if reload:
                self.reload()

        self.ctx.run(fn, owner=self, mutates=True, on_done=ok, on_error=self._failed)

    def reload(self) -> None:
        mid = self.meeting_id
        self.ctx.run(lambda s: ui_queries.meeting_view(s, meeting_id=mid), owner=self, on_done=self._on_loaded)

    # --- documents (app.ui.documents.pack_dialog renders them on the heavy pool) --------------------
    def generate_packs(self) -> None:
        from app.ui.documents.pack_dialog import PackDialog

        dialog = PackDialog(self, self.ctx.session_for_documents(), self.meeting_id, tasks=self.ctx.tasks)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.pack_dialog = dialog
        dialog.open()

    def print_minutes(self, *, summary: bool) -> None:
        from app.ui.documents.pack_dialog import print_minutes

        print_minutes(self, self.ctx.session_for_documents(), self.meeting_id, summary=summary,
                      tasks=self.ctx.tasks)

    # --- minutes (the page is built in minutes.py) ----------------------------------------------
    def _fill_minutes(self) -> None:
        assert self.view is not None
        keep = self.minute_item.currentData()
        self.minute_item.blockSignals(True)
        self.minute_item.clear()
        self._minute_labels = {}
        for i in sorted(self.view.meeting.agenda, key=lambda x: x.position):
            self._minute_labels[i.id] = self._item_text(i.id).split("   ⚠")[0]
            self.minute_item.addItem(self._minute_labels[i.id], i.id)
        self._mark_drafts()
        self.minute_item.setCurrentIndex(max(0, self.minute_item.findData(keep)))
        self.minute_item.blockSignals(False)
        if self.action_agency.count() == 0:
            for a in self.ctx.snap.agencies:
                self.action_agency.addItem(a.name, a.id)
        if keep is None or self.minute_item.currentData() != keep:
            self._on_minute_item_changed(self.minute_item.currentIndex())
        else:
            self._show_raised()
            self._update_discard()

    def _on_minute_item_changed(self, _i: int) -> None:
        self.stash_minutes()  # the item being left keeps what was typed (save-on-leave)
        self.stash_raised()
        item = self._current_item()
        draft = self.ctx.drafts.get(("minutes", item.id)) if item else None
        self._show_minute(draft.value if draft is not None and isinstance(draft.value, minutes.MinuteInput)
                          else _saved_minute(item))
        self._show_raise_draft(item.id if item else None)
        self._shown_item = item.id if item else None
        self._show_raised()
        self._mark_drafts()
        self._update_discard()

    def stash_minutes(self) -> None:
        """File the minutes in the fields as a draft of the item shown (or drop its draft when they
        match what is saved). Called on leaving an item and whenever the drafts are asked for."""
        iid = self._shown_item
        item = next((i for i in self.view.meeting.agenda if i.id == iid), None) if self.view else None
        if item is None:
            return
        key = ("minutes", item.id)
        typed = self._typed_minute()
        if typed == _saved_minute(item):
            self.ctx.drafts.remove(key)
        else:
            label = self._minute_labels.get(item.id, "an agenda item")
            when = uk(self.view.meeting.held_on) if self.view else ""
            iid_ = item.id

            def save(s: Session) -> None:
                minutes.record_minutes(s, item_id=iid_, minute=typed)

            self.ctx.drafts.put(Draft(key, f"Minutes of {label} (meeting of {when})", typed, save))

    def stash_drafts(self) -> None:
        """Everything typed in this editor goes into the book: before the editor is replaced by
        another meeting's, and whenever the drafts are asked for."""
        self.stash_minutes()
        self.stash_raised()
        self.details.stash()

    # --- the action raised at an item is a draft of the item (app.ui.drafts) ---------------------
    def stash_raised(self) -> None:
        """File the action being raised at the item shown (title, owning agency, due date), or drop
        its draft when the title and the date are empty."""
        iid = self._shown_item
        item = next((i for i in self.view.meeting.agenda if i.id == iid), None) if self.view else None
        if item is None or not item.case_id:
            return
        key = ("raise_action", item.id)
        title, due_text = self.action_title.text(), self.action_due.text()
        if not title.strip() and not due_text.strip():
            self.ctx.drafts.remove(key)
            return
        cid, agency, mid = item.case_id, self.action_agency.currentData(), MeetingId(self.meeting_id)
        try:
            due = required_day(self.action_due, "due date of the action")
            problem = ""
        except InvalidInput as exc:
            due, problem = None, exc.user_message
        label = self._minute_labels.get(item.id, "an agenda item")
        when = uk(self.view.meeting.held_on) if self.view else ""

        def save(s: Session) -> None:
            if due is None:
                raise InvalidInput(problem)
            actions.create_action(s, case_id=cid, title=title, owner_agency=agency, due=due, meeting_id=mid)

        self.ctx.drafts.put(Draft(key, f"Action raised at {label} (meeting of {when})",
                                  (title, agency, due_text), save))

    def _show_raise_draft(self, item_id: str | None) -> None:
        draft = self.ctx.drafts.get(("raise_action", item_id)) if item_id else None
        if draft is not None and isinstance(draft.value, tuple):
            title, agency, due_text = draft.value
            self.action_title.setText(title)
            self.action_agency.setCurrentIndex(max(0, self.action_agency.findData(agency)))
            self.action_due.setText(due_text)
        else:
            self.action_title.clear()
            self.action_agency.setCurrentIndex(0)
            self.action_due.clear()

    def _mark_drafts(self) -> None:
        """Items with unsaved minutes say so in the item list, and under the fields."""
        n = 0
        for r in range(self.minute_item.count()):
            iid = self.minute_item.itemData(r)
            unsaved = self.ctx.drafts.has(("minutes", iid))
            n += unsaved and iid != self._shown_item
            self.minute_item.setItemText(r, self._minute_labels.get(iid, "") + (" · unsaved" if unsaved else ""))
        self.draft_note.setText(
            f"Unsaved minutes are kept for {n} other item{'s' if n != 1 else ''} until saved or discarded." if n else "")

    def _update_discard(self, *_args: object) -> None:
        """Discard is there only when the fields differ from what is saved."""
        item = self._current_item()
        self.discard_minutes_button.setEnabled(item is not None and self._typed_minute() != _saved_minute(item))

    def _on_discard_minutes_clicked(self) -> None:
        item = self._current_item()
        if item is not None:
            self.ctx.drafts.remove(("minutes", item.id))
            self._show_minute(_saved_minute(item))
            self._mark_drafts()

    def _on_drafts_discarded(self, keys: tuple[tuple[str, str], ...]) -> None:
        item = self._current_item()
        if item is not None and ("minutes", item.id) in keys:
            self._show_minute(_saved_minute(item))
        if item is not None and ("raise_action", item.id) in keys:
            self._show_raise_draft(None)
        if ("meeting_details", self.meeting_id) in keys:
            self.details.show_saved()
        self._mark_drafts()

    def _show_raised(self) -> None:
        item = self._current_item()
        if self.view is None or item is None or not item.case_id:
            self.raised.setText("")
            self.raise_button.setEnabled(False)
            return
        self.raise_button.setEnabled(self.ctx.snap.workstation.member.role in (Role.COORDINATOR, Role.CHAIR))
        mine = [a for a in self.view.actions if a.case_id == item.case_id]
        self.raised.setText("\n".join(
            f"• {a.title} · {self.ctx.snap.agency_short(a.owner_agency)} · due {uk(a.due)}" for a in mine
        ) or "No action raised at this item yet.")

    def save(self) -> bool:
        item = self._current_item()
        if item is None:
            return False
        minute = self._typed_minute()
        iid = item.id

        def saved(_r: object) -> None:
            draft = self.ctx.drafts.get(("minutes", iid))
            if draft is None or draft.value == minute:  # typed on after pressing Save: keep that
                self.ctx.drafts.remove(("minutes", iid))
            self._mark_drafts()

        self._run(lambda s: minutes.record_minutes(s, item_id=iid, minute=minute), done=saved)
        return True

    def _on_raise_button_clicked(self) -> None:
        item = self._current_item()
        if item is None or not item.case_id:
            return
        due = day_or_say(self.action_due, "due date of the action", self.error)
        if due is None:
            return
        cid, title, agency, mid = item.case_id, self.action_title.text(), self.action_agency.currentData(), \
            MeetingId(self.meeting_id)
        iid = item.id

        def raised(_r: object) -> None:
            self.ctx.drafts.remove(("raise_action", iid))
            if self._shown_item == iid:
                self._show_raise_draft(None)

        self._run(lambda s: actions.create_action(s, case_id=cid, title=title, owner_agency=agency, due=due, meeting_id=mid),
                  done=raised)

    # --- filling ---------------------------------------------------------------------------------
    def _on_loaded(self, view: ui_queries.MeetingView) -> None:
        if self.view is not None:  # an item taken off the agenda takes its draft with it
            gone = {i.id for i in self.view.meeting.agenda} - {i.id for i in view.meeting.agenda}
            for iid in gone:
                self.ctx.drafts.remove(("minutes", iid))
                self.ctx.drafts.remove(("raise_action", iid))
        self.view = view
        m = view.meeting
        snap = self.ctx.snap
        chair = snap.member_name(m.chair) or "no chair yet"
        self.title.setText(f"{uk(m.held_on)} at {m.time} · {m.venue or 'venue to be confirmed'} · chair: {chair}")
        self.held_button.setEnabled(m.status == "scheduled" and snap.workstation.member.role is Role.COORDINATOR)
        self.unheld_button.setVisible(False)
        if m.status == "held" and snap.workstation.member.role is Role.COORDINATOR:
            mid = m.id
            self.ctx.run(lambda s: minutes.held_undo_refusal(s, meeting_id=mid), owner=self,
                         on_done=self._on_undo_refusal)
        police_missing = sorted({p for probs in view.problems.values() for p in probs if "police" in p})
        not_ready = sum(1 for probs in view.problems.values() if any("police" not in p for p in probs))
        warnings = []
        if police_missing:
            warnings.append("The police representative for a case's area is not marked present: "
                            "that case cannot be discussed until they are.")
        if not_ready:
            warnings.append(f"{not_ready} agenda item{'s are' if not_ready != 1 else ' is'} not ready (see the agenda).")
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.details.show_meeting(m)
        self._fill_attendance()
        self._fill_agenda()
        row = getattr(self, "_select_row", None)
        if row is not None:
            self.agenda.setCurrentRow(row)
            self._select_row = None
        self._fill_minutes()
