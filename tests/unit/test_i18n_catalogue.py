"""The Welsh catalogue against the code (issue 17): no entry missing or obsolete against a fresh
extraction from app/, every entry translated, the placeholders of each translation the same as its
English; and a scan of the report builders that fails when a user-facing string literal bypasses
the translation layer."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tools import i18n as catalogues

REPORTS = Path(__file__).resolve().parents[2] / "app" / "reports"
# Report modules whose strings are not yet wrapped (issue 17, what is left): the scan below proves
# each still has bare strings, so a module leaves this list when it is wrapped, and no other
# module may gain one.
NOT_YET_WRAPPED = {"subject_access.py", "disclosures.py", "pack_appendix.py"}
# Literals that reach a PDF but are not words to translate: names of things, not text.
NOT_TEXT = {
    "Roundtable",  # the product's name (PDF /Creator)
    "Roundtable (ReportLab)",  # PDF /Producer
}
TRANSLATING = {"_", "N_", "gettext", "ngettext", "pgettext", "npgettext"}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def test_the_welsh_catalogue_has_no_missing_or_obsolete_entries() -> None:
    report = catalogues.check("cy")
    assert report.missing == [], "run `python -m tools.i18n update` and translate the new entries"
    assert report.obsolete == [], "run `python -m tools.i18n update` to drop them"


def test_every_welsh_entry_is_translated() -> None:
    """The listing of untranslated strings (`python -m tools.i18n check`) is empty."""
    report = catalogues.check("cy")
    assert report.untranslated == [] and report.fuzzy == []


def test_the_check_lists_what_is_missing_obsolete_and_untranslated(tmp_path: Path) -> None:
    """The check itself finds each kind of fault (a check that cannot fail proves nothing)."""
    src = tmp_path / "app"
    src.mkdir()
    (src / "m.py").write_text(
        'from app.config.i18n import _\nA = _("Kept")\nB = _("New")\nC = _("Blank")\n',
        encoding="utf-8",
    )
    template = catalogues.extract(src)
    po = tmp_path / "cy.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Kept"\nmsgstr "Cadw"\n\nmsgid "Blank"\nmsgstr ""\n\nmsgid "Gone"\nmsgstr "Wedi mynd"\n',
        encoding="utf-8",
    )
    original = catalogues.po_path
    catalogues.po_path = lambda lang: po  # type: ignore[assignment]
    try:
        report = catalogues.check("cy", template)
    finally:
        catalogues.po_path = original  # type: ignore[assignment]
    assert report.missing == ["New"]
    assert report.obsolete == ["Gone"]
    assert report.untranslated == ["Blank"]


def test_each_translation_keeps_the_placeholders_of_its_english() -> None:
    """A translation that drops or misspells ``{when}`` would print the wrong thing or fail."""
    bad = []
    for m in catalogues.read(catalogues.po_path("cy")):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for form, text in enumerate(strings):
            got = set(PLACEHOLDER.findall(text))
            # a plural's "zero" form may say "Dim …" without the number
            allowed = wanted - {"{n}"} if len(strings) > 1 and form == 0 else wanted
            if not (allowed <= got <= wanted):
                bad.append((ids[0], form, text))
    assert bad == []


def _looks_like_words(text: str) -> bool:
    """English a reader would read: after markup and placeholders, two or more words, or one
    capitalised word. Style names ("small"), table commands ("VALIGN") and symbols are not."""
    text = re.sub(r"<[^>]*>|&[a-z]+;|\{[^}]*\}", " ", text)
    words = re.findall(r"[A-Za-z][a-z]+|[A-Z]{2,}", text)
    if not words:
        return False
    if len(words) == 1:
        w = words[0]
        return len(w) >= 3 and w[0].isupper() and not w.isupper()  # "Cc" is a Unicode category
    return " " in text.strip()


def bare_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal in ``path`` that looks like words and is neither a
    docstring nor inside a call to the translation layer."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            skip.add(id(first.value))  # a docstring
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in TRANSLATING:
                skip.update(id(n) for n in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skip
            and node.value not in NOT_TEXT
            and _looks_like_words(node.value)
        ):
            found.append((node.lineno, node.value))
    return sorted(found)


def test_the_scan_finds_a_bare_string_and_passes_a_wrapped_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Docstring: not printed."""\n'
        'from app.config.i18n import _\n'
        'def f(P, M):\n'
        '    P("Not recorded", "small")\n'
        '    P(_("Contents"), "h1")\n'
        '    M(f"<b>Objective {1}.</b>")\n'
        '    M("<br/>", "VALIGN")\n',
        encoding="utf-8",
    )
    texts = [t for _line, t in bare_strings(sample)]
    assert "Not recorded" in texts and "<b>Objective " in texts
    assert not [t for t in texts if t in ("Contents", "small", "VALIGN", "<br/>")]


@pytest.mark.parametrize(
    "module", sorted(p.name for p in REPORTS.glob("*.py") if p.name not in NOT_YET_WRAPPED)
)
def test_report_builders_print_no_bare_strings(module: str) -> None:
    assert bare_strings(REPORTS / module) == []


@pytest.mark.parametrize("module", sorted(NOT_YET_WRAPPED))
def test_the_modules_not_yet_wrapped_still_need_it(module: str) -> None:
    """When one is wrapped, take it off NOT_YET_WRAPPED so the scan above guards it."""
    assert bare_strings(REPORTS / module) != []
