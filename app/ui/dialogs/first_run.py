"""First run: create the store for this workstation (a new panel, or joining a panel with the
coordinator's invitation), then show the recovery key once.

Invariants:
- The store is created on the task manager's store worker (key derivation takes about half a
  second); the dialog stays responsive and the Create button is disabled while it runs.
- The recovery key is shown once, selectable, and the dialog cannot finish until the user confirms
  they have stored it; it is never written anywhere by the client.
- "Remember on this workstation" is offered only when the OS keyring is usable, with the reason
  shown when it is not.
- Joining: the dialog shows who the invitation says it is from and for, never the coordinator's
  fingerprint; the user types the one read aloud. Every check (signature, fingerprint, expiry)
  runs before anything is created, so a refused invitation leaves no store and no key file. A
  joined store then offers to save its identity card for the coordinator to enrol.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.config.programmes import available_programmes, load_programme
from app.models.enums import Role
from app.models.errors import AppError
from app.services import joining, setup, ui_queries
from app.services.context import Session
from app.ui.screens.exchange.models import role_label
from app.ui.tasks import TaskManager
from app.ui.widgets.plain import PlainLabel, heading, muted

MIN_PASSPHRASE = 10
CREATE_TEXT = "Create s&tore"
JOIN_TEXT = "J&oin panel"
CLIPBOARD_CLEAR_MS = 60_000


def strength_hint(passphrase: str) -> tuple[str, bool]:
    """A short hint and whether the passphrase is acceptable (length first: words beat symbols)."""
    n = len(passphrase)
    if n == 0:
        return "Use four or more unrelated words, at least 10 characters.", False
    if n < MIN_PASSPHRASE:
        return f"Too short: {n} of at least {MIN_PASSPHRASE} characters.", False
    kinds = sum(
        any(test(ch) for ch in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    if n >= 20 or (n >= 14 and kinds >= 2):
        return "Strong.", True
    if len(set(passphrase)) < 5:
        return "Too repetitive: choose something less predictable.", False
    return "Fair. Longer is stronger: add another word.", True


class FirstRunDialog(QDialog):
    def __init__(
        self,
        tasks: TaskManager,
        store_path: Path,
        *,
        create_fn: Callable[..., setup.Created] = setup.create_store,
        join_fn: Callable[..., setup.Created] = joining.join_panel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FirstRunDialog")
        self.setWindowTitle("Roundtable – set up this workstation")
        self._tasks = tasks
        self._path = store_path
        self._create_fn = create_fn
        self._join_fn = join_fn
        self.invitation: bytes | None = None  # the chosen invitation file (checked on Join)
        self.invitation_preview: joining.InvitationPreview | None = None
        self.joined = False
        self.card_saved: Path | None = None
        self.session: Session | None = None
        self.created: setup.Created | None = None
        self._stack = QStackedWidget()
        layout = QVBoxLayout(self)
        # the dialog never shrinks below what its page needs (the join page is taller)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(self._stack)
        self._stack.addWidget(self._build_form())
        self._stack.addWidget(self._build_recovery())
        self.resize(560, 520)

    # --- page 1 ----------------------------------------------------------------------------------
    def _build_form(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(heading("Set up Roundtable on this workstation"))
        v.addWidget(muted(
            "Everything Roundtable holds is kept in one encrypted store on this workstation. "
            "Choose a passphrase only you know; without it, or the recovery key shown next, "
            "the store cannot be opened by anyone."
        ))
        choice = QHBoxLayout()
        self.mode_new = QRadioButton("Set up a ne&w panel")
        self.mode_new.setAccessibleName("Set up a new panel")
        self.mode_join = QRadioButton("&Join a panel with an invitation")
        self.mode_join.setAccessibleName("Join a panel with an invitation")
        self.mode_new.setChecked(True)
        choice.addWidget(self.mode_new)
        choice.addWidget(self.mode_join)
        choice.addStretch(1)
        v.addLayout(choice)
        self._modes = QStackedWidget()
        new_page = QWidget()
        form = QFormLayout(new_page)
        form.setContentsMargins(0, 0, 0, 0)
        self.name = self._line("Your &name", form)
        self.agency = self._line("Your &agency", form)
        self.role = QComboBox()
        self.role.setAccessibleName("Your role")
        for role, label in ((Role.COORDINATOR, "Panel coordinator (holds the panel's store)"),
                            (Role.CHAIR, "Chair"), (Role.OFFICER, "Case officer")):
            self.role.addItem(label, role)
        form.addRow("Your &role", self.role)
        self.panel = self._line("Pane&l name", form)
        self.programme = QComboBox()
        self.programme.setAccessibleName("Programme")
        for pid in available_programmes():
            self.programme.addItem(load_programme(pid).name, pid)
        form.addRow("&Programme", self.programme)
        self._modes.addWidget(new_page)
        self._modes.addWidget(self._build_join())
        v.addWidget(self._modes)
        form = QFormLayout()
        self.passphrase = self._line("Pa&ssphrase", form, password=True)
        self.repeat = self._line("Passphrase a&gain", form, password=True)
        self.hint = PlainLabel("", object_name="Hint", accessible="Passphrase strength")
        form.addRow("", self.hint)
        self.same = PlainLabel("", object_name="Hint", accessible="Do the passphrases match")
        form.addRow("", self.same)
        self.show_passphrase = QCheckBox("Show th&e passphrase")
        self.show_passphrase.setAccessibleName("Show the passphrase")
        self.show_passphrase.toggled.connect(self._on_show_passphrase_toggled)
        form.addRow("", self.show_passphrase)
        v.addLayout(form)
        self.error = PlainLabel("", wrap=True, object_name="InlineError", accessible="Problem")
        v.addWidget(self.error)
        v.addStretch(1)
        buttons = QDialogButtonBox()
        self.create_button = QPushButton(CREATE_TEXT)
        self.create_button.setDefault(True)
        self.create_button.setAccessibleName("Create store")
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        buttons.rejected.connect(self.reject)
        self.create_button.clicked.connect(self._on_create_button_clicked)
        v.addWidget(buttons)
        self.passphrase.textChanged.connect(self._on_passphrase_text_changed)
        self.repeat.textChanged.connect(self._on_repeat_text_changed)
        self._on_passphrase_text_changed("")
        self.mode_join.toggled.connect(self._on_mode_join_toggled)
        return page

    # --- joining with an invitation ------------------------------------------------------------
    def _build_join(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(muted(
            "Choose the invitation file the panel coordinator sent you. Then ask the coordinator "
            "to read their fingerprint aloud, by phone or in person, and type it below: the "
            "invitation is used only if the two match."
        ))
        pick = QHBoxLayout()
        self.choose_invitation = QPushButton("C&hoose invitation file…")
        self.choose_invitation.setAccessibleName("Choose the invitation file")
        self.choose_invitation.clicked.connect(self._on_choose_invitation_clicked)
        pick.addWidget(self.choose_invitation)
        self.invitation_file = PlainLabel("No invitation chosen", object_name="Muted",
                                          accessible="Invitation file")
        pick.addWidget(self.invitation_file, 1)
        v.addLayout(pick)
        form = QFormLayout()
        self.invitation_from = PlainLabel("", accessible="The invitation says it is from", selectable=True)
        self.invitation_for = PlainLabel("", accessible="The invitation is for", selectable=True)
        self.invitation_panel = PlainLabel("", accessible="Panel and programme", selectable=True)
        self.invitation_expires = PlainLabel("", accessible="The invitation expires", selectable=True)
        form.addRow("From:", self.invitation_from)
        form.addRow("For:", self.invitation_for)
        form.addRow("Panel:", self.invitation_panel)
        form.addRow("Expires:", self.invitation_expires)
        self.coordinator_fingerprint = QLineEdit()
        self.coordinator_fingerprint.setAccessibleName("The coordinator's fingerprint, read aloud")
        self.coordinator_fingerprint.setPlaceholderText("12345 67890 12345 67890 12345 67890 12345 67890")
        self.coordinator_fingerprint.setMaxLength(200)
        form.addRow("Coordinator's &fingerprint:", self.coordinator_fingerprint)
        v.addLayout(form)
        return page

    def _on_mode_join_toggled(self, join: bool) -> None:
        self._modes.setCurrentIndex(1 if join else 0)
        self._fit()
        self.create_button.setText(JOIN_TEXT if join else CREATE_TEXT)
        self.create_button.setAccessibleName("Join panel" if join else "Create store")
        self.error.setText("")

    def _fit(self) -> None:
        """Grow to what the page now needs (wrapped texts make the minimum size hint too small
        to go by); never shrink under the user's hand."""
        page, layout = self._modes.currentWidget(), self.layout()
        if page is not None:
            page.updateGeometry()
        if layout is not None:
            layout.activate()
        want = self.sizeHint()
        self.resize(max(self.width(), want.width()), max(self.height(), want.height()))

    def _on_choose_invitation_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Choose an invitation", "",
                                              "Roundtable invitations (*.rtinv);;All files (*)")
        if path:
            self.load_invitation(Path(path))

    def load_invitation(self, path: Path) -> None:
        """Read an invitation and show who it says it is from and for (never the fingerprint)."""
        self.invitation, self.invitation_preview = None, None
        self.error.setText("")
        try:
            data = joining.read_invitation_file(path)
            preview = joining.preview_invitation(data)
        except AppError as exc:
            self.error.setText(exc.user_message)
            preview = None
        else:
            self.invitation, self.invitation_preview = data, preview
        p = self.invitation_preview
        self.invitation_file.setText(path.name if p else "No invitation chosen")
        self.invitation_from.setText(f"{p.coordinator_name} ({p.coordinator_agency}), panel coordinator"
                                     if p else "")
        self.invitation_for.setText(f"{p.member_name} ({role_label(p.role)}, {p.agency_name})" if p else "")
        self.invitation_panel.setText(f"{p.panel_name} · {p.programme_name}" if p else "")
        self.invitation_expires.setText(
            (p.expires.date().isoformat() + (" (expired)" if p.expired else "")) if p else "")
        if p is not None and p.expired:
            self.error.setText("This invitation has expired: ask the coordinator for a new one.")
        if p is not None:
            self.coordinator_fingerprint.setFocus()

    def _line(self, label: str, form: QFormLayout, *, password: bool = False) -> QLineEdit:
        """A line edit with its label; ``label`` marks its own access key with ``&``."""
        edit = QLineEdit()
        edit.setAccessibleName(label.replace("&", ""))
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(label, edit)
        return edit

    def _on_show_passphrase_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase.setEchoMode(mode)
        self.repeat.setEchoMode(mode)

    def _on_passphrase_text_changed(self, text: str) -> None:
        hint, ok = strength_hint(text)
        self.hint.setText(hint)
        self.hint.setProperty("ok", ok)
        self._on_repeat_text_changed(self.repeat.text())

    def _on_repeat_text_changed(self, text: str) -> None:
        """Say at once whether the two passphrases match; a message about the passphrases
        from the last attempt goes as soon as either is changed."""
        if not text:
            self.same.setText("")
        elif text == self.passphrase.text():
            self.same.setText("The two passphrases match.")
        else:
            self.same.setText("The two passphrases are not the same yet.")
        if self.error.property("about") == "passphrase":
            self.error.setText("")
            self.error.setProperty("about", "")

    def _passphrase_problem(self, text: str) -> None:
        self.error.setText(text)
        self.error.setProperty("about", "passphrase")

    def _passphrase_ready(self) -> bool:
        """Strong enough and typed twice alike; otherwise says why (until either is changed)."""
        hint, ok = strength_hint(self.passphrase.text())
        if not ok:
            self._passphrase_problem(hint)
            return False
        if self.passphrase.text() != self.repeat.text():
            self._passphrase_problem("The two passphrases are not the same.")
            return False
        return True

    def _on_create_button_clicked(self) -> None:
        self.error.setText("")
        self.error.setProperty("about", "")
        if self.mode_join.isChecked():
            self._join()
            return
        if not self.name.text().strip() or not self.agency.text().strip():
            self.error.setText("Give your name and your agency.")
            return
        if not self._passphrase_ready():
            return
        self.create_button.setEnabled(False)
        self.create_button.setText("Creating…")
        args: dict[str, Any] = {
            "passphrase": self.passphrase.text(),
            "name": self.name.text(),
            "agency": self.agency.text(),
            "role": Role(self.role.currentData()),
            "panel": self.panel.text(),
            "programme": self.programme.currentData(),
        }
        path, create = self._path, self._create_fn

        def job() -> tuple[setup.Created, tuple[bool, str]]:
            path.parent.mkdir(parents=True, exist_ok=True)
            created = create(path, **args)
            return created, ui_queries.keyring_availability()

        self._tasks.run(job, owner=self, on_done=self._on_created, on_error=self._on_create_failed)

    def _join(self) -> None:
        if self.invitation is None:
            self.error.setText("Choose the invitation file the coordinator sent you.")
            return
        if sum(ch.isdigit() for ch in self.coordinator_fingerprint.text()) != 40:
            self.error.setText("Type the coordinator's fingerprint as they read it: 40 digits.")
            return
        if not self._passphrase_ready():
            return
        self.create_button.setEnabled(False)
        self.create_button.setText("Joining…")
        invitation, typed, passphrase = (self.invitation, self.coordinator_fingerprint.text(),
                                         self.passphrase.text())
        path, join = self._path, self._join_fn

        def job() -> tuple[setup.Created, tuple[bool, str]]:
            # every check of the invitation runs before anything is created
            joining.check_invitation(invitation, typed)
            path.parent.mkdir(parents=True, exist_ok=True)
            created = join(path, invitation=invitation, fingerprint=typed, passphrase=passphrase)
            _ = created.session.workstation  # read on the store worker; the GUI reads the cache
            return created, ui_queries.keyring_availability()

        self.joined = True
        self._tasks.run(job, owner=self, on_done=self._on_created, on_error=self._on_create_failed)

    def _on_create_failed(self, exc: BaseException) -> None:
        self.joined = False
        self.create_button.setEnabled(True)
        self.create_button.setText(JOIN_TEXT if self.mode_join.isChecked() else CREATE_TEXT)
        if isinstance(exc, AppError):
            self.error.setText(exc.user_message)
        else:
            from app.ui.errors import show_error

            show_error(self, exc)

    def _on_created(self, result: tuple[setup.Created, tuple[bool, str]]) -> None:
        created, (keyring_ok, reason) = result
        self.created = created
        self.session = created.session
        self.passphrase.clear()
        self.repeat.clear()
        self.recovery.setText(created.recovery_key)
        self.remember.setEnabled(keyring_ok)
        self.remember_reason.setText("" if keyring_ok else reason)
        self.coordinator_fingerprint.clear()
        self.next_step.setVisible(self.joined)
        if self.joined:
            ws = created.session.workstation
            self.next_step.setText(
                f"You joined {ws.panel_name} as {ws.member.name} ({ws.agency.name}). Next, save "
                "your identity card and send it to the coordinator, then read them this "
                f"workstation's fingerprint by phone or in person: {created.fingerprint}")
            self.save_card_button.setVisible(True)
        self._stack.setCurrentIndex(1)
        self.confirm.setFocus()

    # --- page 2 ----------------------------------------------------------------------------------
    def _build_recovery(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(heading("Your recovery key"))
        v.addWidget(muted(
            "This key opens the store if the passphrase is forgotten. It is shown once, now. "
            "Write it down or print it and keep it somewhere locked, away from this workstation."
        ))
        self.recovery = PlainLabel("", object_name="RecoveryKey", accessible="Recovery key", selectable=True)
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(13)
        self.recovery.setFont(font)
        self.recovery.setWordWrap(True)
        v.addWidget(self.recovery)
        keep = QHBoxLayout()
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName("Copy the recovery key")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        keep.addWidget(self.copy_button)
        self.print_button = QPushButton("&Print…")
        self.print_button.setAccessibleName("Print the recovery key")
        self.print_button.clicked.connect(self._on_print_button_clicked)
        keep.addWidget(self.print_button)
        self.copy_note = PlainLabel("", wrap=True, object_name="Muted", accessible="Copied")
        keep.addWidget(self.copy_note, 1)
        v.addLayout(keep)
        self.confirm = QCheckBox("I have stored the recovery key somewhere safe")
        self.confirm.setAccessibleName("I have stored the recovery key")
        v.addWidget(self.confirm)
        self.remember = QCheckBox("Remember on this workstation (unlock with my login keyring)")
        self.remember.setAccessibleName("Remember on this workstation")
        v.addWidget(self.remember)
        self.remember_reason = PlainLabel("", wrap=True, object_name="Muted")
        v.addWidget(self.remember_reason)
        self.next_step = PlainLabel("", wrap=True, object_name="Lead", accessible="Next step",
                                    selectable=True)
        self.next_step.setVisible(False)
        v.addWidget(self.next_step)
        self.save_card_button = QPushButton("&Save identity card…")
        self.save_card_button.setAccessibleName("Save this workstation's identity card for the coordinator")
        self.save_card_button.setVisible(False)
        self.save_card_button.clicked.connect(self._on_save_card_clicked)
        v.addWidget(self.save_card_button)
        v.addStretch(1)
        buttons = QDialogButtonBox()
        self.finish_button = QPushButton("&Open Roundtable")
        self.finish_button.setAccessibleName("Open Roundtable")
        self.finish_button.setEnabled(False)
        buttons.addButton(self.finish_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.toggled.connect(self.finish_button.setEnabled)
        self.finish_button.clicked.connect(self._on_finish_button_clicked)
        v.addWidget(buttons)
        return page

    def _on_copy_button_clicked(self) -> None:
        """Copy the key for a password manager; the clipboard is cleared again after a minute
        (if it still holds the key), as password managers do."""
        from PySide6.QtCore import QTimer
        from PySide6.QtGui import QGuiApplication

        key = self.recovery.text()
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(key)
        self.copy_note.setText("Copied. The clipboard is cleared in one minute.")

        def clear() -> None:
            if clipboard.text() == key:
                clipboard.clear()

        QTimer.singleShot(CLIPBOARD_CLEAR_MS, clear)

    def _on_print_button_clicked(self) -> None:
        """Print the key on paper (the system's print dialog; nothing is written by us)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_document().print_(printer)

    def print_document(self) -> Any:
        """What Print puts on paper: the store, the key and what it is for."""
        from PySide6.QtGui import QTextDocument

        doc = QTextDocument()
        doc.setPlainText(
            "Roundtable recovery key\n\n"
            f"Store: {self._path}\n\n"
            f"{self.recovery.text()}\n\n"
            "This key opens the store if the passphrase is forgotten. Keep it locked away from "
            "the workstation."
        )
        return doc

    def _on_save_card_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(self, "Save your identity card", "identity.rtid",
                                              "Identity cards (*.rtid);;All files (*)")
        if path:
            self.save_identity_card(Path(path))

    def save_identity_card(self, path: Path) -> None:
        """Write this workstation's card (safe-file helper) on the store worker."""
        from app.services import exchange

        session = self.session
        if session is None:
            return
        self._tasks.run(lambda: exchange.write_identity_card(session, out=path), owner=self,
                        on_done=self._on_card_saved, on_error=self._on_create_failed_quietly)

    def _on_card_saved(self, path: Path) -> None:
        self.card_saved = path
        self.save_card_button.setText(f"Identity card saved: {path.name}")

    def _on_create_failed_quietly(self, exc: BaseException) -> None:
        from app.ui.errors import show_error

        show_error(self, exc)

    def _on_finish_button_clicked(self) -> None:
        if not self.confirm.isChecked() or self.session is None:
            return
        self.recovery.setText("")
        if self.remember.isChecked():
            session = self.session
            self._tasks.run(lambda: ui_queries.remember_here(session), owner=self,
                            on_done=lambda _r: self.accept(), on_error=self._on_remember_failed)
        else:
            self.accept()

    def _on_remember_failed(self, exc: BaseException) -> None:
        from app.ui.errors import show_error

        show_error(self, exc)
        self.accept()

    def keyPressEvent(self, event: Any) -> None:
        # Escape on the recovery page must not lose the created store's session.
        if self._stack.currentIndex() == 1 and event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)
