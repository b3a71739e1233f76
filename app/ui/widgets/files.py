"""Asking where a file is, or where to write one: the system's file dialogs, each answer a path
or None when the user cancelled. Nothing is read or written here (the services write through
the safe-file helper)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

CARD_FILES = "Identity cards (*.rtid);;All files (*)"
INVITATION_FILES = "Roundtable invitations (*.rtinv);;All files (*)"
BACKUP_FILES = "Roundtable backups (*.rtbackup);;All files (*)"


def open_path(parent: QWidget, title: str, filters: str, start: str = "") -> Path | None:
    """The file the user chose to read (``start``: the folder or file the dialog opens at)."""
    name, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
    return Path(name) if name else None


def save_path(parent: QWidget, title: str, suggested: str, filters: str) -> Path | None:
    """Where the user chose to write a file (``suggested``: a name, or a whole path)."""
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None
