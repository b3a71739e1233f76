"""`case people` and `case person add|edit|remove` (docs/cli.md, "Linked people"): a MARAC case's
person causing harm recorded from the command line, listed as text and JSON, edited and removed;
a programme without linked roles refuses in one sentence and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.services import cases, setup
from tests.support.programme_stores import build_programme_store
from tests.support.stores import PASSPHRASE, copy_store, dump_store, today


@pytest.fixture(scope="module")
def marac_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_programme_store(tmp_path_factory.mktemp("marac-cli") / "panel.rtdb", "marac", demo_cases=4)


def _run(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--store", str(store), *args])
    c = capsys.readouterr()
    return code, c.out, c.err


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUNDTABLE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("ROUNDTABLE_NO_LOG", "1")
    monkeypatch.setenv("ROUNDTABLE_TODAY", today().isoformat())
    monkeypatch.delenv("ROUNDTABLE_STORE", raising=False)


def _a_case(store: Path) -> str:
    s = setup.unlock(store, passphrase=PASSPHRASE, today_fn=today)
    try:
        return cases.resolve_case(s, cases.list_case_ids(s)[0]).ref
    finally:
        s.close()


def test_case_person_add_edit_remove(marac_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = copy_store(marac_template, tmp_path / "m")
    ref = _a_case(store)
    code, out, err = _run(capsys, store, "case", "person", "add", ref, "--role", "perpetrator",
                          "--forenames", "Darren", "--surname", "Kell", "--dob", "14/02/1985", "--pnc", "12/345678A")
    assert code == 0, err
    assert "person causing harm recorded" in out
    code, out, _ = _run(capsys, store, "case", "people", ref, "--json")
    data = json.loads(out)
    assert [(p["role"], p["surname"], p["date_of_birth"]) for p in data["people"]
            if p["surname"] == "Kell"] == [("perpetrator", "Kell", "1985-02-14")]
    pid = next(p["id"] for p in data["people"] if p["surname"] == "Kell")
    code, _, err = _run(capsys, store, "case", "person", "edit", pid[:8], "--forenames", "Daz")
    assert code == 0, err
    code, out, _ = _run(capsys, store, "case", "people", ref)
    assert "Daz Kell" in out and "PNC 12/345678A" in out
    before = dump_store_at(store)
    code, _, err = _run(capsys, store, "case", "person", "add", ref, "--role", "neighbour", "--surname", "X")
    assert code != 0 and err.strip().count("\n") == 0
    assert dump_store_at(store) == before
    code, out, err = _run(capsys, store, "case", "person", "remove", pid[:8])
    assert code == 0, err
    code, out, _ = _run(capsys, store, "case", "people", ref, "--json")
    assert pid not in out


def test_a_programme_without_linked_roles_refuses(empty_template: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    store = copy_store(empty_template, tmp_path / "e")
    code, _, _ = _run(capsys, store, "demo", "--cases", "2")
    ref = _a_case(store)
    before = dump_store_at(store)
    code, _, err = _run(capsys, store, "case", "person", "add", ref, "--role", "perpetrator", "--surname", "Kell")
    assert code == 1 and "records no linked people" in err
    assert dump_store_at(store) == before


def dump_store_at(store: Path) -> object:
    s = setup.unlock(store, passphrase=PASSPHRASE, today_fn=today)
    try:
        return {k: v for k, v in dump_store(s).items() if k not in ("audit", "meta")}
    finally:
        s.close()


def test_referrals_import_says_a_row_is_a_person_recorded_in_another_role(
    marac_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the desktop's import wizard does (its note column), the command line says that a row's
    person is recorded in another role on a case (a person causing harm): shown, never linked."""
    from tests.support.intake_csv import csv_bytes, put, row

    store = copy_store(marac_template, tmp_path / "m")
    ref = _a_case(store)
    code, _, err = _run(capsys, store, "case", "person", "add", ref, "--role", "perpetrator",
                        "--forenames", "Darren", "--surname", "Kell", "--dob", "14/02/1985")
    assert code == 0, err
    data = csv_bytes([row(**{"Forename(s)": "Darren", "Surname": "Kell", "D.O.B.": "14/02/1985",
                             "Referring agency": "police", "Type of concern": "partner"})])
    path = put(tmp_path, "r.csv", data)
    note = f"recorded as person causing harm on {ref} (name and date of birth)"
    code, out, err = _run(capsys, store, "referrals", "import", str(path), "--dry-run")
    assert code == 0, err
    assert f"Row 2: {note}" in out.splitlines(), out
    code, out, err = _run(capsys, store, "referrals", "import", str(path), "--json")
    assert code == 0, err
    imported = json.loads(out)["imported"]
    assert imported[0]["also_recorded"] == [note] and imported[0]["linked_subject"] is None
