"""Audit witnesses (docs/sync.md): every file carries the sender's audit head, the recipient's head
as the sender last saw it, and the sender's entry now at the point the recipient last saw of it.
A store whose log was rewritten or put back outside Roundtable is told on its next import, and so
is the store that exchanges with it; a restore through Roundtable (a new epoch) is not mistaken
for either; the file is still applied, the warning is audited, and it is raised once."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from sqlalchemy import select, text

from app.crypto.identity import sign_audit_head
from app.services import contributions, exchange, setup
from app.services import panel as panel_svc
from app.services.context import Session
from app.storage import audit as audit_store
from app.storage.schema import audit
from app.storage.sync import store as sync_store
from tests.support.sync_support import PASS, Panel, craft, open_case, open_store


def _round(p: Panel, a: Session, b: Session) -> tuple[str, str]:
    """a -> b then b -> a; the two imports' audit warnings."""
    first = exchange.import_bundle(b, path=p.ship(a, b))
    second = exchange.import_bundle(a, path=p.ship(b, a))
    assert first.outcome == second.outcome == "applied", (first.reason, second.reason)
    return first.audit_warning, second.audit_warning


def _security_events(s: Session) -> list[frozenset[str]]:
    """The fields of each security entry in the audit log (kept sorted there)."""
    with s.view() as conn:
        rows = conn.execute(select(audit.c.fields).where(audit.c.action == "security")).scalars()
        return [frozenset(json.loads(f)) for f in rows]


def _rewrite_entry(s: Session, seq: int) -> None:
    """What a determined insider with the store's key could do outside Roundtable: change an old
    entry and recompute every hash after it, so that the chain still verifies."""
    with s.store.db.write() as conn:
        conn.execute(text("DROP TRIGGER audit_no_update"))
        conn.execute(text("UPDATE audit SET fields = '[\"nothing to see\"]' WHERE seq = :s"), {"s": seq})
        prev = conn.execute(select(audit.c.prev_hash).where(audit.c.seq == seq)).scalar_one()
        for row in conn.execute(select(audit).where(audit.c.seq >= seq).order_by(audit.c.seq)).all():
            digest = audit_store.entry_hash(prev, row.seq, row.at, row.actor, row.device, row.action,
                                            row.entity, row.record_id, row.fields)
            conn.execute(text("UPDATE audit SET prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"p": prev, "h": digest, "s": row.seq})
            prev = digest
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'audit_head'"),
                     {"v": f"{row.seq}:{prev}"})
        # and re-sign the head with the workstation key, which is in the same store (crypto.md)
        signature = sign_audit_head(s.store.device_keys(), s.store.store_id, row.seq, prev)
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'audit_head_signature'"),
                     {"v": signature})
        conn.execute(text("CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
                          "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END"))


def test_clean_exchanges_raise_nothing_and_record_each_others_heads(panel: Panel) -> None:
    p = panel
    open_case(p.hub, share=[p.police])
    for _ in range(3):
        assert _round(p, p.hub, p.police) == ("", "")
    police = p.police.workstation.device_id
    with p.hub.view() as conn:
        seen = sync_store.witnesses_of(conn, police)
    with p.police.view() as conn:
        head = audit_store.head(conn)
        told = sync_store.witnessed_by(conn, p.hub.workstation.device_id)
    assert len(seen) == 3 and seen[-1][1] <= head[0]  # one head per file the hub applied
    assert told in seen  # what the hub's last file told police it had seen of it
    assert _security_events(p.hub) == [] and _security_events(p.police) == []


def test_a_rewritten_log_is_found_by_the_store_that_witnessed_it(panel: Panel) -> None:
    p = panel
    cid = open_case(p.hub, share=[p.police])
    _round(p, p.hub, p.police)
    contributions.add_contribution(p.police, case_id=cid, text="Seen at the address on Monday.")
    _round(p, p.police, p.hub)  # the hub has now seen the police log's head, and told police so
    with p.police.view() as conn:
        told = sync_store.witnessed_by(conn, p.hub.workstation.device_id)
    assert told is not None
    _rewrite_entry(p.police, told[1] - 3)
    assert panel_svc.verify_audit(p.police).ok  # the chain alone cannot tell

    r = exchange.import_bundle(p.hub, path=p.ship(p.police, p.hub))
    assert r.outcome == "applied" and "no longer holds entry" in r.audit_warning
    assert "sender's audit log" in r.audit_warning and "Tell the coordinator" in r.audit_warning
    assert {"sender-log-changed", f"from:{p.police.workstation.device_id}"} in _security_events(p.hub)
    # reported, audited, then followed: the next exchanges are quiet
    assert _round(p, p.hub, p.police) == ("", "")


