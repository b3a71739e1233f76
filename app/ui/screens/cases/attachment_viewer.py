"""Showing an attached PDF or image inside Roundtable, from memory (issue 16).

Job: a window that shows the content the store worker handed over (``attachments.open_attachment``,
audited as a view) page by page: a PDF is opened from the bytes in memory with PDFium
(``pypdfium2``: ``FPDF_LoadMemDocument``) and each page rendered to a ``QImage`` as it is shown;
an image is decoded with ``QImage.fromData``.

Invariants: nothing is ever written to a file, temporary or not -- no path is handed to any
library; the bytes live in this window and go with it (closing the window drops them). Types
other than PDF and images never reach this window (the service refuses them: they are only
saved as a copy).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.models.attachments import Attachment, size_text
from app.ui.widgets.common import MarkingBanner
from app.ui.widgets.plain import PlainLabel

RENDER_SCALE = 1.5  # 108 dpi: readable on a laptop screen without a huge bitmap per page


class PdfPages:
    """A PDF opened from bytes in memory; renders one page at a time to a ``QImage``."""

    def __init__(self, data: bytes) -> None:
        import pypdfium2  # the PDFium engine; imported only when a PDF is shown

        self._data = data  # PDFium reads from this buffer: it must outlive the document
        try:
            self._doc: Any = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            raise ValueError("This PDF cannot be shown: it is damaged or of a kind PDFium cannot read.") from exc
        self.count = len(self._doc)

    def page(self, index: int, scale: float = RENDER_SCALE) -> QImage:
        page = self._doc[index]
        try:
            # BGRx, 4 bytes a pixel: QImage's RGB32 on little-endian; copied out of PDFium's buffer
            bitmap = page.render(scale=scale, prefer_bgrx=True)
            try:
                image = QImage(memoryview(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride,
                               QImage.Format.Format_RGB32).copy()
            finally:
                bitmap.close()
        finally:
            page.close()
        return image

    def close(self) -> None:
        self._doc.close()


class AttachmentViewer(QDialog):
    """Shows one PDF (page by page) or image; the bytes are held only by this window."""

    def __init__(self, attachment: Attachment, data: bytes, parent: QWidget | None = None, *,
                 marking: str = "OFFICIAL-SENSITIVE") -> None:
        super().__init__(parent)
        self.setObjectName("AttachmentViewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{attachment.filename} — Roundtable")
        self.attachment = attachment
        self.pdf: PdfPages | None = None
        self.index = 0
        v = QVBoxLayout(self)
        # the case's protective marking top and bottom, as on the main window: a window showing
        # case material carries it wherever it is moved
        v.addWidget(MarkingBanner(marking))
        head = QHBoxLayout()
        head.addWidget(PlainLabel(f"{attachment.filename} · {size_text(attachment.size)}",
                                  object_name="FieldLabel"))
        head.addStretch(1)
        self.prev_button = QPushButton("◀ &Previous page")
        self.next_button = QPushButton("&Next page ▶")
        self.page_label = PlainLabel("", accessible="Page")
        for w in (self.prev_button, self.page_label, self.next_button):
            head.addWidget(w)
        v.addLayout(head)
        self.canvas = QLabel()
        self.canvas.setObjectName("AttachmentPage")
        self.canvas.setAccessibleName("Attachment page")
        self.canvas.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.canvas)
        scroll.setWidgetResizable(True)
        v.addWidget(scroll, 1)
        self.error = PlainLabel("", wrap=True, object_name="InlineError")
        v.addWidget(self.error)
        v.addWidget(MarkingBanner(marking))
        self.prev_button.clicked.connect(lambda: self.show_page(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.index + 1))
        for keys, step in ((QKeySequence.StandardKey.MoveToPreviousPage, -1),
                           (QKeySequence.StandardKey.MoveToNextPage, 1)):
            QShortcut(keys, self).activated.connect(lambda s=step: self.show_page(self.index + s))
        self._fit_to_screen(940, 1000)
        if attachment.is_pdf:
            try:
                self.pdf = PdfPages(data)
            except (ValueError, ImportError) as exc:
                self._fail(str(exc) if isinstance(exc, ValueError) else
                           "PDFs cannot be shown in this installation: save a copy to open it.")
                return
            self.show_page(0)
        else:
            image = QImage.fromData(data)
            if image.isNull():
                self._fail("This image cannot be shown: it is damaged or of a kind Roundtable cannot read.")
                return
            self.canvas.setPixmap(QPixmap.fromImage(image))
            self.page_label.setText("")
            self.prev_button.hide()
            self.next_button.hide()

    def _fit_to_screen(self, width: int, height: int) -> None:
        """At most the size asked, and never larger than the screen it opens on (a 1280x720
        laptop): the page buttons and the lower marking stay on screen."""
        parent = self.parentWidget()
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(width, height)
            return
        room = screen.availableGeometry()
        # a page wide unless the window behind is narrower; never taller than the screen
        wide = parent.window().width() if parent is not None else room.width()
        self.resize(min(width, wide - 40), min(height, room.height() - 60))

    @property
    def page_count(self) -> int:
        return self.pdf.count if self.pdf is not None else (1 if self.canvas.pixmap() else 0)

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.prev_button.setEnabled(False)
        self.next_button.setEnabled(False)

    def show_page(self, index: int) -> None:
        if self.pdf is None or not 0 <= index < self.pdf.count:
            return
        self.index = index
        self.canvas.setPixmap(QPixmap.fromImage(self.pdf.page(index)))
        self.page_label.setText(f"Page {index + 1} of {self.pdf.count}")
        self.prev_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < self.pdf.count - 1)

    def done(self, result: int) -> None:
        if self.pdf is not None:
            self.pdf.close()
            self.pdf = None
        super().done(result)
