"""The Exchange screen's watched folder: every exchange file in it is imported, now and as each
new one appears (once the folder has been quiet for a moment, so copies finish).

Job: a mixin of ``ExchangeScreen`` (after ``ImportQueue``). The folder is remembered for the next
session through the exchange service; nothing is imported while the client is locked (the folder
is looked at again on unlock); a file seen twice is never queued twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QTimer
from PySide6.QtWidgets import QFileDialog, QPushButton

from app.services import exchange
from app.ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from app.ui.screens.exchange.queue import ImportQueue as _Base
else:
    _Base = object

BUNDLE_SUFFIX = ".rtb"
WATCH_SETTLE_MS = 800  # wait this long after a folder changes before looking (copies finish)


class FolderWatch(_Base):
    watch_button: QPushButton
    watch_label: PlainLabel

    def _init_watch(self) -> None:
        self._watched: Path | None = None
        self._watch_seen: set[tuple[str, int, int]] = set()
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._on_watcher_directory_changed)
        self.watch_timer = QTimer(self)
        self.watch_timer.setSingleShot(True)
        self.watch_timer.setInterval(WATCH_SETTLE_MS)
        self.watch_timer.timeout.connect(self.scan_watched)
        self._show_watch()

    def _on_ctx_unlocked(self) -> None:
        super()._on_ctx_unlocked()
        if self._watched is not None:
            self.scan_watched()  # what arrived while the client was locked

    def _on_watch_button_clicked(self) -> None:
        if self._watched is not None:
            self.stop_watching()
            return
        folder = QFileDialog.getExistingDirectory(self, "Watch a folder for exchange files")
        if folder:
            self.watch(Path(folder))

    def watch(self, folder: Path, *, remember: bool = True) -> None:
        """Import every exchange file in ``folder`` now, and each new one as it appears."""
        self._stop_watcher()
        self._watched = folder
        self._watch_seen.clear()
        self.watcher.addPath(str(folder))
        self._show_watch()
        if remember:
            self.ctx.run(lambda s: exchange.remember_watched_folder(s, folder), owner=self)
        self.scan_watched()

    def resume_watching(self, folder: Path) -> None:
        """The remembered folder, at start-up: watch it if it is there, or say it is not."""
        if self._watched == folder:
            return
        if folder.is_dir():
            self.watch(folder, remember=False)
        else:
            self._show_watch(missing=folder)

    def stop_watching(self) -> None:
        """Stop, and forget the folder for the next session too."""
        self._stop_watcher()
        self._show_watch()
        self.ctx.run(lambda s: exchange.remember_watched_folder(s, None), owner=self)

    def _stop_watcher(self) -> None:
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self._watched = None
        self.watch_timer.stop()

    def _show_watch(self, *, missing: Path | None = None) -> None:
        if self._watched is None:
            self.watch_button.setText("&Watch a folder…")
            self.watch_button.setAccessibleName("Watch a folder for new exchange files")
            self.watch_label.setText(
                f"Not watching: the folder {missing} is not available. Choose it again when it is."
                if missing is not None else "")
        else:
            self.watch_button.setText("Stop &watching")
            self.watch_button.setAccessibleName("Stop watching the folder")
            self.watch_label.setText(f"Watching {self._watched}")

    def _on_watcher_directory_changed(self, _path: str) -> None:
        self.watch_timer.start()  # restart: look once the folder has been quiet for a moment

    def scan_watched(self) -> None:
        folder = self._watched
        if folder is None or self.ctx.is_locked:
            return
        found: list[tuple[int, Path, tuple[str, int, int]]] = []
        try:
            entries = list(folder.iterdir())
        except OSError:
            self.status.setText("The watched folder cannot be read.")
            return
        for p in entries:
            if p.suffix.lower() != BUNDLE_SUFFIX or not p.is_file():
                continue
            try:
                st = p.stat()
            except OSError:
                continue
            key = (p.name, st.st_size, st.st_mtime_ns)
            if key not in self._watch_seen:
                found.append((st.st_mtime_ns, p, key))
        found.sort(key=lambda t: (t[0], t[1].name))
        for _mtime, _p, key in found:
            self._watch_seen.add(key)
        self.import_files([p for _m, p, _k in found], source="watched")

