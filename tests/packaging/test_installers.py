"""The installer sources generated from the bundle and the parser: WiX file list, nFPM config,
man page and bash completion (the packages themselves are built and run by `make dist-check`)."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.cli.main import build_parser
from tools import manpage, package, wix

WIX = "{http://schemas.microsoft.com/wix/2006/wi}"


def _bundle(root: Path) -> Path:
    bundle = root / "Roundtable"
    for name in ("roundtable.exe", "roundtable-gui.exe", "_internal/base_library.zip",
                 "_internal/PySide6/Qt6Core.dll", "_internal/resources/fonts/Noto Sans.ttf"):  # fmt: skip
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_bytes(name.encode())
    return bundle


def test_harvest_lists_every_file_with_stable_guids(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    first = ET.parse(wix.harvest(bundle, tmp_path / "a.wxs")).getroot()
    (bundle / "_internal" / "new.dll").write_bytes(b"x")
    second = ET.parse(wix.harvest(bundle, tmp_path / "b.wxs")).getroot()
    files = {f.get("Source") for f in first.iter(f"{WIX}File")}
    assert files == {f"$(var.SourceDir)/{p.relative_to(bundle).as_posix()}"
                     for p in bundle.rglob("*") if p.is_file() and p.name != "new.dll"}  # fmt: skip
    guids_a = {c.get("Id"): c.get("Guid") for c in first.iter(f"{WIX}Component")}
    guids_b = {c.get("Id"): c.get("Guid") for c in second.iter(f"{WIX}Component")}
    assert len(guids_b) == len(guids_a) + 1 and guids_a.items() <= guids_b.items()
    refs = {r.get("Id") for r in second.iter(f"{WIX}ComponentRef")}
    assert refs == set(guids_b)
    for element in second.iter():
        if element.get("Id"):
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,71}", element.get("Id") or "")


def test_wix_source_is_whole() -> None:
    root = ET.parse(wix.SOURCE).getroot()
    product = root.find(f"{WIX}Product")
    assert product is not None and product.get("Version") == "$(var.Version)"
    assert product.get("UpgradeCode") == "6F3C2B7A-2D4E-4E8B-9A51-7B0E1C9D2F40"
    assert root.find(f".//{WIX}Package").get("InstallScope") == "perMachine"  # type: ignore[union-attr]
    assert root.find(f".//{WIX}MajorUpgrade") is not None
    shortcut = root.find(f".//{WIX}Shortcut")
    assert shortcut is not None and shortcut.get("Icon") == "roundtable.ico"
    assert shortcut.get("Target", "").endswith("roundtable-gui.exe")
    assert {r.get("Id") for r in root.iter(f"{WIX}ComponentGroupRef")} == {"RoundtableFiles"}
    assert wix.version() == package.version()


def test_package_contents_and_depends(tmp_path: Path) -> None:
    config = package.config(tmp_path)
    destinations = {c["dst"] for c in config["contents"]}  # type: ignore[attr-defined, index]
    for dst in ("/opt/roundtable", "/usr/bin/roundtable", "/usr/bin/roundtable-gui",
                "/usr/share/applications/roundtable.desktop",
                "/usr/share/metainfo/uk.gov.roundtable.metainfo.xml",
                "/usr/share/icons/hicolor/48x48/apps/roundtable.png",
                "/usr/share/icons/hicolor/scalable/apps/roundtable.svg",
                "/usr/share/man/man1/roundtable.1.gz",
                "/usr/share/bash-completion/completions/roundtable",
                "/usr/share/doc/roundtable/THIRD-PARTY-LICENSES"):  # fmt: skip
        assert dst in destinations, dst
    assert {"libegl1", "libxcb-cursor0", "libxkbcommon-x11-0"} <= set(config["depends"])  # type: ignore[arg-type]
    desktop = (package.LINUX / "roundtable.desktop").read_text(encoding="utf-8")
    assert "\nExec=roundtable-gui\n" in desktop and "\nIcon=roundtable\n" in desktop


def test_man_page_and_completion_cover_every_command() -> None:
    parser = build_parser()
    page = manpage.manpage(parser)
    completion = manpage.bash_completion(parser)
    names = [name for name, _, _ in manpage._subcommands(parser)]
    assert len(names) > 10
    for name in names:
        assert f".SS {name}\n" in page
        assert f"        {name}) opts=" in completion
    assert "ROUNDTABLE_STORE" in page and "\\-\\-passphrase\\-file" in page


def test_completion_is_valid_bash(tmp_path: Path) -> None:
    if subprocess.run(["bash", "--version"], capture_output=True, check=False).returncode != 0:
        pytest.skip("no bash")
    script = tmp_path / "roundtable.bash"
    script.write_text(manpage.bash_completion(build_parser()), encoding="utf-8")
    probe = (f"source {script}; COMP_WORDS=(roundtable pa); COMP_CWORD=1; _roundtable; "
             "echo ${COMPREPLY[@]}")  # fmt: skip
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout
    commands = [name for name, _, _ in manpage._subcommands(build_parser())]
    assert sorted(out.split()) == sorted(n for n in commands if n.startswith("pa"))
    assert {"pack", "passphrase", "partner", "partners"} <= set(out.split())
