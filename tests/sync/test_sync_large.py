"""A very large initial snapshot in bounded memory, and the streaming path's refusals.

Export streams the bundle to the safe-file writer; import copies it to private staging, checks
the signature over the whole file in a first pass and decrypts, parses and applies it batch by
batch in a second, inside one transaction. Peak Python allocations are measured with tracemalloc
and must stay well below the size of what travels.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from sqlalchemy import text

from app.crypto import bundle_format as B
from app.models.sync_ops import validate_op
from app.services import exchange
from app.sync.manifest import Manifest
from app.sync.payload import PayloadReader, build_payload
from tests.support.crypto_support import sign_envelope
from tests.support.exchange_points import at_import_point
from tests.support.sync_support import Panel, assert_rejected_unchanged, dump, open_case

# measured with --durations=30 on two cores: 60-140 s a test (large snapshots and payloads)
pytestmark = pytest.mark.slow


def _bulk_notes(panel: Panel, n: int, size: int) -> str:
    """``n`` contributions of ``size`` incompressible characters on one case shared with Police."""
    cid = open_case(panel.hub, share=[panel.police])
    agency = panel.police.workstation.agency.id
    with panel.hub.change() as w:
        for _ in range(n):
            w.create("contribution", {"case_id": cid, "agency_id": agency,
                                      "text": base64.b64encode(os.urandom(size * 3 // 4)).decode(),
                                      "recorded_on": "2026-01-02", "restricted_to": []})
    return cid


def _count(session: object, table: str) -> int:
    with session.view() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def test_a_large_snapshot_travels_in_bounded_memory(panel: Panel) -> None:
    n, size = 4_000, 10_000  # ~40 MB of notes: a ~30 MB bundle (base64 text compresses by 1/4)
    _bulk_notes(panel, n, size)
    out = panel.folder / "big.rtb"
    tracemalloc.start()
    try:
        report = exchange.export_bundle(panel.hub, to_member=panel.police.workstation.device_id,
                                        out=out)
        export_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        result = exchange.import_bundle(panel.police, path=out)
        import_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.outcome == "applied", result.reason
    assert result.applied == report.operations and report.operations >= n
    assert _count(panel.police, "contribution") == n
    bundle = out.stat().st_size
    assert bundle > 25_000_000
    # Python allocations at their peak: a small fraction of the file (measured: ~3 and ~5 MB)
    assert export_peak < bundle // 4, (export_peak, bundle)
    assert import_peak < bundle // 4, (import_peak, bundle)
    # nothing left in staging; importing it again is a no-op
    assert list((panel.police.store.path.parent / "exchange" / "staging").iterdir()) == []
    assert exchange.import_bundle(panel.police, path=out).outcome == "duplicate"


def test_the_payload_parser_holds_little_for_many_ops() -> None:
    """200,000 ops parsed as a stream: the parser keeps one line and 8 bytes a seen id."""
    n = 200_000
    proto = validate_op(["x" * 32, "dev-a", 0, 1, 1 << 20, "set", "case", "c" * 32, "status",
                         "referred", None, "c" * 32, "m"])
    ops = (dataclasses.replace(proto, op_id=f"{i:032x}", counter=i + 1, hlc=(1 << 20) + i)
           for i in range(n))
    m = Manifest("b", "s", "r", "s>r/0", 1, 0, 1, (1, 0), (1, 0), 0, (), (), n)
    plaintext = build_payload(m, None, ops)
    expanded = len(zlib.decompress(plaintext[1:]))
    pieces = [plaintext[i : i + 65536] for i in range(0, len(plaintext), 65536)]
    del plaintext
    tracemalloc.start()
    try:
        reader = PayloadReader(iter(pieces))
        count = sum(len(batch) for batch in reader.batches(2_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == n
    # one batch of ops, one line, the expansion window and the seen-id table (8 bytes a slot):
    # measured ~9 MB for ~34 MB of op lines; it grows by 16 bytes an op, not by the op's size
    assert peak < expanded // 3, (peak, expanded)


# --- the streaming path refuses damage, and the store stays as it was ------------------------------
@pytest.fixture
def multi(panel: Panel) -> tuple[Panel, bytes]:
    """A real export of ~3 MB (about fifty chunks, several apply batches)."""
    _bulk_notes(panel, 300, 8_000)
    out = panel.ship(panel.hub, panel.police)
    return panel, out.read_bytes()


def _offsets(data: bytes) -> dict[str, int]:
    p = B.read_prelude(data)
    h_end = B.PRELUDE_BYTES + p.header_length
    full = B.CHUNK_BYTES + B.TAG_BYTES
    sig = len(data) - 64
    return {"prelude": 20, "header": B.PRELUDE_BYTES + 10, "first chunk": h_end + 5,
            "middle chunk": h_end + 20 * full + 7, "last chunk": sig - 20, "signature": sig + 3}


def test_flipped_bits_and_truncation_on_a_large_file(multi: tuple[Panel, bytes]) -> None:
    panel, data = multi
    for _where, off in _offsets(data).items():
        bad = bytearray(data)
        bad[off] ^= 0x10
        assert_rejected_unchanged(panel.police, panel.folder, bytes(bad))
    for cut in (10, 500, len(data) // 2, len(data) - 65, len(data) - 1):
        assert_rejected_unchanged(panel.police, panel.folder, data[:cut])


def _resigned(data: bytes, panel: Panel, mutate: object) -> bytes:
    """Mutate the signed part and sign it again with the hub's real key (the fuzz harness)."""
    unsigned = mutate(bytearray(data[:-64]))  # type: ignore[operator]
    return sign_envelope(panel.hub.store.device_keys(), bytes(unsigned))


