"""`retention`, `purge` and `sar` from outside: output, exit codes, nothing changed on refusal.
(The rules themselves are tested through the services; each call here is a process.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.support.cli import Cli

# measured with --durations=30 on two cores: the command line in child processes, 5-60 s a test
pytestmark = pytest.mark.slow

LATER = {"ROUNDTABLE_TODAY": "2030-06-01"}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    c = Cli(tmp_path_factory.mktemp("cli-records"))
    r = c("init", "--name", "Ann Coordinator", "--agency", "Northshire Council",
          "--role", "coordinator", "--panel", "Northshire panel")
    assert r.returncode == 0, r.stderr
    r = c("demo", "--cases", "20", "--seed", "5")
    assert r.returncode == 0, r.stderr
    return c


@pytest.fixture(scope="module")
def closed(cli: Cli) -> list[dict[str, Any]]:
    r = cli("retention", "--json", "--within", "3000")
    assert r.returncode == 0, r.stderr
    items = json.loads(r.stdout)
    assert len(items) >= 2
    return items  # type: ignore[no-any-return]


def test_retention_listing(cli: Cli, closed: list[dict[str, Any]]):
    r = cli("retention", "--json")  # today 30/11/2026: nothing closed that long ago in the demo
    assert r.returncode == 0 and json.loads(r.stdout) == []
    item = closed[0]
    assert {"case_id", "ref", "subject_name", "outcome", "closed", "due"} <= set(item)
    r = cli("retention", env=LATER)
    assert r.returncode == 0 and item["ref"] in r.stdout and "Delete from" in r.stdout
    r = cli("retention", "--within", "-1")
    assert r.returncode == 2 and "usage error" in r.stderr


def test_purge_exit_codes(cli: Cli, closed: list[dict[str, Any]]):
    ref = closed[0]["ref"]
    before = cli("cases", "--json").stdout
    # Not yet due: refused, nothing changed.
    r = cli("purge", ref, "--reason", "Retention period over")
    assert r.returncode == 1 and "has not passed" in r.stderr
    assert cli("cases", "--json").stdout == before
    # Usage errors before unlocking; an unknown case is a refusal.
    assert cli("purge", ref).returncode == 2
    r = cli("purge", "RT-1999-0001", "--reason", "x")
    assert r.returncode == 1 and "no case" in r.stderr.lower()
    # Wrong passphrase: 3.
    r = cli("purge", ref, "--reason", "x", env={"ROUNDTABLE_PASSPHRASE": "wrong"})
    assert r.returncode == 3
    # Due (later "today"): deleted; then it is gone.
    r = cli("purge", ref, "--reason", "Retention period over", "--json", env=LATER)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["ref"] == ref and result["counts"]["case"] == 1 and not result["overridden"]
    assert ref not in cli("cases", "--json").stdout
    # Early, with an override reason.
    other = closed[1]["ref"]
    r = cli("purge", other, "--reason", "Subject's request", "--override-reason",
            "Erasure agreed by the panel")
    assert r.returncode == 0 and "override recorded" in r.stdout, r.stderr
    assert cli("audit", "verify").returncode == 0


def test_sar(cli: Cli, tmp_path: Path):
    cases = json.loads(cli("cases", "--json").stdout)
    ref = next(c["ref"] for c in cases if c["status"] == "support-plan")
    out = tmp_path / "sar.pdf"
    r = cli("sar", ref, "--out", str(out))
    assert r.returncode == 0 and "Subject access report written" in r.stdout, r.stderr
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert ref in text
    r = cli("sar", "RT-1999-0001", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 1 and not (tmp_path / "x.pdf").exists()
    assert cli("sar", ref).returncode == 2
