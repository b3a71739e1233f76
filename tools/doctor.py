"""``make doctor``: can this machine build and run Roundtable? Standard library only.

Run with the interpreter ``make`` will use (``$(PYTHON)``) before the venv exists: it checks the
Python version and that ``venv``/``ensurepip`` work (Debian and Ubuntu ship them apart, as
``python3.11-venv``). Given ``--venv`` after installing, it also checks that Qt's libraries find
every system library they need (``ldd``) and that ``PySide6.QtGui`` loads; ``--display`` adds the
libraries of Qt's X11 (or, in a Wayland session, Wayland) platform plugin, needed on a real
desktop but not for the offscreen tests.
Whatever is missing is printed as one ``apt-get install`` line. Exit status 1 if anything is.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

MIN_PYTHON = (3, 11)

#: shared library → Debian/Ubuntu package that provides it (Qt 6 wheels' system dependencies)
DEBIAN_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
#: what a bare Debian/Ubuntu needs for the offscreen tests, and in addition for a real display
CORE_PACKAGES = ("libegl1", "libgl1", "libfontconfig1", "libxkbcommon0", "libglib2.0-0")
DISPLAY_PACKAGES = (
    "libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0", "libxcb-xkb1", "libx11-xcb1",
)  # fmt: skip


def python_problems(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> list[str]:
    """Missing Debian packages (or a sentence) for the running interpreter."""
    minor = f"{version[0]}.{version[1]}"
    if tuple(version[:2]) < MIN_PYTHON:
        return [f"python{MIN_PYTHON[0]}.{MIN_PYTHON[1]}"]
    if importlib.util.find_spec("venv") is None or importlib.util.find_spec("ensurepip") is None:
        return [f"python{minor}-venv"]
    return []


def missing_libraries(library: Path) -> list[str]:
    """The sonames ``ldd`` cannot resolve for ``library`` (none if ldd is absent)."""
    ldd = shutil.which("ldd")
    if ldd is None or not library.exists():
        return []
    out = subprocess.run([ldd, str(library)], capture_output=True, text=True, check=False).stdout
    return sorted({ln.split("=>")[0].strip() for ln in out.splitlines() if "not found" in ln})


def qt_directory(venv_python: Path) -> Path | None:
    code = (
        "import importlib.util as u; s = u.find_spec('PySide6'); "
        "print(s.submodule_search_locations[0] if s else '')"
    )
    run = subprocess.run([str(venv_python), "-c", code], capture_output=True, text=True, check=False)
    found = run.stdout.strip()
    return Path(found) / "Qt" if run.returncode == 0 and found else None


def qt_problems(venv_python: Path, *, display: bool) -> tuple[list[str], list[str]]:
    """(Debian packages, other sentences) missing for Qt in the venv."""
    qt = qt_directory(venv_python)
    if qt is None:
        return [], [f"PySide6 is not installed in {venv_python.parent.parent} (run make again)."]
    libraries = [qt / "lib" / "libQt6Gui.so.6", qt / "lib" / "libQt6Widgets.so.6"]
    if display:
        # a Wayland session runs Qt's wayland plugin; X11 (and XWayland) need the xcb one
        plugin = "libqwayland.so" if os.environ.get("WAYLAND_DISPLAY") else "libqxcb.so"
        libraries.append(qt / "plugins" / "platforms" / plugin)
    sonames = sorted({name for lib in libraries for name in missing_libraries(lib)})
    packages = sorted({DEBIAN_PACKAGES[s] for s in sonames if s in DEBIAN_PACKAGES})
    unknown = [s for s in sonames if s not in DEBIAN_PACKAGES]
    other = [f"Qt needs {s}, which is not installed." for s in unknown]
    if not sonames:
        load = subprocess.run(
            [str(venv_python), "-c", "from PySide6 import QtGui, QtWidgets"],
            capture_output=True, text=True, check=False,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip
        if load.returncode != 0:
            last = (load.stderr.strip().splitlines() or ["(no message)"])[-1]
            other.append(f"PySide6.QtGui does not load: {last}")
    return packages, other


def install_line(packages: list[str]) -> str:
    if sys.platform.startswith("linux") and shutil.which("apt-get"):
        return "sudo apt-get install -y " + " ".join(packages)
    return "install the packages that provide: " + ", ".join(packages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="doctor", description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, help="also check Qt in this virtual environment")
    parser.add_argument("--display", action="store_true", help="also check a real display's libraries")
    args = parser.parse_args(argv)
    packages = python_problems()
    other: list[str] = []
    if args.venv is not None and sys.platform.startswith("linux"):
        python = args.venv / "bin" / "python"
        if python.exists():
            qt_packages, other = qt_problems(python, display=args.display)
            packages += qt_packages
    if not packages and not other:
        print(f"doctor: Python {sys.version.split()[0]}, venv" + (", Qt" if args.venv else "") + ": ok")
        return 0
    print("doctor: this machine is missing what Roundtable needs.", file=sys.stderr)
    for sentence in other:
        print(f"  {sentence}", file=sys.stderr)
    if packages:
        print(f"  Install them with:\n    {install_line(packages)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
