"""What installer/roundtable.spec puts in the bundle: every runtime dependency (pandas and numpy
for the regional return included), PDFium's native library, which PyInstaller's analysis cannot
see; and should pandas or numpy fail to load, only the regional return is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tools import licenses

SPEC = licenses.ROOT / "installer" / "roundtable.spec"
BLOCKED = ("pandas", "numpy")

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
    from app.spreadsheets import region
    assert region.AVAILABLE is False  # region report is refused in one sentence (tests/region)
    print("ok")
    """
)


def test_the_spec_ships_pandas_and_numpy() -> None:
    spec = SPEC.read_text(encoding="utf-8")
    excludes = spec.split("excludes=", 1)[1].split("\n", 1)[0]
    assert "pandas" not in excludes and "numpy" not in excludes and "NOT_SHIPPED" not in spec
    shipped = {licenses.canonical(d.metadata["Name"]) for d in licenses.shipped_distributions()}
    assert {"pandas", "numpy", "pypdfium2", "pypdf"} <= shipped


def test_the_spec_collects_pdfium_and_pypdf() -> None:
    # libpdfium is loaded by path through ctypes (pypdfium2_raw): the spec must name it itself
    spec = SPEC.read_text(encoding="utf-8")
    assert 'binaries=collect_dynamic_libs("pypdfium2_raw")' in spec
    assert 'collect_data_files("pypdfium2_raw")' in spec
    hidden = spec.split("hiddenimports=", 1)[1].split("\n", 1)[0]
    for module in ("pypdfium2", "pypdfium2_raw", "pypdf"):
        assert f'"{module}"' in hidden


def test_pdfium_is_a_library_the_collection_finds() -> None:
    # what collect_dynamic_libs("pypdfium2_raw") picks up: the shared library beside the package
    from pathlib import Path

    import pypdfium2_raw

    libraries = [p.name for p in Path(pypdfium2_raw.__file__).parent.iterdir()
                 if p.suffix in {".so", ".dll", ".dylib"}]  # fmt: skip
    assert any("pdfium" in name for name in libraries), libraries


@pytest.mark.slow
def test_the_application_runs_without_pandas_and_numpy_but_the_regional_return() -> None:
    # they ship, but an installation that cannot load them (numpy's native code refused) still
    # opens, imports and reads workbooks; app.spreadsheets.region reports itself unavailable
    run = subprocess.run([sys.executable, "-c", PROGRAM.format(blocked=BLOCKED)],
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
