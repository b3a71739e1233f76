"""The command line from outside, as an administrator or a script would use it: exit codes,
JSON output, and no file with case data anywhere but the encrypted store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import Cli

# measured with --durations=30 on two cores: the command line in child processes, 5-60 s a test
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("Kowalczyk", "Súilleabháin", "O'Brien", "Okafor", "Dvořák", "Rahman", "Nguyễn")


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    c = Cli(tmp_path_factory.mktemp("cli"))
    r = c("init", "--name", "Ann Coordinator", "--agency", "Northshire Council",
          "--role", "coordinator", "--panel", "Northshire panel")
    assert r.returncode == 0, r.stderr
    assert "Recovery key" in r.stdout
    r = c("demo", "--cases", "25", "--seed", "5")
    assert r.returncode == 0, r.stderr
    return c


def test_status_and_listing(cli: Cli):
    r = cli("status", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["status"]["role"] == "coordinator" and data["status"]["counts"]["case"] == 25
    r = cli("cases", "--json")
    cases = json.loads(r.stdout)
    assert len(cases) == 25 and all("id" in c and "ref" in c for c in cases)
    header = cli("cases").stdout.splitlines()[0].split()
    assert header == ["Ref", "Subject", "Born", "Status", "Risk", "Lead", "Overdue"]  # no case fields
    ref = cases[0]["ref"]
    r = cli("case", "show", ref, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["case"]["ref"] == ref
    r = cli("cases", "--json", "--search", cases[1]["subject_name"].split(" ")[-1])
    assert cases[1]["id"] in {c["id"] for c in json.loads(r.stdout)}


def test_a_programmes_case_fields_are_listed(tmp_path: Path):
    """A MAPPA store lists each case's category and level beside its risk; the default
    programme's list keeps its columns (test_status_and_listing)."""
    c = Cli(tmp_path)
    r = c("init", "--name", "Ann Coordinator", "--agency", "Northshire Probation",
          "--role", "coordinator", "--panel", "Northshire MAPPA", "--programme", "mappa")
    assert r.returncode == 0, r.stderr
    assert c("demo", "--cases", "12", "--seed", "5").returncode == 0
    r = c("cases")
    assert r.returncode == 0, r.stderr
    header = r.stdout.splitlines()[0]
    assert header.split()[:5] == ["Ref", "Subject", "Born", "Status", "Risk"]
    assert header.index("Risk") < header.index("MAPPA category") < header.index("Management level") < header.index("Lead")
    listing = json.loads(c("cases", "--json").stdout)
    recorded = [dict(row["case_fields"]) for row in listing if row["case_fields"]]
    dates = {"release", "licence-end", "registration-end", "order-end"}  # MAPPA's date fields
    assert recorded and all(set(f) <= {"category", "management-level", *dates} for f in recorded)
    assert any("Category " in line for line in r.stdout.splitlines()[1:])
    levels = {row["risk_level"] for row in listing if row["risk_level"]}
    assert levels and not any(level in r.stdout for level in levels if "-" in level)  # "very-high" is an id
    assert any(label in r.stdout for label in ("Low", "Medium", "High", "Very high"))  # labels are shown


def test_exit_codes(cli: Cli):
    r = cli("status", env={"ROUNDTABLE_PASSPHRASE": "not the passphrase"})
    assert r.returncode == 3 and r.stderr.count("\n") == 1 and "passphrase" in r.stderr
    assert cli("no-such-command").returncode == 2
    assert cli("case", "show").returncode == 2
    r = cli("case", "show", "RT-1999-9999")
    assert r.returncode == 1 and "no case" in r.stderr
    cases = json.loads(cli("cases", "--json", "--status", "referred").stdout)
    r = cli("case", "status", cases[0]["ref"], "exited", "--rationale", "x")
    assert r.returncode == 1 and "cannot move" in r.stderr
    r = cli("meeting", "add", "--date", "31/02/2026")
    assert r.returncode == 1 and "not a date" in r.stderr
    r = cli("status", env={"ROUNDTABLE_STORE": str(cli.home / "none.rtdb")})
    assert r.returncode == 3


