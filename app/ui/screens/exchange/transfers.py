"""Partner panels and case transfers on the Exchange screen (coordinator's store only).

Job: the desktop face of ``app.services.partners`` and ``app.services.transfer``: the partner
panels (and regions) enrolled, "Enrol a partner panel…" (a card file, then the fingerprint read
aloud by its owner, typed), the transfers offered and received, "Import a transfer file…" and
"Open…" a transfer: the history that travelled, read-only, and for an offer not yet answered
"Accept…" (a new local case; the acceptance saved where the user says) or "Decline…" (a reason).

Invariants: every service call runs on the store worker; the user picks every path; what
travelled is shown as plain text only; a refused file or answer shows the service's sentence and
changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.partners import Partner
from app.services import partners, transfer
from app.services.transfer import TransferView
from app.services.transfer.render import history_lines
from app.ui.context import UiContext
from app.ui.errors import safe_message
from app.ui.itemmodels.rows import Column, RecordRole, RowsModel
from app.ui.widgets.plain import PlainLabel, heading
from app.ui.widgets.tables import make_table, set_widths

TRANSFER_FILTER = "Roundtable transfer files (*.rtt);;All files (*)"
CARD_FILTER = "Identity cards (*.rtid);;All files (*)"
MAX_CARD_FILE = 64 * 1024
STATE_LABELS = {"offered": "Offered, awaiting answer", "received": "Received, not answered",
                "accepted": "Accepted", "declined": "Declined"}


def partners_model(parent: QWidget) -> RowsModel[Partner]:
    return RowsModel([
        Column("Panel", lambda p: p.name),
        Column("Kind", lambda p: "Region" if p.kind == "region" else "Partner panel"),
        Column("Coordinator", lambda p: f"{p.coordinator} ({p.agency_name})"),
        Column("Fingerprint", lambda p: p.fingerprint),
    ], id_of=lambda p: p.id, parent=parent)


def transfers_model(parent: QWidget) -> RowsModel[TransferView]:
    return RowsModel([
        Column("Offered", lambda t: t.offered_on.strftime("%d/%m/%Y")),
        Column("Way", lambda t: "Out" if t.direction == "out" else "In"),
        Column("Case", lambda t: t.local_ref or t.case_ref),
        Column("State", lambda t: STATE_LABELS.get(t.state, t.state)),
        Column("What", lambda t: t.text),
    ], id_of=lambda t: t.id, parent=parent)


class TransferDialog(QDialog):
    """A transfer and the history that travelled with it (read-only); answers an open offer."""

    def __init__(self, ctx: UiContext, view: TransferView, content: dict[str, object],
                 parent: QWidget | None = None, matches: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view = view
        self.setWindowTitle(f"Transfer {view.case_ref} — {view.partner}")
        self.resize(760, 620)
        v = QVBoxLayout(self)
        v.addWidget(PlainLabel(view.text, wrap=True, accessible="Transfer"))
        if matches:  # the person may already be known here: say so before accepting
            v.addWidget(PlainLabel("\n".join(f"{m}." for m in matches), wrap=True,
                                   object_name="Lead", accessible="Possibly the same person"))
        self.history = QPlainTextEdit("\n".join(history_lines(content)))
        self.history.setReadOnly(True)
        self.history.setAccessibleName("What travelled with the case (read-only)")
        v.addWidget(self.history, 1)
        self.outcome = PlainLabel("", wrap=True, object_name="Lead", accessible="Result")
        v.addWidget(self.outcome)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.accept_button = QPushButton("&Accept…")
        self.decline_button = QPushButton("&Decline…")
        for b in (self.accept_button, self.decline_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
            # after adding: the button box shows what it is given
            b.setVisible(view.direction == "in" and view.state == "received")
        self.accept_button.clicked.connect(self._on_accept)
        self.decline_button.clicked.connect(self._on_decline)
        v.addWidget(buttons)

    def _answer_path(self, what: str) -> Path | None:
        out, _ = QFileDialog.getSaveFileName(self, f"Save the {what} for {self.view.partner}",
                                             f"{what} {self.view.case_ref}.rtt", TRANSFER_FILTER)
        return Path(out) if out else None

    def _done(self, a: transfer.Answered) -> None:
        for b in (self.accept_button, self.decline_button):
            b.setEnabled(False)
        if a.accepted:
            meeting = (f" It is on the agenda of the meeting of {a.meeting_on:%d/%m/%Y}."
                       if a.meeting_on else
                       f" No meeting is planned by {a.discuss_by:%d/%m/%Y}: schedule one.")
            self.outcome.setText(f"Accepted as {a.case_ref}; send {a.path.name} to {self.view.partner}."
                                + meeting)
        else:
            self.outcome.setText(f"Declined; send {a.path.name} to {self.view.partner}.")

    def _failed(self, exc: BaseException) -> None:
        self.outcome.setText(safe_message(exc))

    def _on_accept(self) -> None:
        out = self._answer_path("acceptance")
        if out is None:
            return
        tid = self.view.id
        self.ctx.run(lambda s: transfer.accept_offer(s, transfer_id=tid, out=out), owner=self,
                     on_done=self._done, on_error=self._failed, mutates=True)

    def _on_decline(self) -> None:
        reason, ok = QInputDialog.getText(self, "Decline the transfer", "Why is it declined?",
                                          QLineEdit.EchoMode.Normal, "")
        if not ok or not reason.strip():
            return
        out = self._answer_path("decline")
        if out is None:
            return
        tid = self.view.id
        self.ctx.run(lambda s: transfer.decline_offer(s, transfer_id=tid, reason=reason, out=out),
                     owner=self, on_done=self._done, on_error=self._failed, mutates=True)


class PartnersPage(QWidget):
    """The Exchange screen's "Partner panels" tab."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dialog: TransferDialog | None = None
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 8, 0, 0)
        self.partners = partners_model(self)
        self.partners_table = make_table("Partner panels", self.partners, sortable=False)
        set_widths(self.partners_table, [220, 110, 220], stretch=3)
        v.addWidget(self.partners_table, 1)
        row = QHBoxLayout()
        self.enrol_button = QPushButton("Enrol a &partner panel…")
        self.enrol_button.setAccessibleName("Enrol another panel's coordinator card as a partner")
        self.enrol_button.clicked.connect(self._on_enrol)
        self.import_button = QPushButton("Import a &transfer file…")
        self.import_button.setAccessibleName("Import a transfer offer or answer from a partner panel")
        self.import_button.clicked.connect(self._on_import)
        self.open_button = QPushButton("&Open transfer…")
        self.open_button.setAccessibleName("Show the selected transfer and what travelled with it")
        self.open_button.clicked.connect(self._on_open)
        for b in (self.enrol_button, self.import_button, self.open_button):
            row.addWidget(b)
        self.status = PlainLabel("", wrap=True, object_name="Muted", accessible="Transfer status")
        row.addWidget(self.status, 1)
        v.addLayout(row)
        v.addWidget(heading("Transfers", level=2))
        self.transfers = transfers_model(self)
        self.transfers_table = make_table("Transfers", self.transfers, sortable=False)
        set_widths(self.transfers_table, [90, 50, 120, 170], stretch=4)
        self.transfers_table.activated.connect(lambda _i: self._on_open())
        v.addWidget(self.transfers_table, 2)

    def load(self) -> None:
        self.ctx.run(partners.list_partners, owner=self, on_done=self.partners.set_rows)
        self.ctx.run(transfer.list_transfers, owner=self, on_done=self.transfers.set_rows)

    def _on_enrol(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "The other panel's coordinator card", "", CARD_FILTER)
        if not path:
            return
        try:
            with open(path, "rb") as f:
                card = f.read(MAX_CARD_FILE + 1)
        except OSError as exc:
            self.status.setText(f"The card could not be read ({exc.strerror or 'error'}).")
            return
        kind, ok = QInputDialog.getItem(self, "Enrol a partner", "This card is:",
                                        ["Another panel's coordinator", "A region's coordinator"], 0, False)
        if not ok:
            return
        fpr, ok = QInputDialog.getText(self, "Compare the fingerprint",
                                       "Type the fingerprint its owner reads out to you:")
        if not ok or not fpr.strip():
            return
        k = "region" if kind.startswith("A region") else "panel"

        def done(p: Partner) -> None:
            self.status.setText(f"Enrolled {p.name} as a {'region' if k == 'region' else 'partner panel'}.")
            self.load()

        self.ctx.run(lambda s: partners.enrol_partner(s, card, fpr, kind=k), owner=self, on_done=done,
                     on_error=lambda e: self.status.setText(safe_message(e)), mutates=True)

    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a transfer file", "", TRANSFER_FILTER)
        if not path:
            return
        p = Path(path)

        def done(r: transfer.ImportResult) -> None:
            self.load()
            if r.reply is not None:
                rep = r.reply
                self.status.setText(
                    f"{rep.partner_name} accepted {rep.case_ref} as {rep.their_ref}: the case is closed "
                    "here as transferred out." if rep.accepted else
                    f"{rep.partner_name} declined {rep.case_ref}: the case continues here.")
            elif r.content is not None:
                self._show(r.transfer, r.content, r.matches)

        self.ctx.run(lambda s: transfer.import_file(s, path=p), owner=self, on_done=done,
                     on_error=lambda e: self.status.setText(safe_message(e)), mutates=True)

    def _current(self) -> TransferView | None:
        idx: QModelIndex = self.transfers_table.currentIndex()
        rec = idx.data(RecordRole) if idx.isValid() else None
        return rec if isinstance(rec, TransferView) else None

    def _on_open(self) -> None:
        t = self._current()
        if t is None:
            self.status.setText("Choose a transfer first.")
            return
        if t.direction == "out":
            self.status.setText(t.text + ".")
            return
        tid = t.id
        self.ctx.run(lambda s: transfer.preview(s, tid), owner=self,
                     on_done=self._on_preview,
                     on_error=lambda e: self.status.setText(safe_message(e)))

    def _on_preview(self, r: tuple[TransferView, dict[str, object]]) -> None:
        self._show(*r)

    def _show(self, view: TransferView, content: dict[str, object],
              matches: tuple[str, ...] = ()) -> TransferDialog:
        dlg = TransferDialog(self.ctx, view, content, self, matches)
        dlg.finished.connect(lambda _r: self.load())
        self.dialog = dlg
        dlg.open()
        return dlg
