"""Write ``resources/THIRD-PARTY-LICENSES.txt``: every third-party component a Roundtable package
ships, with its version, licence and the full licence texts. ``make dist`` runs it with the build
venv's Python before PyInstaller (``python -m tools.licenses``), so the file always describes what is
in the bundle; the committed copy was made the same way from ``constraints.txt``.

Python distributions come from the installed metadata (the dependency closure of ``roundtable``,
all of which ships, pandas and numpy included); the rest — the interpreter, Qt inside PySide6, SQLCipher and
OpenSSL inside sqlcipher3, PyInstaller's bootloader, the Noto fonts — are added here with texts
from ``installer/licenses/``. The output has no date in it: the same set gives the same bytes.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import re
import sys
import sysconfig
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "resources" / "THIRD-PARTY-LICENSES.txt"
TEXTS = ROOT / "installer" / "licenses"

_LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)
#: PEP 639: every file under ``*.dist-info/licenses/`` is a licence text, whatever its name (pypdfium2's
#: BUILD_LICENSES/freetype.txt, LICENSES/BSD-3-Clause.txt, … for the libraries inside libpdfium)
_LICENCE_DIR = ".dist-info/licenses/"

#: components inside a distribution that carry no licence file for them (name, licence, texts)
BUILT_IN: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "pyside6-essentials": [("Qt 6 libraries and plugins (The Qt Company)", "LGPL-3.0-only",
                            ("LGPL-3.0.txt", "GPL-3.0.txt"))],
    "shiboken6": [("Shiboken 6 (The Qt Company)", "LGPL-3.0-only", ("LGPL-3.0.txt", "GPL-3.0.txt"))],
    # numpy's LICENSE.txt has the texts of what numpy.libs holds (OpenBLAS with LAPACK, and the GCC
    # runtime under GPL-3.0 with its exception) but only the notice of libquadmath's LGPL-2.1
    "numpy": [("libquadmath (GCC), in numpy.libs", "LGPL-2.1-or-later", ("LGPL-2.1.txt",))],
    "sqlcipher3": [("SQLCipher (Zetetic LLC), built into sqlcipher3", "BSD-3-Clause",
                    ("SQLCipher.txt",)),
                   ("SQLite, built into SQLCipher", "blessing (public domain)", ("SQLite.txt",)),
                   ("OpenSSL 3 libcrypto, built into sqlcipher3", "Apache-2.0", ("Apache-2.0.txt",))],
}  # fmt: skip
QT_NOTE = (
    "Qt itself contains third-party code (for example ICU, HarfBuzz, PCRE2, zlib, libpng), each "
    "under its own licence; Qt lists them at https://doc.qt.io/qt-6/licenses-used-in-qt.html. "
    "You may replace the Qt libraries in this package with your own build (LGPL-3.0, section 4): "
    "they are the libQt6*.so / Qt6*.dll files beside the program."
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Component:
    name: str
    version: str
    licence: str
    home: str = ""
    texts: list[tuple[str, str]] = field(default_factory=list)  # (title, text)


def shipped_distributions(root: str = "roundtable", *, bundle: bool = False) -> list[md.Distribution]:
    """``root``'s runtime dependency closure (no extras); with ``bundle`` also PyInstaller, whose
    bootloader is part of every executable."""
    seen: dict[str, md.Distribution] = {}
    todo = [root] + (["pyinstaller"] if bundle else [])
    while todo:
        name = todo.pop()
        key = canonical(name)
        if key in seen:
            continue
        dist = md.distribution(name)
        seen[key] = dist
        if key == "pyinstaller":
            continue  # its own dependencies run at build time only
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return [d for k, d in sorted(seen.items()) if k != canonical(root)]


#: where the metadata says too little: the licence as its texts state it
LICENCE_OVERRIDES = {
    "pyinstaller": "GPL-2.0-or-later WITH Bootloader-exception (the bootloader in every executable)",
    "sqlcipher3": "Zlib",
}


def _licence_of(dist: md.Distribution) -> str:
    meta: Any = dist.metadata
    if canonical(meta["Name"]) in LICENCE_OVERRIDES:
        return LICENCE_OVERRIDES[canonical(meta["Name"])]
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    licence = (meta.get("License") or "").strip()
    if licence and len(licence) < 80 and "\n" not in licence:
        return licence
    return "; ".join(classifiers) or "see the text below"


def _home_of(dist: md.Distribution) -> str:
    meta: Any = dist.metadata
    if meta.get("Home-page"):
        return str(meta["Home-page"])
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "source code", "repository"}:
            return url.strip()
    return ""


def _text(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


def python_component() -> Component:
    version = sys.version.split()[0]
    candidates = [Path(sys.base_prefix) / "LICENSE.txt", Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"]
    texts = [("LICENSE", p.read_text(encoding="utf-8")) for p in candidates[1:] + candidates[:1] if p.exists()][:1]
    if not texts:
        raise SystemExit("The Python interpreter's LICENSE.txt was not found; it must ship.")
    return Component("Python (the interpreter and standard library)", version, "PSF-2.0",
                     "https://www.python.org/", texts)  # fmt: skip


def components(*, bundle: bool) -> list[Component]:
    found: list[Component] = []
    if bundle:
        found.append(python_component())
    for dist in shipped_distributions(bundle=bundle):
        name = dist.metadata["Name"]
        comp = Component(name, dist.version, _licence_of(dist), _home_of(dist))
        for f in sorted(dist.files or [], key=str):
            if ".dist-info" in str(f) and (_LICENCE_DIR in str(f) or _LICENCE_FILE.search(f.name)):
                text = Path(f.locate()).read_bytes().decode("utf-8", errors="replace")
                comp.texts.append((str(f).split(".dist-info/", 1)[1], text))
        built_in = BUILT_IN.get(canonical(name), [])
        if not comp.texts and built_in:
            comp.texts.append(("licence", f"The texts are under {built_in[0][0]} below."))
        found.append(comp)
        for title, licence, files in built_in:
            found.append(Component(title, f"(in {name} {dist.version})", licence, "",
                                   [(t, _text(t)) for t in files]))  # fmt: skip
    fonts = ROOT / "resources" / "fonts" / "OFL.txt"
    found.append(Component("Noto Sans fonts", "(resources/fonts)", "OFL-1.1",
                           "https://notofonts.github.io/", [("OFL.txt", fonts.read_text(encoding="utf-8"))]))  # fmt: skip
    missing = [c.name for c in found if not c.texts and "public domain" not in c.licence]
    if missing:
        raise SystemExit(f"No licence text found for: {', '.join(missing)}")
    return found


def render(found: list[Component], version: str) -> str:
    lines = [
        f"Roundtable {version}: third-party software in this package",
        "=" * 72,
        "",
        "Roundtable includes the components below. Each is used under its own licence; the full",
        "texts follow the list. Generated by tools/licenses.py from the installed packages.",
        "",
        *textwrap.wrap(QT_NOTE, 96),
        "",
    ]
    width = max(len(c.name) for c in found)
    vwidth = max(len(c.version) for c in found)
    lines += [f"  {c.name:<{width}}  {c.version:<{vwidth}}  {c.licence}" for c in found]
    for comp in found:
        lines += ["", "", "#" * 72, f"# {comp.name} {comp.version}", f"# Licence: {comp.licence}"]
        if comp.home:
            lines.append(f"# {comp.home}")
        lines.append("#" * 72)
        for title, text in comp.texts:
            lines += ["", f"--- {title} ---", "", text.rstrip()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools.licenses", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--no-bundle", action="store_true",
                        help="leave out the interpreter and PyInstaller (a plain pip install)")  # fmt: skip
    args = parser.parse_args(argv)
    found = components(bundle=not args.no_bundle)
    text = render(found, md.version("roundtable"))
    args.out.write_text(text, encoding="utf-8")
    print(f"licences: {len(found)} components, {len(text) // 1024} KiB → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
