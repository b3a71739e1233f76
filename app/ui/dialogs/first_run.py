"""First run: create the store for this workstation (a new panel, or joining a panel with the
coordinator's invitation), then show the recovery key once.

The dialog is put together from its parts in ``app.ui.dialogs.setup``: the passphrase fields,
the join page and the recovery-key page; here are the first page and the create or join step.

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
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLayout,
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
from app.ui.dialogs.setup.join_page import JoinPart
from app.ui.dialogs.setup.passphrase import MIN_PASSPHRASE, PassphrasePart, strength_hint
from app.ui.dialogs.setup.recovery_page import CLIPBOARD_CLEAR_MS, RecoveryPart
from app.ui.tasks import TaskManager
from app.ui.widgets.controls import (
    FINGERPRINT_DIGITS,
    button,
    combo,
    digits_in,
    error_line,
    labelled_line,
    row,
)
from app.ui.widgets.plain import heading, muted

__all__ = ["CLIPBOARD_CLEAR_MS", "CREATE_TEXT", "JOIN_TEXT", "MIN_PASSPHRASE", "FirstRunDialog", "strength_hint"]

CREATE_TEXT = "Create s&tore"
JOIN_TEXT = "J&oin panel"
ROLES = ((Role.COORDINATOR, "Panel coordinator (holds the panel's store)"), (Role.CHAIR, "Chair"),
         (Role.OFFICER, "Case officer"))


class FirstRunDialog(PassphrasePart, JoinPart, RecoveryPart):
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
        self.joined = False
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
        """A new panel or joining one, the passphrase twice, and Create (or Join)."""
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(heading("Set up Roundtable on this workstation"))
        v.addWidget(muted(
            "Everything Roundtable holds is kept in one encrypted store on this workstation. "
            "Choose a passphrase only you know; without it, or the recovery key shown next, "
            "the store cannot be opened by anyone."
        ))
        self.mode_new = QRadioButton("Set up a ne&w panel")
        self.mode_new.setAccessibleName("Set up a new panel")
        self.mode_join = QRadioButton("&Join a panel with an invitation")
        self.mode_join.setAccessibleName("Join a panel with an invitation")
        self.mode_new.setChecked(True)
        v.addLayout(row(self.mode_new, self.mode_join, 1))
        self._modes = QStackedWidget()
        self._modes.addWidget(self._build_new_panel())
        self._modes.addWidget(self._build_join())
        v.addWidget(self._modes)
        v.addLayout(self._build_passphrase_form())
        self.error = error_line()
        v.addWidget(self.error)
        v.addStretch(1)
        v.addWidget(self._build_create_buttons())
        self._watch_passphrase()
        self.mode_join.toggled.connect(self._on_mode_join_toggled)
        return page

    def _build_new_panel(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.name = labelled_line(form, "Your &name")
        self.agency = labelled_line(form, "Your &agency")
        self.role = combo("Your role", ((label, role) for role, label in ROLES))
        form.addRow("Your &role", self.role)
        self.panel = labelled_line(form, "Pane&l name")
        self.programme = combo("Programme", ((load_programme(pid).name, pid) for pid in available_programmes()))
        form.addRow("&Programme", self.programme)
        return page

    def _build_create_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.create_button = button(CREATE_TEXT, accessible="Create store", default=True,
                                    on_click=self._on_create_button_clicked)
        buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        buttons.rejected.connect(self.reject)
        return buttons

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

    # --- create or join --------------------------------------------------------------------------
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
        if digits_in(self.coordinator_fingerprint.text()) != FINGERPRINT_DIGITS:
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
            self._show_error(exc)

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

    def keyPressEvent(self, event: Any) -> None:
        # Escape on the recovery page must not lose the created store's session.
        if self._stack.currentIndex() == 1 and event.key() == Qt.Key.Key_Escape:
            return
        super().keyPressEvent(event)
