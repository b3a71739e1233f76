"""The bundle leaves out numpy and pandas (tools/licenses.py NOT_SHIPPED): every module of the
application imports, and workbooks are read and written, with both made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tools.licenses import NOT_SHIPPED

PROGRAM = textwrap.dedent(
    """
    import importlib, io, pkgutil, sys
    for name in {blocked!r}:
        sys.modules[name] = None  # import raises ImportError, as in the bundle
    import app
    for module in pkgutil.walk_packages(app.__path__, "app."):
        if ".migrations" not in module.name and module.name != "app.__main__":
            importlib.import_module(module.name)
    import openpyxl
    from app.spreadsheets import _sources
    wb = openpyxl.Workbook()
    wb.active.append(["Referral date", "Surname"])
    wb.active.append(["31/01/2026", "Nowak"])
    out = io.BytesIO()
    wb.save(out)
    with _sources.Workbook(out.getvalue()) as book:
        rows = list(book.rows(book.sheet_names[0]))
    assert rows[1] == (2, ("31/01/2026", "Nowak")), rows
    leaked = [n for n in {blocked!r} if sys.modules.get(n) is not None]
    assert not leaked, leaked
    print("ok")
    """
)


@pytest.mark.slow
def test_the_application_needs_neither_numpy_nor_pandas() -> None:
    run = subprocess.run([sys.executable, "-c", PROGRAM.format(blocked=NOT_SHIPPED)],
                         capture_output=True, text=True, check=False, timeout=240,
                         env={"QT_QPA_PLATFORM": "offscreen", "ROUNDTABLE_NO_LOG": "1", "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "ok"


def test_samples_and_benchmarks_are_not_in_the_package() -> None:
    # the package is app* (pyproject.toml); sample data and timings live in tools/ and stay there
    import pkgutil
    import re
    from pathlib import Path

    import app

    names = [m.name for m in pkgutil.walk_packages(app.__path__, "app.")]
    leftovers = [n for n in names if n.rsplit(".", 1)[-1] in {"bench", "samples", "sample_documents"}]
    assert leftovers == []
    importing_tools = re.compile(r"^\s*(from|import)\s+tools\b", re.M)
    root = Path(app.__file__).parent
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if importing_tools.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
