"""The main window: navigation, the marking banner top and bottom, menus with shortcuts, lock.

Invariants:
- The marking banner is outside every screen and is never hidden.
- Locking (Ctrl+L or inactivity) detaches the session first (so no new store work can start),
  closes the store on the store worker (dropping the key), replaces the work area with a locked
  page and hides open dialogs; widgets are not destroyed, so nothing typed is lost.
- QSettings holds window geometry and the last screen only: never a name, ref or any case data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import Workstation
from app.models.enums import Role
from app.services import exchange
from app.services.context import Session
from app.ui.context import Snapshot, UiContext, load_snapshot
from app.ui.dialogs.store_admin import StoreActions
from app.ui.dialogs.unlock import UnlockDialog
from app.ui.drafts import Draft, save_drafts
from app.ui.reports.screen import ReportsScreen
from app.ui.screens.actions.screen import ActionsScreen
from app.ui.screens.base import Screen
from app.ui.screens.cases.screen import CasesScreen
from app.ui.screens.dashboard.screen import DashboardScreen
from app.ui.screens.exchange.screen import ExchangeScreen
from app.ui.screens.meetings.screen import MeetingsScreen
from app.ui.screens.panel.screen import PanelScreen
from app.ui.screens.referrals.screen import ReferralsScreen
from app.ui.security import InactivityTimer
from app.ui.widgets.common import MarkingBanner
from app.ui.widgets.inputs import install_input_rules
from app.ui.widgets.plain import PlainLabel, heading, muted

SCREENS = ("Dashboard", "Referrals", "Cases", "Meetings", "Actions", "Exchange", "Reports", "Panel")




S = TypeVar("S", bound=Screen)


class _Screens(Mapping[str, Screen]):
    """``window.screens[name]``: the screen, built on first use (see ``MainWindow.screen_named``)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.built: dict[str, Screen] = {}

    def __getitem__(self, name: str) -> Screen:
        if name not in SCREENS:
            raise KeyError(name)
        return self.window.screen_named(name)

    def __iter__(self) -> Iterator[str]:
        return iter(SCREENS)

    def __len__(self) -> int:
        return len(SCREENS)


class LockedPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("LockedPage")
        v = QVBoxLayout(self)
        v.addStretch(1)
        title = heading("Roundtable is locked")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(title)
        note = muted("The store is closed and its key has been dropped. Unlock to carry on where you were.")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        v.addWidget(note)
        v.addStretch(2)


