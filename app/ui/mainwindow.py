"""The main window: navigation, the marking banner top and bottom, menus with shortcuts; lock
and closing with unsaved drafts are its part in ``app.ui.window.lifecycle``.

Invariants:
- The marking banner is outside every screen and is never hidden.
- Locking (Ctrl+L or inactivity) leaves nothing typed lost (``app.ui.window.lifecycle``).
- QSettings holds window geometry and the last screen only: never a name, ref or any case data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.domain import Workstation
from app.models.enums import Role
from app.services import exchange
from app.ui.context import UiContext
from app.ui.dialogs.store_admin import StoreActions
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
from app.ui.widgets.controls import page_column
from app.ui.widgets.inputs import install_input_rules
from app.ui.widgets.plain import PlainLabel
from app.ui.window.commands import WindowCommands
from app.ui.window.edit_menu import EditMenu
from app.ui.window.lifecycle import LockedPage, WindowLifecycle

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


class MainWindow(WindowCommands, WindowLifecycle):
    """The window: the parts in ``app.ui.window`` (commands, edit menu, lock and close) put together
    with the screens and the navigation between them."""

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
        self._init_lifecycle()
        self.shortcuts_dialog = None
        self._build_central()
        self._build_status_bar()
        self.inactivity = InactivityTimer(self)
        self.inactivity.inactive.connect(self._on_inactivity_inactive)
        ctx.snapshot_changed.connect(self._apply_snapshot)
        self._build_menus()
        self._apply_snapshot()
        self._restore_settings()
        self._resume_watched_folder()

    # --- layout ----------------------------------------------------------------------------------
    def _build_central(self) -> None:
        """The marking banner top and bottom; between them the work area (sidebar and screens)
        or, when locked, the locked page."""
        central, outer = page_column()
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
        h.addWidget(self._build_sidebar())
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

    def _build_sidebar(self) -> QWidget:
        """The panel's name, the navigation list (Ctrl+1…8) and who is signed in."""
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
        return side

    def _build_status_bar(self) -> None:
        self.busy = QLabel("")
        self.busy.setObjectName("Busy")
        self.statusBar().addPermanentWidget(self.busy)
        self.ctx.tasks.busy_changed.connect(self._on_tasks_busy_changed)  # a slot: disconnected with the window

    # --- menus -----------------------------------------------------------------------------------
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
        self.edit_menu = menu
        edit = EditMenu(menu, self)
        self.act_undo, self.act_redo, self.act_cut = edit.undo, edit.redo, edit.cut
        self.act_copy, self.act_paste, self.act_select_all = edit.copy, edit.paste, edit.select_all

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
