"""A case transferred between two panels' stores through the command line (issue 15): offer,
accept, close; offer, decline; nothing restricted crosses; the sender keeps the case open until
the acceptance arrives; every rejected file leaves the store unchanged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.cli_inprocess import make_run, one_sentence
from tests.support.stores import PASSPHRASE, copy_store, dump_store, today
from tests.support.transfer_cli import Panels, open_case, partner_up

SECRET = "Restricted source detail ZX-4471 never to cross"


@pytest.fixture
def run(monkeypatch, capfd, tmp_path):
    return make_run(monkeypatch, capfd, tmp_path)


@pytest.fixture
def panels(run, tmp_path: Path, template_store, south_template) -> Panels:
    north = copy_store(template_store, tmp_path / "north")
    south = copy_store(south_template, tmp_path / "south")
    return partner_up(run, north, south, tmp_path)


def _status(run, store: Path, ref: str) -> str:
    code, text, err = run(store, "case", "show", ref, "--json")
    assert code == 0, err
    return json.loads(text)["case"]["status"]


def _dump(store: Path):
    """Every row of the store but the entries each unlock adds to the audit log (and its head):
    a command line run always records its unlock (its audit entry, the head and the clock),
    whatever the command then does."""
    from app.services.setup import unlock

    s = unlock(store, passphrase=PASSPHRASE, today_fn=today, record=False)
    try:
        rows = dump_store(s)
    finally:
        s.close()
    rows["audit"] = [r for r in rows["audit"] if r[4] != "unlock"]
    rows["meta"] = [r for r in rows["meta"] if not r[0].startswith(("audit_head", "hlc", "unlock"))]
    return rows


def _restricted_note(run, store: Path, ref: str) -> None:
    code, text, err = run(store, "agencies", "--json")
    police = next(a for a in json.loads(text) if a["is_police"])
    code, _, err = run(store, "note", ref, "--text", SECRET, "--restricted-to", police["name"])
    assert code == 0, err


def test_offer_accept_close(run, panels: Panels, tmp_path: Path):
    case = open_case(run, panels.north)
    ref = str(case["ref"])
    before_status = _status(run, panels.north, ref)
    _restricted_note(run, panels.north, ref)
    offer = tmp_path / "offer.rtt"
    code, text, err = run(panels.north, "transfer", "offer", ref, "--to", panels.south_name,
                          "--out", str(offer))
    assert code == 0, err
    assert "stays open" in text
    assert SECRET.encode() not in offer.read_bytes()  # encrypted anyway; and never in the content
    # the sender keeps the case open and usable until the acceptance arrives
    assert _status(run, panels.north, ref) == before_status
    code, text, err = run(panels.north, "transfers", "--json")
    rows = json.loads(text)
    assert [(r["direction"], r["state"], r["text"]) for r in rows] == [
        ("out", "offered", f"Transfer offered to {panels.south_name}")]
    code, _, err = run(panels.north, "note", ref, "--text", "Still ours while offered")
    assert code == 0, err

    # the receiver previews it: read-only, nothing restricted, the restricted line instead
    code, text, err = run(panels.south, "transfer", "import", str(offer))
    assert code == 0, err
    assert SECRET not in text
    assert "held by" in text and "ask them" in text
    assert "Not answered yet" in text
    # dates as the rest of the command line prints them: dd/mm/yyyy
    assert re.search(r"Transfer offered by .+ on \d\d/\d\d/\d{4} \(their ref RT-", text), text
    code, text, err = run(panels.south, "transfer", "import", str(offer), "--json")
    doc = json.loads(text)
    assert doc["already_received"] is True
    assert SECRET not in json.dumps(doc)
    assert doc["content"]["restricted"] and all(
        set(r) == {"agency", "recorded_on", "line"} for r in doc["content"]["restricted"])
    code, text, err = run(panels.south, "cases", "--json")
    assert json.loads(text) == []  # nothing opened by a preview

    reply = tmp_path / "reply.rtt"
    code, text, err = run(panels.south, "transfer", "import", str(offer), "--accept", "--out",
                          str(reply))
    assert code == 0, err
    assert "Accepted as RT-" in text
    assert re.search(r"by \d\d/\d\d/\d{4}", text) and not re.search(r"\d{4}-\d\d-\d\d", text), text
    code, text, err = run(panels.south, "cases", "--json")
    new = json.loads(text)
    assert len(new) == 1
    new_ref = new[0]["ref"]
    code, text, err = run(panels.south, "case", "show", new_ref, "--json")
    shown = json.loads(text)
    assert shown["case"]["status"] == "referred"
    assert f"Transferred in from {panels.north_name}, ref {ref}" in json.dumps(shown)
    code, text, err = run(panels.south, "transfers", "--json")
    (t,) = json.loads(text)
    assert (t["direction"], t["state"], t["local_ref"]) == ("in", "accepted", new_ref)
    code, text, err = run(panels.south, "transfer", "show", t["id"][:8])
    assert code == 0 and "Status history" in text and SECRET not in text

    # until the acceptance is imported the sender still holds the case
    assert _status(run, panels.north, ref) == before_status
    code, text, err = run(panels.north, "transfer", "import", str(reply))
    assert code == 0, err
    assert f"accepted {ref} as {new_ref}" in text
    assert _status(run, panels.north, ref) == "transferred-out"
    code, text, err = run(panels.north, "transfers", "--json")
    (t,) = json.loads(text)
    assert (t["state"], t["their_ref"]) == ("accepted", new_ref)

    # replays are rejected with the store unchanged, at both ends
    for store, f in ((panels.north, reply), (panels.south, offer), (panels.north, offer),
                     (panels.south, reply)):
        before = _dump(store)
        code, _, err = run(store, "transfer", "import", str(f))
        assert code == 1, (store, f)
        one_sentence(err)
        after = _dump(store)
        assert {k: v for k, v in after.items() if v != before[k]} == {}, (
            [(k, set(after[k]) ^ set(before[k])) for k in after if after[k] != before[k]])


def test_offer_decline_returns_the_case_to_normal(run, panels: Panels, tmp_path: Path):
    case = open_case(run, panels.north)
    ref = str(case["ref"])
    status = _status(run, panels.north, ref)
    offer, reply = tmp_path / "offer.rtt", tmp_path / "decline.rtt"
    assert run(panels.north, "transfer", "offer", ref, "--to", panels.south_name, "--out",
               str(offer))[0] == 0
    code, _, err = run(panels.north, "transfer", "offer", ref, "--to", panels.south_name,
                       "--out", str(tmp_path / "again.rtt"))
    assert code == 1 and "already offered" in one_sentence(err)
    code, text, err = run(panels.south, "transfer", "import", str(offer), "--decline", "--reason",
                          "The person has not moved here", "--out", str(reply))
    assert code == 0, err
    code, text, err = run(panels.south, "cases", "--json")
    assert json.loads(text) == []
    code, text, err = run(panels.north, "transfer", "import", str(reply))
    assert code == 0, err
    assert "declined" in text and "The person has not moved here" in text
    assert _status(run, panels.north, ref) == status
    code, text, err = run(panels.north, "transfers", "--json")
    assert json.loads(text)[0]["state"] == "declined"
    # declined: it may be offered again
    code, _, err = run(panels.north, "transfer", "offer", ref, "--to", panels.south_name, "--out",
                       str(tmp_path / "again.rtt"))
    assert code == 0, err


def test_usage_errors(run, panels: Panels, tmp_path: Path):
    f = tmp_path / "x.rtt"
    f.write_bytes(b"x")
    assert run(panels.south, "transfer", "import", str(f), "--accept")[0] == 2
    assert run(panels.south, "transfer", "import", str(f), "--decline", "--out", "r")[0] == 2
    assert run(panels.south, "transfer", "import", str(f), "--accept", "--decline", "--out", "r")[0] == 2


def test_a_store_that_can_only_be_read_writes_no_transfer_file(run, panels: Panels, tmp_path: Path,
                                                               monkeypatch):
    """Its rows cannot be kept, so no file is written either: the service refuses before anything
    (SQLite's own refusal of the first insert would also stop it before the file is written)."""
    from app.storage import store as store_module

    ref = str(open_case(run, panels.north)["ref"])
    monkeypatch.setattr(store_module, "_writable", lambda _p: False)
    out = tmp_path / "offer.rtt"
    code, _, err = run(panels.north, "transfer", "offer", ref, "--to", panels.south_name, "--out",
                       str(out))
    assert code == 1 and "can only be read" in err
    assert not out.exists()
    code, _, err = run(panels.north, "partner", "enrol", str(tmp_path / "south.card"),
                       "--fingerprint", "0" * 40)
    assert code == 1
