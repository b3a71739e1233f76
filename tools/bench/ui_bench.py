"""GUI figures on a big store: the window shown, the dashboard filled, the case list, a case, filter,
sort, the actions list (open, all, sorted), memory.

Usage: ``python tools/bench/ui_bench.py STORE_PATH [--passphrase P]`` (offscreen). Prints one line
per figure. Resident memory is VmRSS from /proc/self/status (Linux), with the store open.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path)
    ap.add_argument("--passphrase", default=os.environ.get("ROUNDTABLE_PASSPHRASE", "correct horse battery"))
    args = ap.parse_args(argv)
    import tempfile

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.services import setup
    from app.ui.app import prepare_app
    from app.ui.context import UiContext, load_snapshot
    from app.ui.mainwindow import MainWindow
    from app.ui.tasks import TaskManager
    from tools.screenshots import wait_idle

    app = QApplication.instance() or QApplication([])
    prepare_app(app)  # type: ignore[arg-type]
    tmp = tempfile.mkdtemp(prefix="rt-uibench-")
    from app.ui.housekeeping import GarbageCollector

    collector = GarbageCollector()  # as the client: cycles are freed on the GUI thread only
    collector.start()
    tasks = TaskManager()
    ctx = UiContext(tasks, QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
    ctx.store_path = args.store
    t0 = time.perf_counter()
    session = tasks.call_sync(lambda: setup.unlock(args.store, passphrase=args.passphrase))
    t_unlock = time.perf_counter() - t0
    t0 = time.perf_counter()
    ctx.attach(session, tasks.call_sync(lambda: load_snapshot(session)))
    win = MainWindow(ctx)
    win.resize(1280, 800)
    win.show()
    app.processEvents()  # first paint: the shell and the dashboard's frame, data still loading
    t_shown = time.perf_counter() - t0
    wait_idle(app, tasks, 120)
    t_dashboard = time.perf_counter() - t0
    t0 = time.perf_counter()
    win.show_screen("Cases")
    wait_idle(app, tasks, 120)
    screen = win.cases
    screen.model.data(screen.model.index(0, 0))
    wait_idle(app, tasks, 120)
    t_open = time.perf_counter() - t0
    n = screen.model.rowCount()
    t0 = time.perf_counter()
    win.open_case(screen.model.case_id(n // 2))
    wait_idle(app, tasks, 120)
    t_case = time.perf_counter() - t0
    screen.show_list()
    t0 = time.perf_counter()
    screen.search.setText("son")
    wait_idle(app, tasks, 120)
    screen.model.data(screen.model.index(0, 0))
    wait_idle(app, tasks, 120)
    t_filter = time.perf_counter() - t0
    filtered = screen.model.rowCount()
    t0 = time.perf_counter()
    screen.search.setText("")
    screen.model.sort(1)
    wait_idle(app, tasks, 120)
    screen.model.data(screen.model.index(0, 0))
    wait_idle(app, tasks, 120)
    t_sort = time.perf_counter() - t0
    t0 = time.perf_counter()
    acts = win.show_screen("Actions")
    wait_idle(app, tasks, 120)
    acts.model.data(acts.model.index(0, 0))  # the first block is on screen
    wait_idle(app, tasks, 120)
    t_actions = time.perf_counter() - t0
    n_actions, n_total = acts.model.rowCount(), acts.model.total
    t0 = time.perf_counter()
    acts.open_only.setChecked(False)  # every action, first page
    wait_idle(app, tasks, 120)
    acts.model.data(acts.model.index(0, 0))
    wait_idle(app, tasks, 120)
    t_actions_all = time.perf_counter() - t0
    t0 = time.perf_counter()
    acts.model.sort(1)  # by title, in the store
    wait_idle(app, tasks, 120)
    acts.model.data(acts.model.index(0, 0))
    wait_idle(app, tasks, 120)
    t_actions_sort = time.perf_counter() - t0
    print(f"cases in store                      {n}")
    print(f"unlock (passphrase, Argon2id)       {t_unlock * 1000:8.0f} ms")
    print(f"main window shown (first paint)     {t_shown * 1000:8.0f} ms   (dashboard loads on the store worker)")
    print(f"dashboard filled                    {t_dashboard * 1000:8.0f} ms   (from the start of opening)")
    print(f"case list, first page shown         {t_open * 1000:8.0f} ms")
    print(f"open one case (all tabs filled)     {t_case * 1000:8.0f} ms")
    print(f"filter case table ('son'), 1st page {t_filter * 1000:8.0f} ms   ({filtered} rows)")
    print(f"sort case table by name, 1st page   {t_sort * 1000:8.0f} ms")
    print(f"actions screen, 1st page (open)     {t_actions * 1000:8.0f} ms   ({n_actions} open of {n_total} actions)")
    print(f"actions, every action, 1st page     {t_actions_all * 1000:8.0f} ms   ({acts.model.rowCount()} actions)")
    print(f"actions sorted by title, 1st page   {t_actions_sort * 1000:8.0f} ms")
    print(f"resident memory (VmRSS)             {rss_mb():8.0f} MB")
    win.close()
    ctx.detach()
    tasks.call_sync(session.close)
    tasks.shutdown()
    collector.stop()
    return 0


def run(workdir: Path, cases: int = 10_000) -> None:
    """``make bench`` section: uses (or builds) the store bench's 10,000-case store."""
    from tools.bench.store_bench import PASSPHRASE, build_store

    path = workdir / "bench.rtdb"
    if not path.exists():
        build_store(path, cases)
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"\n== Desktop client ({cases:,}-case store) ==")
    main([str(path), "--passphrase", PASSPHRASE])


if __name__ == "__main__":
    raise SystemExit(main())
