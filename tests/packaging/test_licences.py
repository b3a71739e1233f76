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


def test_what_the_bundle_leaves_out_is_not_listed_and_the_spec_excludes_it() -> None:
    listed = {name.lower() for name in _summary()}
    spec = (licenses.ROOT / "installer" / "roundtable.spec").read_text(encoding="utf-8")
    for name in licenses.NOT_SHIPPED:
        assert name not in listed
    assert "NOT_SHIPPED" in spec


def test_each_component_has_its_text() -> None:
    text = third_party_licences()
    sections = text.split("\n" + "#" * 72 + "\n# ")[1:]
    assert len(sections) >= len(_summary()) - 1
    for section in sections:
        assert "\n--- " in section, section.splitlines()[0]
