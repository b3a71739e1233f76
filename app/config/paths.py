"""Where things live: the user's data folder, the store, resources. Nothing here writes files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Roundtable"
STORE_FILENAME = "panel.rtdb"


def resources_dir() -> Path:
    """The shipped resources: beside the package in a checkout, inside the bundle when frozen."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def data_dir() -> Path:
    override = os.environ.get("ROUNDTABLE_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_store_path() -> Path:
    env = os.environ.get("ROUNDTABLE_STORE")
    if env:
        return Path(env)
    return data_dir() / STORE_FILENAME


def log_dir() -> Path:
    override = os.environ.get("ROUNDTABLE_LOG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
