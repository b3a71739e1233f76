"""Render every main screen and every case-view tab with demo data to PNG files.

Usage: ``python tools/screenshots.py OUT_DIR [--cases N] [--only NAME,NAME]``

Fixed size (1280x800), fixed fonts (the shipped Noto Sans), fixed date (16/03/2026 through the
Session's ``today_fn``), offscreen. The demo store is built in a private temporary folder with a
cheap key derivation (screenshots hold synthetic data only) and removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = dt.date(2026, 3, 16)
SIZE = (1280, 800)


def wait_idle(app: object, tasks: object, timeout: float = 30.0) -> None:
    """Process events until the task manager has nothing pending twice in a row."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if tasks.pending == 0:  # type: ignore[attr-defined]
            quiet += 1
            if quiet > 3:
                return
        else:
            quiet = 0
            time.sleep(0.005)
    raise TimeoutError("background work did not finish")


def build_store(folder: Path, cases: int) -> Path:
    from app.crypto.keyfile import KdfParams
    from app.models.enums import Role
    from app.services import demo, setup

    path = folder / "panel.rtdb"
    created = setup.create_store(path, passphrase="screenshots only", name="Alex Morgan",
                                 agency="Northshire County Council", role=Role.COORDINATOR,
                                 panel="Northshire Channel Panel", kdf=KdfParams.cheap(), today_fn=lambda: TODAY)
    demo.build_demo(created.session, cases=cases, seed=1)
    created.session.close()
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--only", default="")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    only = {x.strip() for x in args.only.split(",") if x.strip()}

    from PySide6.QtWidgets import QApplication

    from app.services import cases, setup
    from app.ui.app import prepare_app
    from app.ui.context import UiContext
    from app.ui.mainwindow import SCREENS, MainWindow
    from app.ui.screens.cases.case_view import TAB_NAMES
    from app.ui.tasks import TaskManager

    with tempfile.TemporaryDirectory(prefix="rt-shots-") as tmp:
        os.environ["ROUNDTABLE_SETTINGS"] = str(Path(tmp) / "settings.ini")
        store = build_store(Path(tmp), args.cases)
        app = QApplication.instance() or QApplication([])
        prepare_app(app, point_size=9.5)  # type: ignore[arg-type]
        from PySide6.QtCore import QSettings

        tasks = TaskManager()
        ctx = UiContext(tasks, QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        ctx.today_fn = lambda: TODAY
        ctx.store_path = store
        from app.ui.context import load_snapshot

        # unlock and close on the store worker: the store's file lock belongs to one thread
        session = tasks.call_sync(lambda: setup.unlock(store, passphrase="screenshots only", today_fn=lambda: TODAY))
        ctx.attach(session, tasks.call_sync(lambda: load_snapshot(session)))
        win = MainWindow(ctx)
        win.resize(*SIZE)
        win.show()
        written = []
        try:
            for name in SCREENS:
                if only and name not in only:
                    continue
                win.show_screen(name)
                wait_idle(app, tasks)
                p = args.out / f"screen-{name.lower()}.png"
                win.grab().save(str(p))
                written.append(p)
            if not only or "case" in only:
                prog = session.programme
                ids = tasks.call_sync(lambda: cases.list_case_ids(session, statuses=["support-plan"]))
                best = ids[0]
                for cid in ids:
                    cf = tasks.call_sync(lambda c=cid: cases.get_case_file(session, c, audit_view=False))
                    if len(cf.assessments) >= 2 and cf.plans and cf.contributions:
                        best = cid
                        break
                del prog
                win.open_case(best)
                wait_idle(app, tasks)
                view = win.screens["Cases"].view  # type: ignore[attr-defined]
                for i, tab in enumerate(TAB_NAMES):
                    view.tabs.setCurrentIndex(i)
                    wait_idle(app, tasks)
                    p = args.out / f"case-{i + 1}-{tab.lower()}.png"
                    win.grab().save(str(p))
                    written.append(p)
                view.tabs.setCurrentIndex(1)
                view.assessment.show_diff()
                wait_idle(app, tasks)
                p = args.out / "case-2b-assessment-diff.png"
                win.grab().save(str(p))
                written.append(p)
        finally:
            win.close()
            ctx.detach()
            tasks.call_sync(session.close)
            tasks.shutdown()
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
