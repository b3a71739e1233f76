"""Composition root: process hardening, logging, then the desktop client or the command line.

``prepare_process`` runs first in every entry point: ``umask 077`` so every file we create is
private, and a private log. Nothing else here holds state; objects are built and wired by callers.
"""

from __future__ import annotations

import sys

from app.config.process import prepare_process


def gui_main() -> int:
    prepare_process()
    from app.ui.app import run_gui

    return run_gui(sys.argv)


def main() -> int:
    """``python -m app``: the desktop client with no arguments, else the command line."""
    if len(sys.argv) > 1:
        from app.cli.main import main as cli_main

        return cli_main()
    return gui_main()