def test_damage_behind_a_valid_signature_found_mid_stream_rolls_everything_back(
    multi: tuple[Panel, bytes],
) -> None:
    """Earlier batches are already applied when a late chunk fails: nothing of them is kept."""
    panel, data = multi
    offs = _offsets(data)

    def flip_last(b: bytearray) -> bytearray:
        b[offs["last chunk"]] ^= 1
        return b

    def flip_middle(b: bytearray) -> bytearray:
        b[offs["middle chunk"]] ^= 1
        return b

    def drop_last_chunk(b: bytearray) -> bytearray:
        p = B.read_prelude(bytes(b[: B.PRELUDE_BYTES]))
        full = B.CHUNK_BYTES + B.TAG_BYTES
        h_end = B.PRELUDE_BYTES + p.header_length
        n_full = (len(b) - h_end) // full
        keep = h_end + n_full * full
        del b[keep:]
        b[32:40] = struct.pack(">Q", n_full * full)
        return b

    for mutate in (flip_last, flip_middle, drop_last_chunk):
        assert_rejected_unchanged(panel.police, panel.folder, _resigned(data, panel, mutate),
                                  alert=True)
    assert exchange.import_bundle(panel.police, path=_write(panel, data)).outcome == "applied"


def _write(panel: Panel, data: bytes) -> Path:
    f = panel.folder / f"f-{os.urandom(4).hex()}.rtb"
    f.write_bytes(data)
    return f


def test_a_file_changed_between_the_two_passes_is_refused(
    multi: tuple[Panel, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, data = multi
    staging = panel.police.store.path.parent / "exchange" / "staging"

    def tamper(at: str, how: str) -> None:
        def hook() -> None:
            (staged,) = list(staging.iterdir())
            raw = bytearray(staged.read_bytes())
            if how == "signature":
                raw[-1] ^= 1  # the chunks still decrypt: only the re-hash sees it
            else:
                raw[len(raw) // 2] ^= 1
            staged.write_bytes(bytes(raw))

        monkeypatch.undo()
        at_import_point(at, hook, monkeypatch.setattr)

    for how, words in (("signature", "changed while it was being read"), ("chunk", "")):
        tamper("verified", how)
        assert_rejected_unchanged(panel.police, panel.folder, data, alert=True, reason=words)
    assert list(staging.iterdir()) == []

    # The user's file changing after the copy is harmless: the private copy is what is read.
    original = _write(panel, data)

    def scribble() -> None:
        original.write_bytes(b"\x00" * len(data))

    monkeypatch.undo()
    at_import_point("staged", scribble, monkeypatch.setattr)
    before = dump(panel.police)
    r = exchange.import_bundle(panel.police, path=original)
    assert r.outcome == "applied", r.reason
    assert dump(panel.police) != before
    assert original.read_bytes() == b"\x00" * len(data)
