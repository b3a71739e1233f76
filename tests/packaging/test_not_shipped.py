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
