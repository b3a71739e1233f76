"""A withheld agenda item is in no section of the pack's agenda (docs/reports.md, "Agenda
numbering"): the recipient reads its number and "Not shared with your agency", and no heading
over it says what kind of item it is. Read back from the PDF with pypdf."""

from __future__ import annotations

import re
import unicodedata

import pytest

from app.config.i18n import Language, _, using_language
from app.models.enums import AgendaKind
from app.reports.pack import render_meeting_pack
from app.reports.parts import programme_text
from app.reports.parts import withheld as withheld_text
from tools.samples.documents import sample_pack_copies

# the need-to-know layout holds in every language a pack can be printed in (issue 17)
LANGUAGES = pytest.mark.parametrize("language", list(Language), ids=[x.value for x in Language])


def _agenda_lines(pdf, language: Language) -> list[str]:  # type: ignore[no-untyped-def]
    """The lines of the agenda page below its "Agenda" heading as a reader meets them (pypdf's
    layout mode keeps each printed line one line: a number and its text together)."""
    with using_language(language):
        agenda, contents = _("Agenda"), _("Contents")
    at = next(
        i for i, t in enumerate(pdf.pages)
        if re.search(rf"^{re.escape(agenda)}\s*$", t, re.M) and contents not in t
    )
    page = unicodedata.normalize("NFC", pdf.reader.pages[at].extract_text(extraction_mode="layout"))
    lines = [" ".join(x.split()) for x in page.splitlines() if x.strip()]
    return lines[lines.index(agenda) + 1:]


def _withheld(language: Language) -> str:
    with using_language(language):
        return withheld_text()


@LANGUAGES
def test_a_withheld_item_has_its_number_and_no_section_heading_over_it(read_pdf, language) -> None:
    _chair, housing = sample_pack_copies()
    prog = housing.context.programme
    with using_language(language):
        sections = {programme_text(prog, prog.agenda_label(k)) for k in AgendaKind}  # "New referrals", …
        kinds = {line.number: programme_text(prog, prog.agenda_label(line.item.kind, item=True))
                 for line in housing.agenda if line.item}
    WITHHELD = _withheld(language)
    lines = _agenda_lines(read_pdf(render_meeting_pack(housing, language=language)), language)
    withheld = [i for i, x in enumerate(lines) if WITHHELD in x]
    assert [lines[i] for i in withheld] == [f"2 {WITHHELD}", f"4 {WITHHELD}"]
    for i in withheld:
        # between the page's "Agenda" (which every item shares) and the withheld line, no heading
        # names a kind: nothing over the line groups it with items of one kind
        assert not [x for x in lines[:i] if x in sections], lines[:i]
    # the shared items keep the meeting's numbers and each names its own kind on its own line
    shared = {int(m.group(1)): m.group(0) for x in lines if (m := re.match(r"^(\d+) (RT-\S+|Panel).*$", x))}
    assert sorted(shared) == [1, 3, 5]
    # (a bilingual kind wraps in its column: its Welsh, first, is on the item's line)
    first = {n: k.split(" / ")[0] for n, k in kinds.items()}
    assert all(shared[n].endswith(kinds[n]) or first[n] in shared[n] for n in shared), shared


@LANGUAGES
def test_every_copy_lays_out_the_agenda_alike(read_pdf, language) -> None:
    """The chair's complete copy has the same lines for the items both may see, and no headings
    by kind either: the layout does not change with what a copy withholds."""
    chair, housing = sample_pack_copies()
    prog = chair.context.programme
    with using_language(language):
        sections = {programme_text(prog, prog.agenda_label(k)) for k in AgendaKind}
    WITHHELD = _withheld(language)
    c = _agenda_lines(read_pdf(render_meeting_pack(chair, language=language)), language)
    h = _agenda_lines(read_pdf(render_meeting_pack(housing, language=language)), language)
    assert not [x for x in c if x in sections]
    numbered = re.compile(r"^(\d+) ")
    both = [x for x in h if numbered.match(x) and WITHHELD not in x]
    assert both and all(x in c for x in both)
    assert sorted(int(m.group(1)) for x in c if (m := numbered.match(x))) == [1, 2, 3, 4, 5]
