"""Merge behaviour across stores: conflicts, risk, deletes, eviction, waiting ops, order, restore."""

from __future__ import annotations

import datetime as dt
import random

from app.crypto.identity import read_identity_card
from app.models.enums import ActionStatus, Role
from app.models.ids import new_id
from app.services import actions, cases, contributions, exchange, risk, setup
from app.services.cases import sharing
from app.storage.hlc import HybridClock
from app.storage.store import Store
from tests.support.kdf import CHEAP
from tests.support.sync_support import (
    PASS,
    Panel,
    craft,
    dump,
    import_bytes,
    open_case,
    state,
    wire_op,
)


def _sync(panel: Panel, *officers: object) -> None:
    for o in officers or (panel.police, panel.health):
        assert exchange.import_bundle(o, path=panel.ship(panel.hub, o)).ok  # type: ignore[arg-type]
        assert exchange.import_bundle(panel.hub, path=panel.ship(o, panel.hub)).ok  # type: ignore[arg-type]


def _action(panel: Panel, cid: str) -> str:
    return str(actions.create_action(panel.hub, case_id=cid, title="Home visit",
                                     owner_agency=panel.police.workstation.agency.id,
                                     due=dt.date(2026, 12, 20)))


def _status(session: object, aid: str) -> str:
    return actions.get_action(session, action_id=aid).status.value  # type: ignore[arg-type]


def test_concurrent_edits_same_winner_one_conflict_and_resolution_closes_it(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police, panel.health])
    aid = _action(panel, cid)
    _sync(panel)
    actions.update_action(panel.hub, action_id=aid, status=ActionStatus.CANCELLED)
    actions.update_action(panel.police, action_id=aid, status=ActionStatus.DONE)
    _sync(panel)
    _sync(panel)
    winners = {_status(s, aid) for s in panel.all()}
    assert len(winners) == 1
    views = [exchange.list_conflicts(s) for s in panel.all()]
    assert all(len(v) == 1 for v in views), views
    assert len({(v[0].id, tuple(c.op_id for c in v[0].candidates)) for v in views}) == 1
    c = views[0][0]
    keep = next(x for x in c.candidates if x.value == "done")
    exchange.resolve_conflict(panel.hub, conflict_id=c.id, keep=keep.op_id)
    _sync(panel)
    for s in panel.all():
        assert exchange.list_conflicts(s) == []
        assert _status(s, aid) == "done"


