"""Issue 12: what arrives in an exchange file obeys the rules of what is typed, and of scope.

Each hostile file is signed with a real enrolled key (``sync_support.craft``) and must be rejected
whole, with the store byte-for-byte unchanged (``assert_rejected_unchanged`` compares every table).
"""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from app.models.errors import InvalidInput
from app.models.ids import new_id
from app.services import contributions
from app.services.context import Session
from tests.support.sync_support import (
    Panel,
    assert_rejected_unchanged,
    craft,
    dump,
    import_bytes,
    open_case,
    wire_op,
)


def _note(author: Session, case_id: str, text: str) -> list[object]:
    value = {"case_id": case_id, "agency_id": author.workstation.agency.id,
             "author": author.workstation.member.id, "text": text, "recorded_on": "2026-11-30",
             "marking": "OFFICIAL", "restricted_to": [], "kind": "information", "supersedes": None}
    return wire_op(author, kind="create", entity="contribution", record_id=new_id(), value=value,
                   case_id=case_id)


HOSTILE = {
    "long-with-controls": "x" * 150_000 + "\x1b[2J\x07\x00" + "y" * 20,  # the finding: 150,023
    "escape": "Seen at home \x1b]0;owned\x07 today",
    "nul": "before\x00after",
    "del": "rubout\x7f",
    "c1-csi": "one-character escape \x9b2J",
    "over-long": "z" * 20_001,
}
TYPED = {**HOSTILE, "surrogate": "half a pair \udcff"}  # a file cannot carry one: canonical JSON is UTF-8


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_an_officers_hostile_note_is_rejected_whole_at_the_hub(panel: Panel, name: str) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    panel.ship(panel.hub, panel.police)  # the case is on the officer's store, so the note is in scope
    pol = panel.police
    good = _note(pol, cid, "A proper note.")
    bad = craft(pol, panel.hub, ops=[good, _note(pol, cid, HOSTILE[name])])
    r = assert_rejected_unchanged(panel.hub, panel.folder, bad, alert=True, reason="contribution.text")
    assert "x" * 50 not in r.reason  # type: ignore[attr-defined]  # never the value


