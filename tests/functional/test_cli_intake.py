"""`referrals import` and `stats` from outside, as a script would run them: exit codes, per-row
problems on standard error, JSON on standard output, nothing changed on refusal."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.support.cli import Cli

# measured with --durations=30 on two cores: the command line in child processes, 5-60 s a test
pytestmark = pytest.mark.slow

HEAD = "Referral date;Referrer;Referring agency;Forename(s);Surname;DOB;Type of concern;Reason for referral"
GOOD = [
    "03/02/2026;Mrs Jones (DSL);school;Zoë;Kowalczyk-Nowak;17/05/2009;far right;Images shared in class.",
    "2026-03-01;PC Smith;police;Siân;=cmd|' /C calc'!A0;1-Mar-2008;Islamist;Online activity.",
]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    c = Cli(tmp_path_factory.mktemp("cli-intake"))
    r = c("init", "--name", "Ann Coordinator", "--agency", "Northshire Council", "--role", "coordinator")
    assert r.returncode == 0, r.stderr
    r = c("demo", "--cases", "6", "--seed", "3")
    assert r.returncode == 0, r.stderr
    return c


def write(cli: Cli, name: str, lines: list[str]) -> Path:
    path = cli.home / name
    path.write_bytes(("\r\n".join([HEAD, *lines]) + "\r\n\r\n").encode("utf-8"))
    return path


def test_referrals_import(cli: Cli):
    bad = write(cli, "bad.csv", [GOOD[0], GOOD[1].replace("1-Mar-2008", "31/02/2008"), GOOD[0].replace("school", "wizards")])
    r = cli("referrals", "import", str(bad))
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0] == "Row 3, “DOB”: Not a real date: that day does not exist in that month."
    assert lines[1].startswith("Row 4, “Referring agency”: “wizards” is not a referring sector")
    assert lines[-1].startswith("roundtable: Nothing was imported: 2 problems in 2 rows.")

    good = write(cli, "good.csv", GOOD)
    r = cli("referrals", "import", str(good), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "Would open 2 cases" in r.stdout and "nothing was changed" in r.stdout

    r = cli("referrals", "import", str(good), "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert [i["row"] for i in report["imported"]] == [2, 3] and report["dry_run"] is False

    r = cli("referrals", "import", str(good))  # the same people again: linked, not duplicated
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(": linked to existing subject") == 2 and "(2 linked" in r.stdout

    listed = json.loads(cli("cases", "--json").stdout)  # 6 demo cases + 2 + 2: nothing else
    assert len(listed) == 10
    assert sum(1 for c in listed if c["subject_name"] == "Siân =cmd|' /C calc'!A0") == 2
    assert cli("referrals", "import").returncode == 2


def test_stats(cli: Cli):
    out = cli.home / "return.xlsx"
    r = cli("stats", "--from", "01/01/2026", "--to", "2026-11-30", "--out", str(out))
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "About" and "By sector" in wb.sheetnames
    assert out.stat().st_mode & 0o077 == 0
    r = cli("stats", "--from", "31/02/2026", "--to", "2026-11-30", "--out", str(cli.home / "x.csv"))
    assert r.returncode == 1 and "not a date" in r.stderr
    r = cli("stats", "--from", "2026-06-01", "--to", "2026-01-01", "--out", str(cli.home / "x.csv"))
    assert r.returncode == 1 and "after its end" in r.stderr
    r = cli("stats", "--from", "2026-01-01", "--to", "2026-06-01", "--out", str(cli.home / "x.ods"))
    assert r.returncode == 2
    assert not (cli.home / "x.csv").exists() and not (cli.home / "x.ods").exists()