def test_concurrent_risk_assessments_show_the_higher_level(panel: Panel) -> None:
    chair = setup.create_store(panel.folder / "chair.rtdb", passphrase=PASS, name="Chris Chair",
                               agency="Police", role=Role.CHAIR, kdf=CHEAP,
                               agency_id=panel.police.workstation.agency.id).session
    card, hub_card = exchange.identity_card(chair), exchange.identity_card(panel.hub)
    exchange.enrol(panel.hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    exchange.enrol(chair, card=hub_card, fingerprint=read_identity_card(hub_card).fingerprint)
    cid = open_case(panel.hub, share=[panel.police])
    _sync(panel, chair)
    fw = panel.hub.programme.framework
    for session, level in ((panel.hub, "low"), (chair, "high")):
        risk.record_assessment(session, case_id=cid, assessment=risk.AssessmentInput(
            factors=(), dimension_summaries=(), overall="Judgement", risk_level=level))
    _sync(panel, chair)
    _sync(panel, chair, panel.police)
    for s in (panel.hub, chair, panel.police):
        assert cases.resolve_case(s, cid).risk_level == "high"
        kinds = [c.kind for c in exchange.list_conflicts(s)]
        assert kinds == ["risk"]
    c = exchange.list_conflicts(panel.hub)[0]
    low = next(x for x in c.candidates if x.value["risk_level"] == "low")  # type: ignore[index]
    exchange.resolve_conflict(panel.hub, conflict_id=c.id, keep=low.op_id)
    _sync(panel, chair, panel.police)
    for s in (panel.hub, chair, panel.police):
        assert cases.resolve_case(s, cid).risk_level == "low"
        assert exchange.list_conflicts(s) == []
    assert fw


def test_edit_after_delete_is_a_conflict_for_the_coordinator(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    aid = _action(panel, cid)
    _sync(panel, panel.police)
    with panel.hub.change() as w:
        w.delete("action", aid)
    actions.update_action(panel.police, action_id=aid, status=ActionStatus.DONE)
    _sync(panel, panel.police)
    _sync(panel, panel.police)
    for s in (panel.hub, panel.police):
        with s.view() as conn:
            from app.storage import repo

            assert repo.get_row(conn, "action", aid) is None  # delete wins
        assert [c.kind for c in exchange.list_conflicts(s)] == ["edit-after-delete"]
    c = exchange.list_conflicts(panel.hub)[0]
    exchange.resolve_conflict(panel.hub, conflict_id=c.id, keep=c.candidates[0].op_id)
    _sync(panel, panel.police)
    assert exchange.list_conflicts(panel.police) == []


def test_eviction_removes_the_local_copy_and_never_travels_back(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    contributions.add_contribution(panel.hub, case_id=cid, text="Shared note")
    _sync(panel, panel.police)
    assert any(r[0] == cid for r in dump(panel.police)["case"])
    sharing.set_sharing(panel.hub, case_id=cid, shared_with=[panel.health.workstation.agency.id],
                      lead_agency=panel.health.workstation.agency.id)
    r = exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))
    assert r.evicted == 1
    d = dump(panel.police)
    assert not d["case"] and not d["subject"] and not d["contribution"] and not d["referral"]
    assert not [row for row in d["op_log"] if row[11] == cid]
    before = dump(panel.hub)["case"]
    assert exchange.import_bundle(panel.hub, path=panel.ship(panel.police, panel.hub)).ok
    assert dump(panel.hub)["case"] == before  # no delete came back
    # Shared again: the whole case comes back.
    sharing.set_sharing(panel.hub, case_id=cid, shared_with=[panel.police.workstation.agency.id])
    _sync(panel, panel.police)
    assert len(dump(panel.police)["contribution"]) == 1


def test_an_op_waiting_for_its_record_applies_when_it_arrives(panel: Panel) -> None:
    """A change to an action of a case the member holds arrives before the action itself: it
    waits, then applies. (A change to a case the member does not hold is never kept waiting: it
    cannot be shown to be in the member's scope -- test_sync_hostile.py.)"""
    cid = open_case(panel.hub, share=[panel.police])
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    aid = actions.create_action(panel.hub, case_id=cid, title="Visit", due=dt.date(2026, 12, 20),
                                owner_agency=panel.police.workstation.agency.id)
    from sqlalchemy import select

    from app.storage.schema import op_log

    with panel.hub.view() as conn:
        row = conn.execute(select(op_log).where(op_log.c.record_id == aid)).one()
    from app.models.sync_ops import op_from_row

    create = op_from_row(row).to_wire()
    late_set = wire_op(panel.hub, kind="set", entity="action", record_id=aid, field="status",
                       value="done", case_id=cid, prev=str(row.op_id),
                       origin=panel.hub.workstation.device_id)
    r = import_bytes(panel.police, panel.folder, craft(panel.hub, panel.police, ops=[late_set]))
    assert r.outcome == "applied" and r.waiting == 1  # type: ignore[attr-defined]
    r = import_bytes(panel.police, panel.folder, craft(panel.hub, panel.police, ops=[create]))
    assert r.released == 1  # type: ignore[attr-defined]
    assert actions.get_action(panel.police, action_id=aid).status is ActionStatus.DONE


def test_files_in_reverse_random_and_gapped_order_and_a_lost_file_heals(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    files = []
    for i in range(4):
        contributions.add_contribution(panel.hub, case_id=cid, text=f"note {i}")
        files.append(panel.ship(panel.hub, panel.police))
    # Police receives file 3 and 1 only (2 and 4 lost): reverse then gapped.
    for f in (files[2], files[0]):
        assert exchange.import_bundle(panel.police, path=f).ok
    assert len(dump(panel.police)["contribution"]) == 3
    status = {p.device_id: p for p in exchange.exchange_status(panel.police)}
    assert status[panel.hub.workstation.device_id].missing == (2,)
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    assert state(panel.police)["contribution"] == state(panel.hub)["contribution"]
    shuffled = files[:]
    random.Random(3).shuffle(shuffled)
    for f in shuffled:
        assert exchange.import_bundle(panel.police, path=f).ok
    assert state(panel.police)["contribution"] == state(panel.hub)["contribution"]


def test_restored_store_keeps_exporting(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    _sync(panel, panel.police)
    backup = panel.folder / "police.rtbackup"
    setup.backup(panel.police, out=backup)
    contributions.add_contribution(panel.police, case_id=cid, text="before the crash")
    _sync(panel, panel.police)
    panel.police.close()
    restored = setup.restore(backup, target=panel.folder / "restored.rtdb", passphrase=PASS)
    panel.police = restored
    contributions.add_contribution(restored, case_id=cid, text="after the restore")
    _sync(panel, panel.police)
    _sync(panel, panel.police)
    texts = {r[4] for r in dump(panel.hub)["contribution"]}
    assert {"before the crash", "after the restore"} <= texts
    assert state(restored)["contribution"] == state(panel.hub)["contribution"]


def test_local_clock_jumping_back_never_moves_the_hlc_back() -> None:
    times = iter([5_000, 4_000, 3_000, 6_000])
    clock = HybridClock(0, now=lambda: next(times))
    stamps = [clock.tick() for _ in range(4)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


def test_store_reopens_after_exchange(panel: Panel) -> None:
    open_case(panel.hub, share=[panel.police])
    _sync(panel, panel.police)
    path = panel.police.store.path
    panel.police.close()
    s = Store.open_with_passphrase(path, PASS)
    s.close()
    assert new_id()
