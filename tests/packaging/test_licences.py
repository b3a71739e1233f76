"""The committed resources/THIRD-PARTY-LICENSES.txt agrees with what is installed (the lock): every
runtime distribution at its version, with a licence text; nothing the bundle leaves out."""

from __future__ import annotations

import re

from app.config.identity import third_party_licences
from tools import licenses


def _summary() -> dict[str, str]:
    text = third_party_licences()
    head = text.split("\n\n\n", 1)[0]
    return {m.group(1): m.group(2) for m in re.finditer(r"^  (\S+)\s+(\S+)\s", head, re.M)}


def test_every_shipped_distribution_is_listed_at_its_installed_version() -> None:
    listed = _summary()
    shipped = licenses.shipped_distributions()
    assert len(shipped) > 20
    for dist in shipped:
        name = dist.metadata["Name"]
        assert listed.get(name) == dist.version, (
            f"{name} {dist.version} is installed but THIRD-PARTY-LICENSES.txt lists "
            f"{listed.get(name)}: run `make dist` (tools/licenses.py) and commit the file"
        )


def test_the_regional_returns_and_the_viewers_libraries_are_listed_with_their_native_code() -> None:
    listed = {name.lower() for name in _summary()}
    assert {"pandas", "numpy", "pypdfium2", "pypdf"} <= listed
    text = third_party_licences()
    # numpy.libs: OpenBLAS (with LAPACK), the GCC runtime, libquadmath (LGPL-2.1, from installer/)
    for needle in (
        "Name: OpenBLAS",
        "Name: LAPACK",
        "GCC RUNTIME LIBRARY EXCEPTION",
        "libquadmath (GCC), in numpy.libs",
        "GNU LESSER GENERAL PUBLIC LICENSE\n                       Version 2.1",
    ):
        assert needle in text, needle
    # libpdfium's own components, from pypdfium2's dist-info/licenses/ (names without LICENSE)
    for needle in (
        "BUILD_LICENSES/freetype.txt",
        "BUILD_LICENSES/pdfium.txt",
        "LICENSES/BSD-3-Clause.txt",
    ):
        assert needle in text, needle


def test_each_component_has_its_text() -> None:
    text = third_party_licences()
    sections = text.split("\n" + "#" * 72 + "\n# ")[1:]
    assert len(sections) >= len(_summary()) - 1
    for section in sections:
        assert "\n--- " in section, section.splitlines()[0]
