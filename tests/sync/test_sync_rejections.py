"""Every rejection of sync.md's test list leaves the store byte-for-byte unchanged (table dump)."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from app.crypto.bundle_format import PRELUDE_BYTES
from app.crypto.identity import DeviceKeys
from app.models.ids import new_id
from app.services import contributions, exchange
from app.storage.hlc import pack, wall_ms
from tests.support.crypto_support import sign_envelope
from tests.support.sync_support import (
    Panel,
    assert_rejected_unchanged,
    craft,
    dump,
    import_bytes,
    open_case,
    wire_op,
)


@pytest.fixture
def good(panel: Panel) -> bytes:
    """A real hub -> police file with a case in it (multi-chunk: a long narrative note)."""
    cid = open_case(panel.hub, share=[panel.police])
    rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;"
    for _ in range(6):  # incompressible text, so the file spans several 64 KiB chunks
        text = "".join(rng.choice(letters) for _ in range(19_000))
        contributions.add_contribution(panel.hub, case_id=cid, text=text)
    return panel.ship(panel.hub, panel.police).read_bytes()


def test_flipped_bits_truncation_and_appended_bytes(panel: Panel, good: bytes) -> None:
    rng = random.Random(5)
    before = dump(panel.police)
    offsets = sorted({0, 8, 12, PRELUDE_BYTES, len(good) - 1, *rng.sample(range(len(good)), 12)})
    for off in offsets:
        bad = bytearray(good)
        bad[off] ^= 1 << rng.randrange(8)
        assert not import_bytes(panel.police, panel.folder, bytes(bad)).ok
    for cut in sorted({1, 39, 40, PRELUDE_BYTES + 5, len(good) - 64, len(good) - 1,
                       *rng.sample(range(len(good)), 6)}):
        assert not import_bytes(panel.police, panel.folder, good[:cut]).ok
    assert not import_bytes(panel.police, panel.folder, good + b"\0").ok
    assert dump(panel.police) == before
    assert exchange.import_bundle(panel.police, path=_write(panel, good)).outcome == "applied"


def _write(panel: Panel, data: bytes):  # type: ignore[no-untyped-def]
    f = panel.folder / f"{new_id()}.rtb"
    f.write_bytes(data)
    return f


def test_wrong_magic_version_suite_and_lengths(panel: Panel, good: bytes) -> None:
    for off, value in ((0, b"\x88"), (8, b"\x00\x07"), (10, b"\x00\x09")):
        bad = good[:off] + value + good[off + len(value):]
        assert_rejected_unchanged(panel.police, panel.folder, bad)
    for off, fmt, value in ((28, ">I", 2**31), (32, ">Q", 2**40)):
        bad = good[:off] + struct.pack(fmt, value) + good[off + struct.calcsize(fmt):]
        assert_rejected_unchanged(panel.police, panel.folder, bad)


def test_unknown_signer_and_signature_by_another_device(panel: Panel, good: bytes) -> None:
    stranger = DeviceKeys.generate()
    assert_rejected_unchanged(panel.police, panel.folder, sign_envelope(stranger, good[:-64]),
                              reason="signature")
    # Health is a registered device: its signature over the hub's prelude is not the hub's.
    assert_rejected_unchanged(
        panel.police, panel.folder, sign_envelope(panel.health.store.device_keys(), good[:-64])
    )
    wrong_kid = good[:12] + stranger.public().key_id + good[28:]
    assert_rejected_unchanged(panel.police, panel.folder, sign_envelope(stranger, wrong_kid[:-64]),
                              reason="trusted")


def test_registered_device_on_a_stream_it_may_not_use(panel: Panel) -> None:
    open_case(panel.hub, share=[panel.police])
    exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))  # registry
    # Health signs a file to Police (officer to officer): refused.
    bad = craft(panel.health, panel.police)
    assert_rejected_unchanged(panel.police, panel.folder, bad, alert=True)
    # Police signs a file claiming Health's stream to the hub.
    h, p, hub = (s.workstation.device_id for s in (panel.health, panel.police, panel.hub))
    bad = craft(panel.police, panel.hub, manifest={"stream": f"{h}>{hub}/0"})
    assert_rejected_unchanged(panel.hub, panel.folder, bad, alert=True, reason="stream")
    bad = craft(panel.police, panel.hub, manifest={"sender": h})
    assert_rejected_unchanged(panel.hub, panel.folder, bad, alert=True)
    assert p


def test_not_addressed_to_this_workstation(panel: Panel, good: bytes) -> None:
    assert_rejected_unchanged(panel.health, panel.folder, good, reason="not addressed")


def test_revoked_signer(panel: Panel) -> None:
    police_dev = panel.police.workstation.device_id
    ok = craft(panel.police, panel.hub, sequence=1)
    late = craft(panel.police, panel.hub, sequence=3)
    with panel.hub.change() as w:
        w.update("device", police_dev, {"status": "revoked", "revoked_from_seq": 3})
    assert import_bytes(panel.hub, panel.folder, ok).outcome == "applied"  # before the revocation
    assert_rejected_unchanged(panel.hub, panel.folder, late, alert=True, reason="revoked")
    with panel.hub.change() as w:
        w.update("device", police_dev, {"revoked_from_seq": None})
    assert_rejected_unchanged(panel.hub, panel.folder, craft(panel.police, panel.hub, sequence=2))


def test_chunks_reordered_dropped_or_swapped(panel: Panel, good: bytes) -> None:
    hl = struct.unpack(">I", good[28:32])[0]
    start = PRELUDE_BYTES + hl
    chunk = 64 * 1024 + 16
    payload = good[start:-64]
    assert len(payload) > chunk, "the fixture must span two chunks"
    first, rest = payload[:chunk], payload[chunk:]
    hub_keys = panel.hub.store.device_keys()
    swapped = good[:start] + rest + first
    assert_rejected_unchanged(panel.police, panel.folder, sign_envelope(hub_keys, swapped[: len(good) - 64]))
    dropped = good[:start] + rest
    fixed = dropped[:32] + struct.pack(">Q", len(rest)) + dropped[40:]
    assert_rejected_unchanged(panel.police, panel.folder, sign_envelope(hub_keys, fixed))
    other = panel.ship(panel.hub, panel.police).read_bytes()
    ohl = struct.unpack(">I", other[28:32])[0]
    spliced = good[:start] + other[PRELUDE_BYTES + ohl: PRELUDE_BYTES + ohl + chunk] + rest
    assert_rejected_unchanged(panel.police, panel.folder, sign_envelope(hub_keys, spliced))


def test_same_file_twice_and_a_reused_sequence(panel: Panel, good: bytes) -> None:
    f = _write(panel, good)
    assert exchange.import_bundle(panel.police, path=f).outcome == "applied"
    before = dump(panel.police)
    assert exchange.import_bundle(panel.police, path=f).outcome == "duplicate"
    assert dump(panel.police) == before
    hub, pol = panel.hub.workstation.device_id, panel.police.workstation.device_id
    reuse = craft(panel.hub, panel.police, sequence=1, manifest={"stream": f"{hub}>{pol}/0"})
    assert_rejected_unchanged(panel.police, panel.folder, reuse, alert=True, reason="reuses")


def test_newer_schema_is_kept_aside(panel: Panel) -> None:
    bad = craft(panel.hub, panel.police, manifest={"min_reader": [2, 0], "schema": [2, 0]})
    r = assert_rejected_unchanged(panel.police, panel.folder, bad, reason="update roundtable")
    assert r.outcome == "kept-aside"  # type: ignore[attr-defined]
    assert any((panel.folder / "exchange" / "kept-aside").iterdir())


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ({"manifest": {"op_count": 3}}, "fewer"),
        ({"manifest": {"sequence": 77}, "header": {"sequence": 78}}, "disagree"),
        ({"manifest": {"recipient": "someone-else"}}, "addressed"),
        ({"body": b"{}\nnull\n"}, "manifest"),
        ({"body": b"not json\n"}, "manifest"),
        ({"plaintext": b"\x07junk"}, "encoding"),
        ({"plaintext": b"\x01" + zlib.compress(b"\0" * (64 * 1024 * 1024), 9)}, "longer"),
    ],
)
def test_malformed_payloads_behind_a_valid_signature(panel: Panel, case: dict, reason: str) -> None:  # type: ignore[type-arg]
    assert_rejected_unchanged(panel.police, panel.folder, craft(panel.hub, panel.police, **case),
                              alert=True, reason=reason)


def test_ops_with_wrong_types_or_unknown_entities(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    for op in (
        wire_op(panel.hub, kind="create", entity="spaceship", record_id=new_id(), value={}),
        wire_op(panel.hub, kind="set", entity="case", record_id=cid, field="status", value=5, case_id=cid),
        wire_op(panel.hub, kind="set", entity="case", record_id=cid, field="nope", value="x", case_id=cid),
        wire_op(panel.hub, kind="set", entity="contribution", record_id=cid, field="text", value="x"),
        wire_op(panel.hub, kind="explode", entity="case", record_id=cid),
        [1, 2, 3],
    ):
        bad = craft(panel.hub, panel.police, ops=[op])
        assert_rejected_unchanged(panel.police, panel.folder, bad, alert=True)


def test_officer_op_on_another_agencys_case_or_an_access_list(panel: Panel) -> None:
    theirs = open_case(panel.hub, share=[panel.health])
    ours = open_case(panel.hub, share=[panel.police], surname="Roe")
    pol = panel.police
    note = {"case_id": theirs, "agency_id": pol.workstation.agency.id, "author": pol.workstation.member.id,
            "text": "sneaky", "recorded_on": "2026-11-30", "marking": "OFFICIAL", "restricted_to": [],
            "kind": "information", "supersedes": None}
    bad = craft(pol, panel.hub, ops=[wire_op(pol, kind="create", entity="contribution",
                                             record_id=new_id(), value=note, case_id=theirs)])
    assert_rejected_unchanged(panel.hub, panel.folder, bad, alert=True, reason="not shared")
    share = wire_op(pol, kind="set", entity="case", record_id=ours, field="shared_with",
                    value=[pol.workstation.agency.id, panel.health.workstation.agency.id], case_id=ours)
    assert_rejected_unchanged(panel.hub, panel.folder, craft(pol, panel.hub, ops=[share]),
                              alert=True, reason="coordinator")
    level = wire_op(pol, kind="create", entity="assessment", record_id=new_id(),
                    value={"case_id": ours, "risk_level": "low"}, case_id=ours)
    assert_rejected_unchanged(panel.hub, panel.folder, craft(pol, panel.hub, ops=[level]), alert=True)
    forged = wire_op(pol, kind="create", entity="contribution", record_id=new_id(),
                     value={**note, "case_id": ours, "agency_id": panel.health.workstation.agency.id},
                     case_id=ours)
    assert_rejected_unchanged(panel.hub, panel.folder, craft(pol, panel.hub, ops=[forged]), alert=True)
    wrong_case = wire_op(pol, kind="create", entity="contribution", record_id=new_id(),
                         value={**note, "case_id": ours}, case_id=theirs)
    assert_rejected_unchanged(panel.hub, panel.folder, craft(pol, panel.hub, ops=[wrong_case]), alert=True)


def test_coordinator_op_outside_the_agencys_scope(panel: Panel) -> None:
    theirs = open_case(panel.hub, share=[panel.health])
    with panel.hub.view() as conn:
        from app.storage.sync.selection import case_subject, ops_of_case

        ops = [o.to_wire() for o in ops_of_case(conn, theirs, case_subject(conn, theirs))]
    ops.sort(key=lambda o: (o[4], o[1], o[0]))
    assert_rejected_unchanged(panel.police, panel.folder, craft(panel.hub, panel.police, ops=ops),
                              alert=True, reason="scope")


@pytest.mark.parametrize(("hours", "accepted"), [(1, True), (25, False), (24 * 365 * 3, False)])
def test_sender_clock_fast(panel: Panel, hours: int, accepted: bool) -> None:
    fast = pack(wall_ms() + hours * 3_600_000, 0)
    f = craft(panel.hub, panel.police, manifest={"created_hlc": fast})
    if accepted:
        assert import_bytes(panel.police, panel.folder, f).outcome == "applied"  # type: ignore[attr-defined]
    else:
        assert_rejected_unchanged(panel.police, panel.folder, f, reason="hours ahead")


def test_full_disk_on_export_changes_nothing(panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    open_case(panel.hub, share=[panel.police])
    before = dump(panel.hub)

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("app.storage.files.os.write", full)
    from app.models.errors import FileWriteError

    with pytest.raises(FileWriteError, match="disk is full"):
        exchange.export_bundle(panel.hub, to_member=panel.police.workstation.device_id,
                               out=panel.folder / "full.rtb")
    monkeypatch.undo()
    assert dump(panel.hub) == before
    assert not (panel.folder / "full.rtb").exists()
    _ = os


def test_an_expanding_payload_stops_at_the_cap(panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.sync.payload.MAX_EXPANDED", 1024 * 1024)
    open_case(panel.hub, share=[panel.police])
    # the longest string a field may hold (issue 12: coded fields such as a status are short)
    big = wire_op(panel.hub, kind="set", entity="subject", record_id=new_id(), field="search_key",
                  value="a" * 190_000)
    bad = craft(panel.hub, panel.police, ops=[big] * 1 + [
        [new_id(), *big[1:]] for _ in range(8)
    ])
    assert_rejected_unchanged(panel.police, panel.folder, bad, alert=True, reason="expands")


def test_staging_left_by_a_killed_import_is_cleared_by_the_next(panel: Panel) -> None:
    """A whole staged copy and a copy cut short (a ``.part`` of the safe-file writer), as an
    import killed mid-way leaves them: the next import clears both before it stages its own."""
    staging = panel.hub.store.path.parent / "exchange" / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "left-over.rtb").write_bytes(b"ciphertext")
    (staging / ".cut-short.rtb.0a1b2c3d4e5f.part").write_bytes(b"cipher")
    r = exchange.import_bundle(panel.hub, path=panel.ship(panel.police, panel.hub))
    assert r.ok
    assert list(staging.iterdir()) == []


def test_an_export_stopped_part_way_leaves_no_file_and_changes_nothing(panel: Panel) -> None:
    """Cancel while the file is being written (the desktop's Cancel raises from ``step``)."""
    for i in range(3):
        open_case(panel.hub, share=[panel.police], surname=f"Doe{i}")
    police = panel.police.workstation.device_id
    before = dump(panel.hub)
    out = panel.folder / "stopped.rtb"
    calls: list[tuple[int, int]] = []

    class Stop(Exception):
        pass

    def step(done: int, total: int) -> None:
        calls.append((done, total))
        if len(calls) == 2:
            raise Stop()

    with pytest.raises(Stop):
        exchange.export_bundle(panel.hub, to_member=police, out=out, step=step)
    assert not out.exists() and [p.name for p in panel.folder.iterdir() if "stopped" in p.name] == []
    assert dump(panel.hub) == before
    calls.clear()
    r = exchange.export_bundle(panel.hub, to_member=police, out=out, step=lambda d, t: calls.append((d, t)))
    assert out.exists() and r.sequence == 1
    assert calls[-1] == (r.operations + r.evicted, r.operations + r.evicted)