class MainWindow(QMainWindow):
    lock_changed = Signal(bool)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        install_input_rules()  # wheel and drop-down rules for every control (widgets/inputs.py)
        self.ctx = ctx
        self.setObjectName("MainWindow")
        self.setWindowTitle("Roundtable")
        from app.ui.app import app_icon

        self.setWindowIcon(app_icon())
        # small enough for 1366x768 at 125 % (1093x614 logical, less title and task bars) and
        # 1280x720: docs/ui.md, "Layout at small sizes"
        self.setMinimumSize(880, 520)
        self._hidden_dialogs: list[QDialog] = []
        self.unlock_dialog: QDialog | None = None
        self._close_confirmed = False
        self._locked_by_timer = False
        self.shortcuts_dialog: QDialog | None = None
        self.close_prompt: QMessageBox | None = None
        self.close_save_button: QPushButton | None = None
        self.close_discard_button: QPushButton | None = None

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner_top = MarkingBanner()
        self.banner_bottom = MarkingBanner()
        outer.addWidget(self.banner_top)
        self.lock_stack = QStackedWidget()
        outer.addWidget(self.lock_stack, 1)
        outer.addWidget(self.banner_bottom)

        work = QWidget()
        h = QHBoxLayout(work)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(0)
        side = QWidget()
        side.setObjectName("Sidebar")
        sv = QVBoxLayout(side)
        sv.setContentsMargins(0, 12, 0, 8)
        self.panel_label = PlainLabel("", object_name="SidebarTitle", wrap=True)
        sv.addWidget(self.panel_label)
        self.nav = QListWidget()
        self.nav.setObjectName("Nav")
        self.nav.setAccessibleName("Navigation")
        for i, name in enumerate(SCREENS, start=1):
            item = QListWidgetItem(name)
            item.setToolTip(f"{name} (Ctrl+{i})")
            self.nav.addItem(item)
        sv.addWidget(self.nav, 1)
        self.who = PlainLabel("", object_name="SidebarWho", wrap=True, accessible="Signed in as")
        sv.addWidget(self.who)
        side.setFixedWidth(200)
        h.addWidget(side)
        self.stack = QStackedWidget()
        # Screens are built the first time they are shown: the window appears after building one
        # screen, not eight (each costs style polishing), and a screen's data loads when shown.
        self.screens = _Screens(self)
        for _name in SCREENS:
            self.stack.addWidget(QWidget())
        h.addWidget(self.stack, 1)
        self.lock_stack.addWidget(work)
        self.locked_page = LockedPage()
        self.lock_stack.addWidget(self.locked_page)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)

        self.busy = QLabel("")
        self.busy.setObjectName("Busy")
        self.statusBar().addPermanentWidget(self.busy)
        ctx.tasks.busy_changed.connect(self._on_tasks_busy_changed)  # a slot: disconnected with the window

        self.inactivity = InactivityTimer(self)
        self.inactivity.inactive.connect(self._on_inactivity_inactive)
        ctx.snapshot_changed.connect(self._apply_snapshot)
        self._build_menus()
        self._apply_snapshot()
        self._restore_settings()
        self._resume_watched_folder()

    # --- menus -----------------------------------------------------------------------------------
    def _act(self, menu: QMenu, text: str, slot: Callable[[], object],
             shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
             *, extra: tuple[str, ...] = ()) -> QAction:
        action = QAction(text, self)
        keys = []
        if shortcut is not None:
            keys.append(QKeySequence(shortcut))
        keys += [QKeySequence(k) for k in extra]
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.act_new = self._act(file_menu, "&New…", self._cmd_new, QKeySequence.StandardKey.New)
        self.act_save = self._act(file_menu, "&Save", self._cmd_save, QKeySequence.StandardKey.Save)
        self.act_print = self._act(file_menu, "&Print…", self._cmd_print, QKeySequence.StandardKey.Print)
        file_menu.addSeparator()
        self.store_actions = StoreActions(self, self.ctx, file_menu)  # keyring, backup, passphrase
        file_menu.addSeparator()
        self.act_lock = self._act(file_menu, "&Lock", self.lock, "Ctrl+L")
        self.act_quit = self._act(file_menu, "&Quit", self.close, "Ctrl+Q")
        self._build_edit_menu(bar.addMenu("&Edit"))
        find_menu = bar.addMenu("F&ind")
        self.act_find = self._act(find_menu, "&Quick find…", self.quick_find, "Ctrl+K")
        self.act_filter = self._act(find_menu, "&Filter this list", self._cmd_filter, QKeySequence.StandardKey.Find)
        go = bar.addMenu("&Go")
        self.go_actions = []
        for i, name in enumerate(SCREENS, start=1):
            self.go_actions.append(self._act(go, name, partial(self.show_screen, name), f"Ctrl+{i}"))
        records_menu = bar.addMenu("R&ecords")
        self.act_retention = self._act(records_menu, "&Retention review…", self._cmd_retention)
        self.act_disclosures = self._act(records_menu, "&Disclosures…", self._cmd_disclosures)
        self.act_check_store = self._act(records_menu, "&Check the store file…", self._cmd_check_store)
        help_menu = bar.addMenu("&Help")
        self._act(help_menu, "&Keyboard shortcuts", self._cmd_shortcuts, "F1")
        self.act_about = self._act(help_menu, "&About Roundtable", self._cmd_about)
        self._lockable = [self.act_new, self.act_save, self.act_print, self.act_find, self.act_filter, *self.go_actions,
                          self.act_retention]
        self._lockable += self.store_actions.actions
        self._lockable.append(self.act_check_store)
        self._lockable.append(self.act_disclosures)

    def _build_edit_menu(self, menu: QMenu) -> None:
        """Undo, Redo, Cut, Copy, Paste, Select all on the focused text field. The keys are the
        fields' own (shown here, not taken over: a table keeps its own Ctrl+C)."""
        self.edit_menu = menu
        made = []
        for text, method, key in (("&Undo", "undo", QKeySequence.StandardKey.Undo),
                                  ("&Redo", "redo", QKeySequence.StandardKey.Redo),
                                  (None, "", None),
                                  ("Cu&t", "cut", QKeySequence.StandardKey.Cut),
                                  ("&Copy", "copy", QKeySequence.StandardKey.Copy),
                                  ("&Paste", "paste", QKeySequence.StandardKey.Paste),
                                  (None, "", None),
                                  ("Select &all", "selectAll", QKeySequence.StandardKey.SelectAll)):
            if text is None or key is None:
                menu.addSeparator()
                continue
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # shown, never intercepts
            action.triggered.connect(partial(self._edit, method))
            menu.addAction(action)
            made.append(action)
        self.act_undo, self.act_redo, self.act_cut, self.act_copy, self.act_paste, self.act_select_all = made
        menu.aboutToShow.connect(self._update_edit_menu)

    @staticmethod
    def _text_target() -> QLineEdit | QPlainTextEdit | QTextEdit | None:
        w = QApplication.focusWidget()
        if isinstance(w, QComboBox) and w.isEditable():
            return w.lineEdit()
        if isinstance(w, QAbstractSpinBox):
            return w.findChild(QLineEdit)
        return w if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit) else None

    def _edit(self, method: str) -> None:
        target = self._text_target()
        if target is not None:
            getattr(target, method)()

    def _update_edit_menu(self) -> None:
        t = self._text_target()
        writable = t is not None and not t.isReadOnly()
        if isinstance(t, QLineEdit):
            has_sel, undo, redo = t.hasSelectedText(), t.isUndoAvailable(), t.isRedoAvailable()
        elif t is not None:
            doc = t.document()
            has_sel, undo, redo = t.textCursor().hasSelection(), doc.isUndoAvailable(), doc.isRedoAvailable()
        else:
            has_sel = undo = redo = False
        self.act_undo.setEnabled(writable and undo)
        self.act_redo.setEnabled(writable and redo)
        self.act_cut.setEnabled(writable and has_sel)
        self.act_copy.setEnabled(has_sel)
        self.act_paste.setEnabled(writable)
        self.act_select_all.setEnabled(t is not None)

    def _cmd_retention(self) -> None:
        from app.ui.dialogs.retention_dialog import show_retention_review

        show_retention_review(self, self.ctx)

    def _cmd_disclosures(self) -> None:
        from app.ui.dialogs.disclosures_dialog import show_disclosures

        self.disclosures_dialog = show_disclosures(self, self.ctx)

    def _cmd_check_store(self) -> None:
        """Records › Check the store file…: every page's HMAC and SQLite's structure, with
        progress; changes nothing (issue 12)."""
        from app.services import integrity
        from app.ui.progress import run_with_progress

        def done(result: integrity.CheckResult) -> None:
            if result.ok:
                from PySide6.QtWidgets import QMessageBox

                box = QMessageBox(QMessageBox.Icon.Information, "Store file", result.message, parent=self)
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.open()
                self.check_store_result: QWidget = box
            else:
                from app.models.errors import StoreCorrupt
                from app.ui.errors import show_error

                self.check_store_result = show_error(self, StoreCorrupt(result.message))

        self.check_store_progress = run_with_progress(
            self.ctx, self, "Checking every page of the store file…",
            lambda session, progress: integrity.check_store(session, progress=progress.step),
            on_done=done,
        )

    # --- screens, built on first use ----------------------------------------------------------------
    def screen_named(self, name: str) -> Screen:
        built = self.screens.built.get(name)
        if built is not None:
            return built
        factory: dict[str, Callable[[UiContext], Screen]] = {
            "Dashboard": DashboardScreen, "Referrals": ReferralsScreen, "Cases": CasesScreen,
            "Meetings": MeetingsScreen, "Actions": ActionsScreen, "Exchange": ExchangeScreen,
            "Reports": ReportsScreen, "Panel": PanelScreen,
        }
        screen = factory[name](self.ctx)
        self.screens.built[name] = screen
        index = SCREENS.index(name)
        placeholder = self.stack.widget(index)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, screen)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        self.stack.setCurrentIndex(current)
        if isinstance(screen, DashboardScreen):
            screen.case_requested.connect(self.open_case)
            screen.all_actions.clicked.connect(self._on_dashboard_all_actions)
        return screen

    def _on_tasks_busy_changed(self, busy: bool) -> None:
        self.busy.setText("Working…" if busy else "")

    def _resume_watched_folder(self) -> None:
        """Watch the exchange folder remembered in the store, from the moment the store is open."""
        if self.ctx.is_locked:
            return
        self.ctx.run(exchange.watched_folder, owner=self, on_done=self._on_watched_folder)

    def _on_watched_folder(self, folder: Path | None) -> None:
        if folder is not None:
            self._typed("Exchange", ExchangeScreen).resume_watching(folder)

    def _typed(self, name: str, kind: type[S]) -> S:
        screen = self.screen_named(name)
        assert isinstance(screen, kind)
        return screen

    @property
    def dashboard(self) -> DashboardScreen:
        return self._typed("Dashboard", DashboardScreen)

    @property
    def referrals(self) -> ReferralsScreen:
        return self._typed("Referrals", ReferralsScreen)

    @property
    def cases(self) -> CasesScreen:
        return self._typed("Cases", CasesScreen)

    @property
    def meetings(self) -> MeetingsScreen:
        return self._typed("Meetings", MeetingsScreen)

    @property
    def actions_screen(self) -> ActionsScreen:
        return self._typed("Actions", ActionsScreen)

    @property
    def reports(self) -> ReportsScreen:
        return self._typed("Reports", ReportsScreen)

    def _current(self) -> Screen:
        return self.screens[SCREENS[self.stack.currentIndex()]]

    def _cmd_new(self) -> None:
        if not self._current().new_item():
            self.show_screen("Referrals")
            self.referrals.new_item()

    def _cmd_save(self) -> None:
        if not self._current().save():
            self.statusBar().showMessage("Nothing to save here: changes on this screen are saved as you make them.", 4000)

    def _cmd_print(self) -> None:
        if not self._current().print_():
            self.statusBar().showMessage(
                "Nothing to print here: open a case to print its plan, or a meeting for its minutes.", 5000)

    def _cmd_filter(self) -> None:
        if not self._current().focus_find():
            self.quick_find()

    def _cmd_about(self) -> None:
        from app.ui.dialogs.about import AboutDialog

        self.about_dialog = AboutDialog(self.ctx, self)
        self.about_dialog.open()

    def _cmd_shortcuts(self) -> None:
        from app.ui.dialogs.shortcuts import ShortcutsDialog

        acts = [*self.actions(), *self.edit_menu.actions()]
        rows = [(", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()),
                 a.text().replace("&", "")) for a in acts if not a.shortcut().isEmpty()]
        dlg = ShortcutsDialog(rows, self)
        dlg.finished.connect(lambda _r: setattr(self, "shortcuts_dialog", None))
        self.shortcuts_dialog = dlg
        dlg.open()

    # --- navigation ------------------------------------------------------------------------------
    def show_screen(self, name: str) -> Screen:
        self.nav.setCurrentRow(SCREENS.index(name))
        return self.screens[name]

    def _on_nav_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(SCREENS):
            self.screen_named(SCREENS[row])
            self.stack.setCurrentIndex(row)
            self.ctx.settings.setValue("ui/screen", SCREENS[row])

    def open_case(self, case_id: str) -> None:
        self.show_screen("Cases")
        self.cases.open_case(case_id)

    def _on_dashboard_all_actions(self) -> None:
        self.show_screen("Actions")
        self.actions_screen.show_my_overdue()

    def quick_find(self) -> None:
        if self.ctx.is_locked:
            return
        from app.ui.dialogs.quick_find import QuickFindDialog

        dlg = QuickFindDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.case_chosen.connect(self.open_case)
        dlg.open()
        self.quick_find_dialog = dlg

    # --- identity and settings -------------------------------------------------------------------
    def _apply_snapshot(self) -> None:
        snap = self.ctx.snapshot
        if snap is None:
            return
        ws: Workstation = snap.workstation
        self.panel_label.setText(ws.panel_name)
        self.who.setText(f"{ws.member.name}\n{ws.agency.name}\n{ws.member.role.value.capitalize()}")
        self.setWindowTitle(f"Roundtable – {ws.panel_name}")
        # Retention review and purges are the coordinator's, on the hub store.
        may_review = ws.is_hub and ws.member.role is Role.COORDINATOR
        self.act_retention.setEnabled(may_review)
        self.act_retention.setToolTip("" if may_review else "Only the panel coordinator reviews retention.")
        self.inactivity.set_interval_ms(snap.auto_lock_minutes * 60_000)
        if not self.ctx.is_locked:
            self.inactivity.activate()

    def set_auto_lock_ms(self, ms: int) -> None:
        """Tests and the settings screen: change the inactivity interval now."""
        self.inactivity.set_interval_ms(ms)
        self.inactivity.activate()

    def _restore_settings(self) -> None:
        geo = self.ctx.settings.value("ui/geometry")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        name = self.ctx.settings.value("ui/screen", "Dashboard")
        self.show_screen(name if name in SCREENS else "Dashboard")

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_confirmed:
            drafts = self.ctx.drafts.pending()
            if drafts:  # Ctrl+Q, File › Quit, the close button, Quit on the lock screen
                event.ignore()
                self._ask_about_drafts(drafts)
                return
        self.ctx.settings.setValue("ui/geometry", self.saveGeometry())
        self.ctx.settings.sync()
        self.inactivity.deactivate()
        super().closeEvent(event)

    # --- unsaved drafts at close (app.ui.drafts) --------------------------------------------------
    def _ask_about_drafts(self, drafts: list[Draft]) -> None:
        n = len(drafts)
        # on the lock screen the question sits over the unlock dialog (both are window-modal)
        over = self.unlock_dialog if self.ctx.is_locked and self.unlock_dialog is not None else self
        box = QMessageBox(over)
        box.setObjectName("UnsavedDrafts")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved work")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{n} draft{'s are' if n != 1 else ' is'} not saved:")
        listing = "\n".join(f"• {d.label}" for d in drafts)
        if self.ctx.is_locked:
            listing += "\n\nRoundtable is locked: unlock first to save them."
        box.setInformativeText(listing)
        self.close_save_button = None
        if not self.ctx.is_locked:
            self.close_save_button = box.addButton("&Save and quit", QMessageBox.ButtonRole.AcceptRole)
        self.close_discard_button = box.addButton("&Discard and quit", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("&Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(self.close_save_button or cancel)
        box.setEscapeButton(cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda b: self._on_drafts_answer(b, drafts))
        self.close_prompt = box
        box.open()

    def _on_drafts_answer(self, button: object, drafts: list[Draft]) -> None:
        self.close_prompt = None
        if button is self.close_discard_button:
            self.close_discarding_drafts()
        elif button is not None and button is self.close_save_button:
            self.ctx.run(lambda s: save_drafts(s, drafts), owner=self, mutates=True,
                         on_done=lambda failed: self._on_drafts_saved(drafts, failed))

    def _on_drafts_saved(self, drafts: list[Draft], failed: list[tuple[Draft, str]]) -> None:
        refused = {d.key for d, _why in failed}
        for d in drafts:
            if d.key not in refused:
                self.ctx.drafts.remove(d.key)
        if failed:
            box = QMessageBox(QMessageBox.Icon.Warning, "Not everything was saved",
                              "These drafts were not saved; Roundtable stays open so you can correct them:",
                              QMessageBox.StandardButton.Ok, self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setInformativeText("\n".join(f"• {d.label}: {why}" for d, why in failed))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.close_prompt = box
            box.open()
            return
        self._close_confirmed = True
        self.close()

    def close_discarding_drafts(self) -> None:
        """Close now; every unsaved draft is dropped (the user said Discard)."""
        self.ctx.drafts.discard()
        self._close_confirmed = True
        self.close()

    # --- lock ------------------------------------------------------------------------------------
    def _on_inactivity_inactive(self) -> None:
        self.lock(auto=True)

    @property
    def is_locked(self) -> bool:
        return self.lock_stack.currentWidget() is self.locked_page

    def lock(self, *, auto: bool = False) -> None:
        """Ctrl+L (``auto`` False: the lock screen says "Locked") or inactivity (it says why)."""
        if self.is_locked:
            return
        self._locked_by_timer = auto
        self.inactivity.deactivate()
        session = self.ctx.detach()
        if session is not None:
            self.ctx.tasks.run(session.close, owner=None)
        self.lock_stack.setCurrentWidget(self.locked_page)
        for a in self._lockable:
            a.setEnabled(False)
        self._hidden_dialogs = [d for d in self.findChildren(QDialog) if d.isVisible()]
        for d in self._hidden_dialogs:
            d.hide()
        self.lock_changed.emit(True)
        self._show_unlock()

    def _show_unlock(self) -> None:
        if self._locked_by_timer:
            minutes = self.ctx.snapshot.auto_lock_minutes if self.ctx.snapshot else 0
            reason = (f"Roundtable locked itself after {minutes} minute{'s' if minutes != 1 else ''} without use. "
                      "Unlock to carry on where you were: nothing you typed is lost.")
        else:
            reason = "Unlock to carry on where you were: nothing you typed is lost."
        dlg = UnlockDialog(self.ctx.tasks, self.ctx.store_path, today_fn=self.ctx.today_fn,
                           reason=reason, title="Locked", parent=self)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.accepted.connect(lambda: self._on_unlock_accepted(dlg))
        dlg.quit_requested.connect(self.close)  # asks about unsaved drafts first
        self.unlock_dialog = dlg
        dlg.open()

    def _on_unlock_accepted(self, dlg: UnlockDialog) -> None:
        session = dlg.session
        dlg.deleteLater()
        if session is None:
            return
        self.unlock_dialog = None
        self.ctx.tasks.run(lambda: load_snapshot(session), owner=self,
                           on_done=lambda snap: self._on_snapshot_loaded(session, snap))

    def _on_snapshot_loaded(self, session: Session, snap: Snapshot) -> None:
        self.ctx.attach(session, snap)
        self.lock_stack.setCurrentIndex(0)
        for a in self._lockable:
            a.setEnabled(True)
        for d in self._hidden_dialogs:
            d.show()
        self._hidden_dialogs = []
        self._apply_snapshot()
        self.lock_changed.emit(False)
        self._resume_watched_folder()
