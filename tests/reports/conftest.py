"""Factory and PDF readers for the report tests.

The factory is the fictional sample data the screenshots use (tools.samples.data), with knobs
for the cases these tests need: a recipient, restricted content in or out, hostile text.
Everything a test asserts about a PDF is read back with pypdf: page text, metadata, outline.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import unicodedata
import zlib
from collections.abc import Callable
from typing import Any

import pypdf
import pytest

from app.models.documents import DocumentContext, MeetingPackData
from app.models.domain import Subject
from tools.samples import data as samples
from tools.samples import documents as docs

HOSTILE = "<b>Robert'); DROP TABLE</b> &amp; <font size=40>x</font> <br/>"


class Pdf:
    """A rendered PDF, read back."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reader = pypdf.PdfReader(io.BytesIO(data))
        self.pages = [
            unicodedata.normalize("NFC", p.extract_text() or "") for p in self.reader.pages
        ]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def metadata(self) -> dict[str, str]:
        return {k: str(v) for k, v in (self.reader.metadata or {}).items()}

    @property
    def lang(self) -> str:
        return str(self.reader.trailer["/Root"].get("/Lang", ""))

    def outline_titles(self) -> list[str]:
        out: list[str] = []

        def walk(items: list[Any]) -> None:
            for it in items:
                if isinstance(it, list):
                    walk(it)
                else:
                    out.append(unicodedata.normalize("NFC", it.title))

        walk(self.reader.outline)
        return out

    def outline_pages(self) -> dict[str, int]:
        pages: dict[str, int] = {}

        def walk(items: list[Any]) -> None:
            for it in items:
                if isinstance(it, list):
                    walk(it)
                else:
                    pages[unicodedata.normalize("NFC", it.title)] = (
                        self.reader.get_destination_page_number(it) + 1
                    )

        walk(self.reader.outline)
        return pages

    def everything(self) -> str:
        """Page text, metadata and outline titles together: where a leak would show."""
        return "\n".join([self.text, *self.metadata.values(), *self.outline_titles()])

    def raw(self) -> bytes:
        """The file with every Flate stream inflated (for PDFs built with compress=False too)."""
        parts = [self.data]
        for obj in self.data.split(b"stream\n")[1:]:
            body = obj.split(b"endstream")[0]
            with contextlib.suppress(zlib.error):
                parts.append(zlib.decompress(body.strip()))
        return b"\n".join(parts)


@pytest.fixture
def read_pdf() -> Callable[[bytes], Pdf]:
    return Pdf


def make_context(**changes: Any) -> DocumentContext:
    return dataclasses.replace(samples.context(), **changes)


def make_pack(
    n_cases: int = 2,
    *,
    with_restricted: bool = False,
    statement: str | None = None,
    **context_changes: Any,
) -> MeetingPackData:
    data = docs.sample_pack(
        n_cases, with_restricted=with_restricted, ctx=make_context(**context_changes)
    )
    if statement is not None:
        data = dataclasses.replace(data, confidentiality_statement=statement)
    return data


def hostile_subject(subject: Subject) -> Subject:
    return dataclasses.replace(subject, forenames=HOSTILE, surname="Tables")


@pytest.fixture
def factory() -> Any:
    """The sample builders, so tests read ``factory.pack(...)``."""

    class F:
        context = staticmethod(make_context)
        pack = staticmethod(make_pack)
        plan = staticmethod(docs.sample_plan)
        minutes = staticmethod(docs.sample_minutes)
        statistics = staticmethod(docs.sample_statistics)
        case_paper = staticmethod(samples.case_paper)
        hostile = staticmethod(hostile_subject)
        today = samples.TODAY
        HOSTILE = HOSTILE

    return F
