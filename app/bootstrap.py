"""Composition root: process hardening, logging, then the desktop client or the command line.

``prepare_process`` runs first in every entry point: ``umask 077`` so every file we create is
private, and a private log. Nothing else here holds state; objects are built and wired by callers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.config.process import prepare_process

#: the bundle's windowed executable (installer/roundtable.spec): always the desktop client
GUI_EXECUTABLE = "roundtable-gui"


def gui_main() -> int:
    prepare_process()
    from app.ui.app import run_gui

    return run_gui(sys.argv)


def main() -> int:
    """``python -m app``: the desktop client with no arguments, else the command line. The
    bundle's ``roundtable-gui`` (no console to print to) is always the desktop client."""
    frozen_gui = getattr(sys, "frozen", False) and Path(sys.executable).stem == GUI_EXECUTABLE
    if len(sys.argv) > 1 and not frozen_gui:
        from app.cli.main import main as cli_main

        return cli_main()
    return gui_main()
