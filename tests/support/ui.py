"""Desktop test helpers: the main-window harness (``tests/ui/conftest.py``'s ``demo_ui`` and
``empty_ui``), the first-run dialog with cheap key derivation, and the small window sizes the layout
tests walk."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.services import joining, setup
from tests.support.kdf import CHEAP
from tests.support.stores import PASSPHRASE, today


class Harness:
    """One main window over one session; ``extra`` windows share the store (other members)."""

    def __init__(self, qtbot, store: Path, settings_path: Path) -> None:  # type: ignore[no-untyped-def]
        from app.services.setup import unlock
        from app.ui.context import UiContext, load_snapshot
        from app.ui.mainwindow import MainWindow
        from app.ui.tasks import TaskManager

        self.qtbot = qtbot
        self.store = store
        self.tasks = TaskManager()
        self.ctx = UiContext(self.tasks, QSettings(str(settings_path), QSettings.Format.IniFormat))
        self.ctx.today_fn = today
        self.ctx.store_path = store
        # Unlock on the store worker, as the client does: the store's file lock is thread-affine.
        self.session = self.tasks.call_sync(lambda: unlock(store, passphrase=PASSPHRASE, today_fn=today))
        self.ctx.attach(self.session, self.tasks.call_sync(lambda: load_snapshot(self.session)))
        self.win = MainWindow(self.ctx)
        qtbot.addWidget(self.win)
        self.win.resize(1280, 800)
        self.win.show()
        self.others: list[tuple[object, object, object]] = []
        self.idle()

    def idle(self, timeout: int = 60_000) -> None:
        self.qtbot.waitUntil(lambda: self.tasks.pending == 0, timeout=timeout)
        for _tm, _ctx, _w in self.others:
            self.qtbot.waitUntil(lambda tm=_tm: tm.pending == 0, timeout=timeout)  # type: ignore[attr-defined]

    def window_as(self, member_id: str, *, is_hub: bool):  # type: ignore[no-untyped-def]
        """Another member at a workstation on the same store (the chair at the coordinator's
        workstation, or an agency officer): a second Session over the same open store whose
        workstation identity is that member. Honest for the UI; exchange is not in play."""
        from app.services import panel
        from app.services.context import Session
        from app.ui.context import UiContext, load_snapshot
        from app.ui.mainwindow import MainWindow
        from app.ui.tasks import TaskManager

        ws = self.session.workstation
        member = next(m for m in panel.list_members(self.session) if m.id == member_id)
        agency = next(a for a in panel.list_agencies(self.session) if a.id == member.agency_id)
        other = Session(self.session.store, today_fn=today,
                        _workstation=dataclasses.replace(ws, member=member, agency=agency, is_hub=is_hub))
        tasks = TaskManager()
        ctx = UiContext(tasks, self.ctx.settings)
        ctx.today_fn = today
        ctx.store_path = self.store
        ctx.attach(other, load_snapshot(other))
        win = MainWindow(ctx)
        self.qtbot.addWidget(win)
        win.resize(1280, 800)
        win.show()
        self.others.append((tasks, ctx, win))
        self.idle()
        return win

    def close(self) -> None:
        for tasks, ctx, win in self.others:
            win.close_discarding_drafts()  # type: ignore[attr-defined]
            ctx.detach()  # type: ignore[attr-defined]
            tasks.shutdown()  # type: ignore[attr-defined]
        self.win.close_discarding_drafts()  # a test's leftover drafts: no close prompt
        session = self.ctx.detach() or self.session
        if session.store.is_open:
            self.tasks.call_sync(session.close)
        self.tasks.shutdown()


def first_run_dialog(qtbot, path: Path):  # type: ignore[no-untyped-def]
    from app.ui.dialogs.first_run import FirstRunDialog
    from app.ui.tasks import TaskManager

    tasks = TaskManager()
    dlg = FirstRunDialog(
        tasks, path,
        create_fn=functools.partial(setup.create_store, kdf=CHEAP, today_fn=today),
        join_fn=functools.partial(joining.join_panel, kdf=CHEAP, today_fn=today),
    )
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg, tasks


# (name, window size): the 125 % case is emulated with its logical size, as Qt lays out at it
SIZES = {"1280x720": (1280, 720 - 64), "1366x768@125%": (1366 * 100 // 125, 768 * 100 // 125 - 56)}


def settle(h) -> None:  # type: ignore[no-untyped-def]
    h.idle()
    QApplication.processEvents()
    h.idle()
    QApplication.processEvents()


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    """A real mouse click on an enabled button."""
    from PySide6.QtCore import Qt

    assert button.isEnabled(), button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