def test_the_same_note_typed_is_refused_with_the_same_rule(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    for text in TYPED.values():
        before = dump(panel.hub)
        with pytest.raises(InvalidInput):
            contributions.add_contribution(panel.hub, case_id=cid, text=text)
        assert dump(panel.hub) == before
    # tab and line breaks stay allowed; bidi controls are text (shown visibly only on a terminal)
    contributions.add_contribution(panel.hub, case_id=cid, text="line one\n\tline two\r\n\u202egnp.exe")


def test_a_coordinator_file_with_control_characters_is_rejected_at_the_member(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    import_bytes(panel.police, panel.folder, panel.ship(panel.hub, panel.police).read_bytes())
    hub = panel.hub
    note = _note(hub, cid, "ordinary")
    retitle = wire_op(hub, kind="set", entity="subject", record_id=_subject_of(hub, cid),
                      field="surname", value="Doe\x1b[31m")
    assert_rejected_unchanged(panel.police, panel.folder, craft(hub, panel.police, ops=[note, retitle]),
                              alert=True, reason="subject.surname")
    long_name = wire_op(hub, kind="set", entity="subject", record_id=_subject_of(hub, cid),
                        field="surname", value="D" * 201)
    assert_rejected_unchanged(panel.police, panel.folder, craft(hub, panel.police, ops=[long_name]),
                              alert=True, reason="too long")
    in_json = wire_op(hub, kind="set", entity="subject", record_id=_subject_of(hub, cid),
                      field="aliases", value=["Jo\x9bDoe"])
    assert_rejected_unchanged(panel.police, panel.folder, craft(hub, panel.police, ops=[in_json]),
                              alert=True, reason="control characters")
    coded = wire_op(hub, kind="set", entity="case", record_id=cid, field="status",
                    value="open\nforged line", case_id=cid)
    assert_rejected_unchanged(panel.police, panel.folder, craft(hub, panel.police, ops=[coded]),
                              alert=True, reason="case.status")


def _subject_of(session: Session, case_id: str) -> str:
    from app.storage import repo

    with session.view() as conn:
        case = repo.get_case(conn, case_id)
    assert case is not None
    return str(case.subject_id)


# --- scope before parking ---------------------------------------------------------------------------
def _pending(session: Session) -> list[tuple[object, ...]]:
    return dump(session)["sync_pending"]


def test_coordinator_ops_on_records_outside_scope_are_never_parked(panel: Panel) -> None:
    """Ops waiting for a record the member does not hold: a note on a case not shared with the
    member's agency, a change to that case, and to its subject, each rejected whole; nothing
    waits in the member's store."""
    hub, pol = panel.hub, panel.police
    ours = open_case(hub, share=[pol])
    import_bytes(pol, panel.folder, panel.ship(hub, pol).read_bytes())
    theirs = open_case(hub, share=[panel.health], surname="Roe")
    note = _note(hub, theirs, "About someone the police were not told of.")
    status = wire_op(hub, kind="set", entity="case", record_id=theirs, field="next_review",
                     value="2027-01-01", case_id=theirs)
    subject = wire_op(hub, kind="set", entity="subject", record_id=_subject_of(hub, theirs),
                      field="address", value="1 Secret Road")
    in_scope = _note(hub, ours, "Fine on its own.")
    for op in (note, status, subject):
        r = assert_rejected_unchanged(pol, panel.folder, craft(hub, pol, ops=[in_scope, op]),
                                      alert=True, reason="scope")
        assert "Secret" not in r.reason  # type: ignore[attr-defined]
    assert _pending(pol) == []


def test_an_op_in_scope_still_waits_for_its_record(panel: Panel) -> None:
    hub, pol = panel.hub, panel.police
    ours = open_case(hub, share=[pol])
    import_bytes(pol, panel.folder, panel.ship(hub, pol).read_bytes())
    later = wire_op(hub, kind="set", entity="action", record_id=new_id(), field="status",
                    value="done", case_id=ours)
    r = import_bytes(pol, panel.folder, craft(hub, pol, ops=[later]))
    assert r.outcome == "applied" and r.waiting == 1  # type: ignore[attr-defined]
    assert len(_pending(pol)) == 1


# --- files kept aside for a newer Roundtable --------------------------------------------------------
def _aside(panel: Panel) -> list[str]:
    folder = panel.folder / "exchange" / "kept-aside"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _newer_format(signer: Session, good: bytes, filler: int = 0) -> bytes:
    """``good`` relabelled as format version 9 (plus ``filler`` bytes of payload), re-signed."""
    import struct

    from app.crypto.bundle_format import PRELUDE_BYTES
    from tests.support.crypto_support import sign_envelope

    unsigned = bytearray(good[:-64] + os.urandom(filler))
    unsigned[8:10] = struct.pack(">H", 9)
    header_len = struct.unpack(">I", unsigned[28:32])[0]
    payload_len = len(unsigned) - PRELUDE_BYTES - header_len
    unsigned[32:40] = struct.pack(">Q", payload_len)
    return sign_envelope(signer.store.device_keys(), bytes(unsigned))


def test_unsigned_files_of_a_newer_format_are_not_kept(panel: Panel) -> None:
    """Random files with the right magic and a newer version number filled the disk (three of
    20 MiB kept 60 MiB): only a file a panel workstation signed is kept aside."""
    import struct

    from app.crypto.bundle_format import MAGIC, PRELUDE_BYTES

    body = os.urandom(2 * 1024 * 1024)
    junk = MAGIC + struct.pack(">HH16sIQ", 9, 1, os.urandom(16), 100, len(body) - 100) + body
    junk += os.urandom(64)
    assert len(junk) == PRELUDE_BYTES + len(body) + 64
    for _ in range(3):
        r = assert_rejected_unchanged(panel.police, panel.folder, junk)
        assert r.outcome == "rejected"  # type: ignore[attr-defined]
    assert _aside(panel) == []
    # a stranger's signature is no better
    from app.crypto.identity import DeviceKeys
    from tests.support.crypto_support import sign_envelope

    good = craft(panel.hub, panel.police)
    stranger = sign_envelope(DeviceKeys.generate(), _newer_format(panel.hub, good)[:-64])
    assert_rejected_unchanged(panel.police, panel.folder, stranger)
    assert _aside(panel) == []


def test_signed_newer_files_are_kept_aside_within_a_cap_oldest_first(
    panel: Panel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.exchange import importing

    monkeypatch.setattr(importing, "KEPT_ASIDE_MAX_BYTES", 3 * 300_000)
    monkeypatch.setattr(importing, "KEPT_ASIDE_MAX_FILES", 3)
    names = []
    for _ in range(5):
        newer = _newer_format(panel.hub, craft(panel.hub, panel.police), filler=250_000)
        r = assert_rejected_unchanged(panel.police, panel.folder, newer, reason="update roundtable")
        assert r.outcome == "kept-aside"  # type: ignore[attr-defined]
        names.append(hashlib.sha256(newer).hexdigest()[:16] + ".rtb")
        time.sleep(0.01)
    assert _aside(panel) == sorted(names[-3:])  # the two oldest were dropped
    big = _newer_format(panel.hub, craft(panel.hub, panel.police), filler=700_000)
    assert import_bytes(panel.police, panel.folder, big).outcome == "kept-aside"  # type: ignore[attr-defined]
    kept = list((panel.folder / "exchange" / "kept-aside").iterdir())
    assert sum(p.stat().st_size for p in kept) <= 3 * 300_000
    assert hashlib.sha256(big).hexdigest()[:16] + ".rtb" in {p.name for p in kept}


# --- what the watched folder hands over: import_bundle itself ------------------------------------------
def test_import_bundle_reports_a_fifo_as_rejected_without_blocking(panel: Panel) -> None:
    """The watched folder calls ``import_bundle``: a FIFO (or a folder) is a rejected report at
    once, never a wait for a writer holding the store's lock, never an exception."""
    import threading

    fifo = panel.folder / "watched.rtb"
    os.mkfifo(fifo)
    folder = panel.folder / "a-folder.rtb"
    folder.mkdir()
    for target in (fifo, folder):
        before = dump(panel.police)
        done: list[object] = []
        t = threading.Thread(target=lambda p=target, d=done: d.append(import_bytes_path(panel, p)),
                             daemon=True)
        t.start()
        t.join(20)
        if not done:  # unblock the old code's open() so the test ends
            with open(fifo, "wb"):
                pass
            t.join(5)
            pytest.fail("importing a FIFO blocked")
        r = done[0]
        assert r.outcome == "rejected" and "not a regular file" in r.reason  # type: ignore[attr-defined]
        assert dump(panel.police) == before


def import_bytes_path(panel: Panel, path: object) -> object:
    from app.services import exchange

    return exchange.import_bundle(panel.police, path=path)  # type: ignore[arg-type]
