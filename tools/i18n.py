"""The translation catalogues, through Babel's API (the same steps as ``pybabel extract/update/
compile``, without a configuration file to keep in step).

    python -m tools.i18n extract   # the template from app/: resources/locale/roundtable.pot
    python -m tools.i18n update    # merge the template into cy/LC_MESSAGES/roundtable.po
    python -m tools.i18n compile   # .po -> .mo for every language (make catalogues)
    python -m tools.i18n check     # missing, obsolete and untranslated entries; exit 1 on any

The ``.po`` is the source of truth and is committed; the ``.mo`` is built (``make catalogues``,
``make dist``, the test suite's set-up) and not committed. See docs/i18n.md.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
LOCALE_DIR = ROOT / "resources" / "locale"
TEMPLATE = LOCALE_DIR / "roundtable.pot"
LANGUAGES = ("cy",)
# Qt-free layers only for now: app/ui's strings join the catalogue when the desktop is wrapped.
METHOD_MAP = [("ui/**.py", "ignore"), ("**.py", "python")]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "roundtable.po"


def extract(app: Path = APP) -> Catalog:
    """Every string passed to ``_``/``N_``/``ngettext``/``pgettext``/``npgettext`` under app/."""
    catalog = Catalog(project="Roundtable", domain="roundtable", charset="utf-8")
    found = extract_from_dir(
        str(app), method_map=METHOD_MAP, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message, None, [(f"app/{filename}", lineno)], auto_comments=comments, context=context
        )
    return catalog


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def write(catalog: Catalog, path: Path, **kwargs: object) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, **kwargs)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())


def _key(message: object) -> tuple[object, object]:
    mid = getattr(message, "id", None)
    return (mid[0] if isinstance(mid, tuple) else mid), getattr(message, "context", None)


@dataclass
class Report:
    missing: list[str] = field(default_factory=list)
    obsolete: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.obsolete or self.untranslated or self.fuzzy)


def check(lang: str, template: Catalog | None = None) -> Report:
    """Compare the language's ``.po`` with a fresh extraction from app/."""
    template = template if template is not None else extract()
    po = read(po_path(lang))
    wanted = {_key(m) for m in template if m.id}
    have = {_key(m) for m in po if m.id}
    report = Report(
        missing=sorted(str(k[0]) for k in wanted - have),
        obsolete=sorted(str(k[0]) for k in have - wanted)
        + sorted(str(_key(m)[0]) for m in po.obsolete.values()),
    )
    for m in po:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(strings):
            report.untranslated.append(str(_key(m)[0]))
        elif m.fuzzy:
            report.fuzzy.append(str(_key(m)[0]))
    return report


def update(lang: str) -> None:
    template = extract()
    write(template, TEMPLATE, omit_header=False)
    path = po_path(lang)
    po = read(path) if path.exists() else Catalog(locale=lang, domain="roundtable")
    po.update(template, no_fuzzy_matching=True)
    write(po, path, ignore_obsolete=True)


def compile_all(*, only_missing: bool = False) -> list[Path]:
    """Write each language's ``.mo`` beside its ``.po`` (atomically: test workers may race)."""
    from app.config.i18n import compile_po

    written = []
    for lang in LANGUAGES:
        po = po_path(lang)
        mo = po.with_suffix(".mo")
        if only_missing and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
        tmp.write_bytes(compile_po(po))
        os.replace(tmp, mo)
        written.append(mo)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.i18n", description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["extract", "update", "compile", "check"])
    args = parser.parse_args(argv)
    if args.action == "extract":
        write(extract(), TEMPLATE)
        print(f"{TEMPLATE.relative_to(ROOT)} written")
    elif args.action == "update":
        for lang in LANGUAGES:
            update(lang)
            print(f"{po_path(lang).relative_to(ROOT)} updated")
    elif args.action == "compile":
        for mo in compile_all():
            print(f"{mo.relative_to(ROOT)} written")
    else:
        bad = False
        for lang in LANGUAGES:
            r = check(lang)
            for kind in ("missing", "obsolete", "untranslated", "fuzzy"):
                for msgid in getattr(r, kind):
                    print(f"{lang}\t{kind}\t{msgid}")
            bad = bad or not r.clean
            print(f"{lang}: {'complete' if r.clean else 'incomplete'}", file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
