"""Render the application icon from its SVG master: ``python -m tools.icons``.

``resources/icons/app/roundtable.svg`` → ``resources/icons/hicolor/NxN/apps/roundtable.png`` (the
freedesktop layout, installed as is under /usr/share/icons) and ``resources/icons/roundtable.ico``
(Windows: every size in one file, for the executables, the MSI and its shortcut). The outputs are
committed; run this again after changing the master. Qt renders (QtSvg), Pillow packs the .ico.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
MASTER = ICONS / "app" / "roundtable.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        raise SystemExit(f"{MASTER} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, b"PNG")
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    pngs = {size: render(size) for size in SIZES}
    for size, data in pngs.items():
        target = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "roundtable.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    scalable = ICONS / "hicolor" / "scalable" / "apps" / "roundtable.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MASTER, scalable)
    largest = Image.open(io.BytesIO(pngs[256]))
    frames = [Image.open(io.BytesIO(pngs[s])) for s in ICO_SIZES]
    largest.save(ICONS / "roundtable.ico", format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                 append_images=frames)  # fmt: skip
    print(f"icons: {len(pngs)} PNGs, roundtable.svg and roundtable.ico in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