def test_a_store_put_back_to_an_earlier_copy_is_told_on_its_next_import(panel: Panel) -> None:
    p = panel
    cid = open_case(p.hub, share=[p.police])
    _round(p, p.hub, p.police)
    police_file = p.folder / "police.rtdb"
    copy = p.folder / "earlier"
    copy.mkdir()
    p.police.close()
    for f in p.folder.glob("police.rt*"):
        shutil.copy2(f, copy / f.name)
    p.police = open_store(police_file)
    contributions.add_contribution(p.police, case_id=cid, text="Moved to a new address.")
    _round(p, p.police, p.hub)
    p.police.close()
    for f in copy.iterdir():  # outside Roundtable: the files replaced by an older copy
        shutil.copy2(f, p.folder / f.name)
    p.police = open_store(police_file)

    r = exchange.import_bundle(p.police, path=p.ship(p.hub, p.police))
    assert r.outcome == "applied" and "This store's audit log no longer holds entry" in r.audit_warning
    assert any("witness-mismatch" in e for e in _security_events(p.police))
    # its next file to the hub reuses a number the hub already has: refused as before
    back = exchange.import_bundle(p.hub, path=p.ship(p.police, p.hub))
    assert back.outcome == "rejected" and back.security_alert


def test_a_restore_through_roundtable_is_not_mistaken_for_tampering(panel: Panel, tmp_path: Path) -> None:
    p = panel
    open_case(p.hub, share=[p.police])
    _round(p, p.hub, p.police)
    backup = setup.backup(p.police, out=tmp_path / "police.rtbackup")
    _round(p, p.police, p.hub)
    p.police.close()
    target = tmp_path / "restored" / "police.rtdb"
    target.parent.mkdir()
    p.police = setup.restore(backup, target=target, passphrase=PASS)
    # the restored store starts a new epoch: what the hub saw of the old one proves nothing
    assert _round(p, p.hub, p.police) == ("", "")
    assert _round(p, p.police, p.hub) == ("", "")


def test_a_file_that_claims_a_different_entry_is_applied_with_a_warning(panel: Panel) -> None:
    p = panel
    open_case(p.hub, share=[p.police])
    _round(p, p.hub, p.police)
    with p.hub.view() as conn:
        seq, _digest = audit_store.head(conn)
    wrong = hashlib.sha256(b"not the entry").hexdigest()
    f = p.folder / "crafted.rtb"
    f.write_bytes(craft(p.police, p.hub, manifest={"witness": [0, seq, wrong]}))
    r = exchange.import_bundle(p.hub, path=f)
    assert r.outcome == "applied" and f"entry {seq}" in r.audit_warning


def test_malformed_audit_points_reject_the_file_whole(panel: Panel) -> None:
    p = panel
    from tests.support.sync_support import dump

    before = dump(p.hub)
    for bad in ({"audit_head": [1, "zz"]}, {"witness": [0, 1]}, {"proof": ["1", ""]},
                {"audit_head": [-1, "0" * 64]}, {"witness": [0, 1, "A" * 64]}):
        f = p.folder / "bad.rtb"
        f.write_bytes(craft(p.police, p.hub, manifest=bad))
        r = exchange.import_bundle(p.hub, path=f)
        assert r.outcome == "rejected" and r.security_alert, bad
        assert dump(p.hub) == before


def test_a_log_cut_short_outside_roundtable_is_found_by_the_store_that_witnessed_it(panel: Panel) -> None:
    """The last entries deleted and the head moved back: the chain verifies, but the hub saw a
    longer log."""
    p = panel
    cid = open_case(p.hub, share=[p.police])
    _round(p, p.hub, p.police)
    contributions.add_contribution(p.police, case_id=cid, text="Home visit arranged.")
    _round(p, p.police, p.hub)
    with p.police.store.db.write() as conn:
        seq, _ = audit_store.head(conn)
        keep = seq - 12
        conn.execute(text("DROP TRIGGER audit_no_delete"))
        conn.execute(text("DELETE FROM audit WHERE seq > :k"), {"k": keep})
        digest = conn.execute(select(audit.c.hash).where(audit.c.seq == keep)).scalar_one()
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'audit_head'"), {"v": f"{keep}:{digest}"})
    assert not panel_svc.verify_audit(p.police).ok  # the head's signature no longer fits
    with p.police.store.db.write() as conn:  # re-signed with the key in the store: it does
        signature = sign_audit_head(p.police.store.device_keys(), p.police.store.store_id, keep, digest)
        conn.execute(text("UPDATE meta SET value = :v WHERE key = 'audit_head_signature'"),
                     {"v": signature})
    assert panel_svc.verify_audit(p.police).ok
    r = exchange.import_bundle(p.hub, path=p.ship(p.police, p.hub))
    assert r.outcome == "applied" and "shorter than when it last sent a file" in r.audit_warning
    assert any("sender-log-shorter" in e for e in _security_events(p.hub))
