"""`pack`, `plan` and `minutes` from outside: files written, exit codes, and no file on refusal.
(Each refusal's wording, the audit and need-to-know are tested through the service; every call
here is a process that unlocks the store, so this file keeps to what only the command line does.)"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.support.cli import Cli

# measured with --durations=30 on two cores: the command line in child processes, 5-60 s a test
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    c = Cli(tmp_path_factory.mktemp("cli-docs"))
    r = c(
        "init",
        "--name",
        "Ann Coordinator",
        "--agency",
        "Northshire Council",
        "--role",
        "coordinator",
        "--panel",
        "Northshire panel",
    )
    assert r.returncode == 0, r.stderr
    r = c("demo", "--cases", "20", "--seed", "5")
    assert r.returncode == 0, r.stderr
    return c


@pytest.fixture(scope="module")
def panel(cli: Cli) -> dict[str, Any]:
    meetings = json.loads(cli("meetings", "--json").stdout)
    members = json.loads(cli("members", "--json").stdout)
    cases = json.loads(cli("cases", "--json").stdout)
    return {
        "upcoming": next(m for m in meetings if m["status"] == "scheduled")["id"],
        "held": [m for m in meetings if m["status"] == "held"][-1]["id"],
        "members": members,
        "me": next(m for m in members if m["fingerprint"]),
        "officer": next(m for m in members if m["role"] == "officer"),
        "with_plan": next(c["ref"] for c in cases if c["status"] == "support-plan"),
        # a case before the panel has no plan (which early status the seeded demo holds varies)
        "no_plan": next(c["ref"] for c in cases if c["status"] in ("referred", "screening", "gathering")),
    }


def test_pack_plan_minutes(cli: Cli, panel: dict[str, Any], tmp_path: Path):
    mid = panel["upcoming"]
    # One recipient: the meeting and the member by 8-character id prefixes, then by fingerprint.
    one = tmp_path / "one.pdf"
    r = cli("pack", mid[:8], "--recipient", panel["officer"]["id"][:8], "--out", str(one))
    assert r.returncode == 0, r.stderr
    assert len(pypdf.PdfReader(one).pages) > 3 and str(one) in r.stdout
    r = cli(
        "pack", mid, "--recipient", panel["me"]["fingerprint"], "--out", str(tmp_path / "me.pdf")
    )
    assert r.returncode == 0, r.stderr
    # Every member on the distribution.
    folder = tmp_path / "all"
    folder.mkdir()
    r = cli("pack", mid, "--all", "--out-dir", str(folder), "--json")
    assert r.returncode == 0, r.stderr
    written = json.loads(r.stdout)["written"]
    assert len(written) == len(panel["members"]) == len(list(folder.iterdir()))
    assert all(Path(p).parent == folder and Path(p).suffix == ".pdf" for p in written)

    r = cli("plan", panel["with_plan"], "--out", str(tmp_path / "plan.pdf"))
    assert r.returncode == 0 and len(pypdf.PdfReader(tmp_path / "plan.pdf").pages) >= 1, r.stderr
    r = cli("minutes", panel["held"], "--out", str(tmp_path / "s.pdf"), "--summary")
    assert r.returncode == 0 and "Executive summary written" in r.stdout, r.stderr


def test_document_exit_codes(cli: Cli, panel: dict[str, Any], tmp_path: Path):
    mid, officer = panel["upcoming"], panel["officer"]["id"]
    refusals = [
        (
            ("pack", mid, "--recipient", officer, "--out", str(tmp_path / "no" / "x.pdf")),
            "does not exist",
        ),
        (
            ("pack", mid, "--recipient", "ffffffff-none", "--out", str(tmp_path / "a.pdf")),
            "no such member",
        ),
        (("pack", "00000000", "--all", "--out-dir", str(tmp_path)), "no such meeting"),
        (("plan", panel["no_plan"], "--out", str(tmp_path / "p.pdf")), "no plan yet"),
    ]
    for args, words in refusals:
        r = cli(*args)
        assert r.returncode == 1 and words in r.stderr and r.stderr.count("\n") == 1, (
            args,
            r.stderr,
        )
    usage = [
        ("pack", mid, "--out", str(tmp_path / "x.pdf")),  # neither --recipient nor --all
        ("pack", mid, "--all", "--out", str(tmp_path / "x.pdf")),
        ("pack", mid, "--recipient", officer, "--out-dir", str(tmp_path)),
        ("plan", panel["no_plan"]),
    ]
    with ThreadPoolExecutor(4) as pool:  # usage errors never open the store: run side by side
        codes = list(pool.map(lambda a: cli(*a).returncode, usage))
    assert codes == [2] * len(usage)
    assert list(tmp_path.iterdir()) == []


def test_documents_in_welsh_and_bilingual(cli: Cli, panel: dict[str, Any], tmp_path: Path):
    """`--language cy|bilingual` on pack, plan and minutes (issue 17); anything else is a usage
    error that writes nothing."""
    pack = tmp_path / "pecyn.pdf"
    r = cli("pack", panel["upcoming"], "--recipient", panel["officer"]["id"][:8], "--out", str(pack),
            "--language", "cy")
    assert r.returncode == 0, r.stderr
    reader = pypdf.PdfReader(pack)
    first = reader.pages[0].extract_text()
    assert f"Tudalen 1 o {len(reader.pages)}" in first and "Pecyn cyfarfod" in first
    assert "Page 1 of" not in first
    plan = tmp_path / "cynllun.pdf"
    r = cli("plan", panel["with_plan"], "--out", str(plan), "--language", "bilingual")
    assert r.returncode == 0, r.stderr
    text = pypdf.PdfReader(plan).pages[0].extract_text()
    assert text.index("Cynllun rheoli risg") < text.index("Risk-management plan")  # Welsh first
    minutes = tmp_path / "cofnodion.pdf"
    r = cli("minutes", panel["held"], "--out", str(minutes), "--summary", "--language", "cy")
    assert r.returncode == 0, r.stderr
    assert "Crynodeb gweithredol" in pypdf.PdfReader(minutes).pages[0].extract_text()
    bad = tmp_path / "bad.pdf"
    r = cli("plan", panel["with_plan"], "--out", str(bad), "--language", "fr")
    assert r.returncode == 2 and not bad.exists()