def test_changes_through_the_cli(cli: Cli):
    case = json.loads(cli("cases", "--json", "--status", "referred").stdout)[0]
    r = cli("case", "status", case["ref"], "police-assessment")  # the police gateway, then screening
    assert r.returncode == 0, r.stderr
    r = cli("case", "status", case["ref"], "screening")
    assert r.returncode == 0, r.stderr
    r = cli("note", case["ref"], "--text", "Police hold a recent intelligence report.", "--restricted-to", "NP")
    assert r.returncode == 0, r.stderr
    actions = json.loads(cli("actions", "--json", "--overdue").stdout)
    assert actions and all(a["overdue"] for a in actions)
    r = cli("action", "update", actions[0]["id"], "--status", "done", "--note", "Completed")
    assert r.returncode == 0, r.stderr
    still = {a["id"] for a in json.loads(cli("actions", "--json", "--overdue").stdout)}
    assert actions[0]["id"] not in still
    r = cli("meeting", "add", "--date", "2026-12-14", "--time", "09:30", "--venue", "Room 4",
            "--cases", case["ref"])
    assert r.returncode == 0, r.stderr
    meetings = json.loads(cli("meetings", "--json").stdout)
    assert any(m["date"] == "2026-12-14" and m["agenda"][0]["ref"] == case["ref"] for m in meetings)
    members = json.loads(cli("members", "--json").stdout)
    assert any(m["fingerprint"] for m in members)
    r = cli("audit", "verify")
    assert r.returncode == 0 and "intact" in r.stdout


def test_backup_restore_and_passphrase(cli: Cli):
    out = cli.home / "backup.rtbackup"
    assert cli("backup", "--out", str(out)).returncode == 0
    target = cli.home / "restored" / "panel.rtdb"
    r = cli("restore", str(out), env={"ROUNDTABLE_STORE": str(target)})
    assert r.returncode == 0, r.stderr
    r = cli("status", "--json", env={"ROUNDTABLE_STORE": str(target)})
    assert json.loads(r.stdout)["status"]["counts"]["case"] == 25
    r = cli("passphrase", env={"ROUNDTABLE_STORE": str(target), "ROUNDTABLE_NEW_PASSPHRASE": "another long one"})
    assert r.returncode == 0, r.stderr
    assert cli("status", env={"ROUNDTABLE_STORE": str(target)}).returncode == 3
    assert cli("status", env={"ROUNDTABLE_STORE": str(target), "ROUNDTABLE_PASSPHRASE": "another long one"}).returncode == 0


def test_no_case_data_outside_the_store(cli: Cli):
    # Run after the others (module order): every file in the session's home holds no names.
    listing = json.loads(cli("cases", "--json").stdout)
    # Long names only: a three-letter name could occur by chance in encrypted bytes.
    names = {c["subject_name"].split(" ")[-1] for c in listing if len(c["subject_name"].split(" ")[-1]) >= 6}
    names |= set(NAMES)
    assert len(names) > len(NAMES) - 2
    assert list(cli.tmp.iterdir()) == []
    assert (cli.logs / "roundtable.log").exists()
    for path in cli.home.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for name in names:
            assert name.encode() not in data, f"{name} in plain bytes in {path.relative_to(cli.home)}"
        if path.suffix in (".rtdb", ".rtkey", ".rtbackup", ".log", ".lock") or path.name.endswith("-wal"):
            assert path.stat().st_mode & 0o077 == 0, path.name


def test_adoption_through_the_cli_names_the_meeting(cli: Cli):
    """The panel's decision (issue 18): refused at a meeting that has not taken place, taken at
    one held or under way (refused with no meeting at all: tests/services/test_programme_guidance)."""
    case = json.loads(cli("cases", "--json", "--status", "panel-assessment").stdout)[0]
    r = cli("meeting", "add", "--date", "10/12/2026", "--cases", case["ref"])
    assert r.returncode == 0, r.stderr
    r = cli("case", "status", case["ref"], "adopted", "--rationale", "Agreed.", "--meeting", r.stdout.strip())
    assert r.returncode == 1 and "not taken place" in r.stderr
    r = cli("meeting", "add", "--date", "30/11/2026", "--cases", case["ref"])
    assert r.returncode == 0, r.stderr
    mid = r.stdout.strip()
    r = cli("case", "status", case["ref"], "adopted", "--rationale", "Agreed.", "--meeting", mid)
    assert r.returncode == 0, r.stderr
