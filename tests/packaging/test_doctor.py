"""``make doctor``: the exact apt-get line for what a bare Debian/Ubuntu lacks, and a clean bill
here (the suite's own machine has what the offscreen tests need)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tools import doctor


def test_old_python_and_missing_venv_name_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    assert doctor.python_problems((3, 10, 4)) == ["python3.11"]
    assert doctor.python_problems((3, 11, 7)) == []
    real = doctor.importlib.util.find_spec
    monkeypatch.setattr(
        doctor.importlib.util, "find_spec", lambda name: None if name == "ensurepip" else real(name)
    )
    assert doctor.python_problems((3, 11, 7)) == ["python3.11-venv"]


def test_missing_qt_libraries_give_one_apt_get_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = {"libQt6Gui.so.6": ["libEGL.so.1", "libxkbcommon.so.0"],
               "libqxcb.so": ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libfoo.so.9"]}  # fmt: skip
    monkeypatch.setattr(doctor, "missing_libraries", lambda lib: missing.get(lib.name, []))
    monkeypatch.setattr(doctor.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(doctor.sys, "platform", "linux")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert doctor.main(["--venv", sys.prefix]) == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install -y libegl1 libxkbcommon0\n" in err
    assert doctor.main(["--venv", sys.prefix, "--display"]) == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install -y libegl1 libxcb-cursor0 libxkbcommon-x11-0 libxkbcommon0" in err
    assert "Qt needs libfoo.so.9, which is not installed." in err


def test_this_machine_passes_for_the_offscreen_suite(capsys: pytest.CaptureFixture[str]) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the Qt library checks are for Linux")
    assert doctor.main(["--venv", sys.prefix]) == 0, capsys.readouterr().err
    assert "Qt: ok" in capsys.readouterr().out


def test_every_core_and_display_package_is_in_the_library_map() -> None:
    known = set(doctor.DEBIAN_PACKAGES.values())
    assert set(doctor.CORE_PACKAGES) <= known and set(doctor.DISPLAY_PACKAGES) <= known



def test_doctor_needs_only_the_standard_library() -> None:
    """It runs with the bare interpreter before any venv exists."""
    tree = ast.parse(Path(doctor.__file__).read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert names - {"__future__"} <= set(sys.stdlib_module_names)
