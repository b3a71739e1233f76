"""Panel administration from the command line (docs/cli.md, "Panel administration"): agencies,
members, keyring, the recovery-key unlock and --version — JSON shapes, refusals and exit codes, and
an officer refused every coordinator-only command with one sentence and nothing changed.

Commands run in this process through ``app.cli.main.main`` (the same path as ``python -m app``
after argument parsing) so the suite stays fast; one subprocess checks ``--version`` end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli.main import main
from app.crypto.keyring_slot import KeyringSlot
from app.models.enums import Role
from app.services import setup
from tests.support.crypto_support import MemoryKeyring
from tests.support.kdf import CHEAP
from tests.support.stores import PASSPHRASE, copy_store, dump_store, today

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture
def rt(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("ROUNDTABLE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("ROUNDTABLE_NO_LOG", "1")
    monkeypatch.setenv("ROUNDTABLE_TODAY", today().isoformat())
    monkeypatch.delenv("ROUNDTABLE_STORE", raising=False)

    def run(store: Path, *args: str) -> Result:
        capsys.readouterr()
        code = main(["--store", str(store), *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def hub(empty_template: Path, tmp_path: Path) -> Path:
    return copy_store(empty_template, tmp_path / "hub")


@pytest.fixture(scope="module")
def officer_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("officer") / "officer.rtdb"
    setup.create_store(path, passphrase=PASSPHRASE, name="Pat Constable", agency="Northshire Police",
                       role=Role.OFFICER, kdf=CHEAP).session.close()
    return path


@pytest.fixture
def officer(officer_template: Path, tmp_path: Path) -> Path:
    return copy_store(officer_template, tmp_path / "officer")


def _one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("roundtable: ") and lines[0].endswith("."), err
    return lines[0]


# --- agencies ----------------------------------------------------------------------------------


def test_agencies_add_and_list(rt: Run, hub: Path) -> None:
    r = rt(hub, "agencies", "add", "Northshire Police", "--short", "NP", "--area", "North")
    assert r.code == 0, r.err
    new_id = r.out.strip()
    r = rt(hub, "agencies", "--json")
    assert r.code == 0
    rows = r.json()
    assert isinstance(rows, list)
    assert [a["name"] for a in rows] == sorted((a["name"] for a in rows), key=str.casefold)
    police = next(a for a in rows if a["id"] == new_id)
    assert police == {"id": new_id, "name": "Northshire Police", "short": "NP", "area": "North",
                      "sector": "police", "is_police": True}
    assert set(rows[0]) == {"id", "name", "short", "area", "sector", "is_police"}
    text = rt(hub, "agencies").out
    assert "Northshire Police" in text and "Local authority" in text  # words, not codes
    # --json on add prints the record
    r = rt(hub, "agencies", "add", "Northshire Probation Service", "--json")
    assert r.code == 0, r.err
    made = r.json()
    assert isinstance(made, dict) and made["name"] == "Northshire Probation Service" and made["short"]


@pytest.mark.parametrize("same", ["Northshire Police", "northshire police", "  NORTHSHIRE   Police "])
def test_an_agency_name_the_panel_has_is_refused(rt: Run, hub: Path, same: str) -> None:
    assert rt(hub, "agencies", "add", "Northshire Police", "--short", "NP").code == 0
    before = rt(hub, "agencies", "--json").json()
    r = rt(hub, "agencies", "add", same, "--short", "NP2")
    assert r.code == 1
    assert "already has an agency called “Northshire Police”" in _one_sentence(r.err)
    assert rt(hub, "agencies", "--json").json() == before


def test_a_short_name_in_use_is_refused(rt: Run, hub: Path) -> None:
    assert rt(hub, "agencies", "add", "Northshire Police", "--short", "NP").code == 0
    r = rt(hub, "agencies", "add", "North Probation", "--short", "np")
    assert r.code == 1 and "already used" in _one_sentence(r.err)


# --- members -----------------------------------------------------------------------------------


def test_members_add_by_short_name_id_or_name(rt: Run, hub: Path) -> None:
    aid = rt(hub, "agencies", "add", "Northshire Police", "--short", "NP").out.strip()
    r = rt(hub, "members", "add", "--name", "Pat Constable", "--agency", "NP", "--role", "officer",
           "--area", "North", "--json")
    assert r.code == 0, r.err
    made = r.json()
    assert isinstance(made, dict)
    assert set(made) == {"id", "name", "agency_id", "agency", "role", "area"}
    assert made["agency_id"] == aid and made["role"] == "officer" and made["area"] == "North"
    r = rt(hub, "members", "add", "--name", "Chris Chair", "--agency", aid, "--role", "chair")
    assert r.code == 0 and len(r.out.strip()) == 36  # the member's id, alone
    r = rt(hub, "members", "add", "--name", "Pam Police", "--agency", "northshire pol",
           "--role", "officer")
    assert r.code == 0, r.err  # an unambiguous beginning of the name
    members = rt(hub, "members", "--json").json()
    assert isinstance(members, list)
    assert {m["name"] for m in members} >= {"Pat Constable", "Chris Chair", "Pam Police"}
    assert next(m for m in members if m["id"] == made["id"])["agency"] == "Northshire Police"


def test_members_add_refusals(rt: Run, hub: Path) -> None:
    rt(hub, "agencies", "add", "Northshire Police", "--short", "NP")
    before = dump_store_at(hub)
    r = rt(hub, "members", "add", "--name", "X", "--agency", "Nowhere", "--role", "officer")
    assert r.code == 1 and "no agency “Nowhere”" in _one_sentence(r.err)
    r = rt(hub, "members", "add", "--name", "X", "--agency", "Northshire", "--role", "officer")
    assert r.code == 1 and "more than one agency" in _one_sentence(r.err)
    r = rt(hub, "members", "add", "--name", "  ", "--agency", "NP", "--role", "officer")
    assert r.code == 1
    r = rt(hub, "members", "add", "--name", "X", "--agency", "NP", "--role", "boss")
    assert r.code == 2  # a usage error
    assert dump_store_at(hub, skip_unlock_audit=True) == before


def dump_store_at(path: Path, *, skip_unlock_audit: bool = True) -> dict[str, list[tuple[object, ...]]]:
    """Every row but the audit chain and meta (each unlock appends an audit entry)."""
    s = setup.unlock(path, passphrase=PASSPHRASE)
    try:
        d = dump_store(s)
    finally:
        s.close()
    return {k: v for k, v in d.items() if k not in ("audit", "meta", "op_log", "field_state")}


# --- officers are refused every coordinator-only command ------------------------------------------

COORDINATOR_ONLY = [
    ("agencies", "add", "Another Agency"),
    ("members", "add", "--name", "Somebody", "--agency", "Northshire Police", "--role", "officer"),
    ("case", "share", "RT-0001", "--add", "Northshire Police"),
    ("case", "share", "RT-0001", "--remove", "Northshire Police"),
    # coordinator-only commands that were there before
    ("demo", "--cases", "2"),
    ("meeting", "add", "--date", "2026-12-20"),
    ("referrals", "import", "referrals.csv"),
]


@pytest.mark.parametrize("args", COORDINATOR_ONLY, ids=lambda a: " ".join(a[:2]))
def test_an_officer_is_refused_each_coordinator_only_command(
    rt: Run, officer: Path, args: tuple[str, ...]
) -> None:
    before = dump_store_at(officer)
    r = rt(officer, *args)
    assert r.code == 1
    line = _one_sentence(r.err)
    assert "coordinator" in line
    if args[0] in ("agencies", "members", "case"):
        assert "Only the panel coordinator" in line and "an officer's" in line
    assert dump_store_at(officer) == before


def test_a_chair_is_refused_too(rt: Run, tmp_path: Path) -> None:
    path = tmp_path / "chair.rtdb"
    setup.create_store(path, passphrase=PASSPHRASE, name="Chris Chair", agency="Northshire Council",
                       role=Role.CHAIR, kdf=CHEAP).session.close()
    r = rt(path, "agencies", "add", "Another Agency")
    assert r.code == 1 and "chair's" in _one_sentence(r.err)


def test_an_officer_may_list_agencies(rt: Run, officer: Path) -> None:
    r = rt(officer, "agencies", "--json")
    assert r.code == 0 and [a["name"] for a in r.json()] == ["Northshire Police"]  # type: ignore[index]


# --- case share refusals on the hub (the bundle round trip is in tests/sync) --------------------


def test_case_share_refusals(rt: Run, session_path: Path) -> None:
    cases = rt(session_path, "cases", "--json").json()
    assert isinstance(cases, list)
    ref = cases[0]["ref"]
    r = rt(session_path, "case", "share", ref)
    assert r.code == 2  # neither --add nor --remove
    r = rt(session_path, "case", "share", ref, "--add", "No Such Agency")
    assert r.code == 1 and "no agency" in _one_sentence(r.err)
    r = rt(session_path, "case", "share", "RT-9999-999", "--add", "NCC")
    assert r.code == 1
    shown = rt(session_path, "case", "show", ref, "--json").json()
    assert isinstance(shown, dict)
    lead = shown["case"]["lead_agency"]
    r = rt(session_path, "case", "share", ref, "--remove", lead)
    assert r.code == 1 and "lead agency" in _one_sentence(r.err)


@pytest.fixture
def session_path(template_store: Path, tmp_path: Path) -> Path:
    return copy_store(template_store, tmp_path / "demo")


def test_case_share_json(rt: Run, session_path: Path) -> None:
    agencies = rt(session_path, "agencies", "--json").json()
    assert isinstance(agencies, list)
    ref = rt(session_path, "cases", "--json").json()[0]["ref"]  # type: ignore[index]
    shown = rt(session_path, "case", "show", ref, "--json").json()
    assert isinstance(shown, dict)
    before = set(shown["case"]["shared_with"])
    other = next(a for a in agencies if a["id"] not in before)
    r = rt(session_path, "case", "share", ref, "--add", other["short"], "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert isinstance(data, dict) and data["ref"] == ref
    assert {a["id"] for a in data["shared_with"]} == before | {other["id"]}
    r = rt(session_path, "case", "share", ref, "--remove", other["id"], "--json")
    assert {a["id"] for a in r.json()["shared_with"]} == before  # type: ignore[index]


# --- keyring -----------------------------------------------------------------------------------


def test_keyring_remember_status_forget(rt: Run, hub: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(setup, "workstation_keyring", lambda: KeyringSlot(backend=backend))
    r = rt(hub, "keyring", "status", "--json")
    assert r.code == 0, r.err
    st = r.json()
    assert isinstance(st, dict) and set(st) == {"remembered", "backend", "holds_secret"}
    assert st["remembered"] is False and st["holds_secret"] is False and st["backend"]
    r = rt(hub, "keyring", "remember")
    assert r.code == 0 and "Remembered" in r.out
    st = rt(hub, "keyring", "status", "--json").json()
    assert isinstance(st, dict) and st["remembered"] and st["holds_secret"]
    assert "unlocks with the login keyring" in rt(hub, "keyring", "status").out
    # the keyring opens the store now
    setup.unlock(hub, keyring=KeyringSlot(backend=backend)).close()
    r = rt(hub, "keyring", "forget")
    assert r.code == 0 and "Forgotten" in r.out
    assert backend.entries == {}
    st = rt(hub, "keyring", "status", "--json").json()
    assert isinstance(st, dict) and not st["remembered"] and not st["holds_secret"]
    assert "nothing to forget" in rt(hub, "keyring", "forget").out


def test_keyring_commands_without_a_keyring_exit_1(
    rt: Run, hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends import fail

    monkeypatch.setattr(setup, "workstation_keyring", lambda: KeyringSlot(backend=fail.Keyring()))
    for args in (("keyring", "status"), ("keyring", "remember"), ("keyring", "forget")):
        r = rt(hub, *args)
        assert r.code == 1, args
        assert "keyring" in _one_sentence(r.err)
        assert r.out == ""


def test_keyring_that_does_not_answer_exit_1(
    rt: Run, hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.crypto_support import BlockingKeyring

    backend = BlockingKeyring()
    monkeypatch.setattr(setup, "workstation_keyring",
                        lambda: KeyringSlot(backend=backend, timeout=0.2))
    try:
        r = rt(hub, "keyring", "remember")
    finally:
        backend.release.set()
    assert r.code == 1
    assert "the keyring is locked or not answering" in _one_sentence(r.err).lower()
    s = setup.unlock(hub, passphrase=PASSPHRASE)
    try:
        assert not s.store.keyfile.has_keyring_slot  # nothing changed
    finally:
        s.close()


# --- recovery key and version ------------------------------------------------------------------


def test_recovery_key_file_unlocks(rt: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rk.rtdb"
    created = setup.create_store(path, passphrase=PASSPHRASE, name="Ann", agency="Council",
                                 role=Role.COORDINATOR, kdf=CHEAP)
    created.session.close()
    key = tmp_path / "recovery.txt"
    key.write_text(created.recovery_key + "\n", encoding="utf-8")
    monkeypatch.setenv("ROUNDTABLE_PASSPHRASE", "not the passphrase")
    assert rt(path, "status").code == 3
    r = rt(path, "--recovery-key-file", str(key), "status", "--json")
    assert r.code == 0, r.err
    assert r.json()["status"]["name"] == "Ann"  # type: ignore[index]
    key.write_text("AAAA-BBBB-CCCC\n", encoding="utf-8")
    r = rt(path, "--recovery-key-file", str(key), "status")
    assert r.code == 3 and "recovery key" in r.err.lower()
    r = rt(path, "--recovery-key-file", str(tmp_path / "missing.txt"), "status")
    assert r.code == 3 and "could not be read" in r.err


def test_version(rt: Run, tmp_path: Path) -> None:
    from importlib.metadata import version

    r = rt(tmp_path / "none.rtdb", "--version")
    assert r.code == 0 and r.out.strip() == f"roundtable {version('roundtable')}"
    p = subprocess.run([sys.executable, "-m", "app", "--version"], cwd=ROOT, capture_output=True,
                       text=True, timeout=60, env={**os.environ, "ROUNDTABLE_NO_LOG": "1"})
    assert p.returncode == 0 and p.stdout.strip() == f"roundtable {version('roundtable')}"


def test_forget_when_the_keyring_has_gone_still_stops_remembering(
    rt: Run, hub: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends import fail

    backend = MemoryKeyring()
    monkeypatch.setattr(setup, "workstation_keyring", lambda: KeyringSlot(backend=backend))
    assert rt(hub, "keyring", "remember").code == 0
    monkeypatch.setattr(setup, "workstation_keyring", lambda: KeyringSlot(backend=fail.Keyring()))
    r = rt(hub, "keyring", "forget")
    assert r.code == 0 and "Forgotten" in r.out
    assert "could not be removed" in r.err and len(r.err.strip().splitlines()) == 1
    from app.storage.store import Store

    assert not Store.read_keyfile(hub).has_keyring_slot  # the keyring can no longer open it
