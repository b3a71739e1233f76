"""Property tests: convergence under any order, duplication and loss with re-send; idempotence;
a monotone clock; nothing outside an agency's scope ever reaches its store; the payload parser
never fails in an unexpected way."""

from __future__ import annotations

import contextlib
import shutil
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.models.ids import new_id
from app.services import contributions, exchange
from app.services.cases import sharing
from app.storage.hlc import COUNTER_MASK, ClockAheadError, HybridClock, unpack
from app.storage.sync import selection
from app.sync.manifest import PayloadInvalid
from app.sync.payload import parse_payload
from tests.support.sync_support import Panel, dump, open_case, open_store, state

STEP = st.one_of(
    st.tuples(st.just("hub_note"), st.integers(0, 2)),
    st.tuples(st.just("officer_note"), st.integers(0, 1), st.integers(0, 2)),
    st.tuples(st.just("share"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("export"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("deliver"), st.integers(0, 50), st.booleans()),
)


def _fresh(template: Path, root: Path) -> Panel:
    folder = root / new_id()
    folder.mkdir()
    for f in template.iterdir():
        if f.suffix in (".rtdb", ".rtkey"):
            shutil.copy2(f, folder / f.name)
    return Panel(folder, *(open_store(folder / f"{k}.rtdb") for k in ("hub", "police", "health")))


def _assert_scope(session: object) -> None:
    """The agency's store holds only cases shared with it (and their subjects)."""
    ag = session.workstation.agency.id  # type: ignore[attr-defined]
    with session.view() as conn:  # type: ignore[attr-defined]
        scope = selection.scope_for(conn, ag)
        d = dump(session)  # type: ignore[arg-type]
    assert {r[0] for r in d["case"]} <= scope.cases
    assert {r[0] for r in d["subject"]} <= scope.subjects
    assert not ({r[0] for r in d["contribution"]} & scope.hidden)


def _visible_on_hub(panel: Panel, officer: object) -> dict[str, list[tuple[object, ...]]]:
    ag = officer.workstation.agency.id  # type: ignore[attr-defined]
    with panel.hub.view() as conn:
        scope = selection.scope_for(conn, ag)
    hub = state(panel.hub)
    return {
        "case": [r for r in hub["case"] if r[0] in scope.cases],
        "contribution": [r for r in hub["contribution"] if r[1] in scope.cases and r[0] not in scope.hidden],
        "subject": [r for r in hub["subject"] if r[0] in scope.subjects],
    }


@pytest.mark.slow
@settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=3, max_size=14))
def test_convergence_any_order_duplicates_and_loss(panel_template: Path, tmp_path: Path, steps: list) -> None:  # type: ignore[type-arg]
    panel = _fresh(panel_template, tmp_path)
    try:
        officers = [panel.police, panel.health]
        case_ids = [open_case(panel.hub, share=[panel.police]),
                    open_case(panel.hub, share=[panel.health], surname="Roe"),
                    open_case(panel.hub, share=[panel.police, panel.health], surname="Poe")]
        mailbox: list[tuple[object, Path]] = []
        shares = [[], [panel.police], [panel.health], [panel.police, panel.health]]
        for step in steps:
            kind = step[0]
            if kind == "hub_note":
                contributions.add_contribution(panel.hub, case_id=case_ids[step[1]], text=f"hub {new_id()}")
            elif kind == "officer_note":
                o = officers[step[1]]
                try:
                    contributions.add_contribution(o, case_id=case_ids[step[2]], text=f"note {new_id()}")
                except Exception:
                    continue
            elif kind == "share":
                lead = panel.hub.workstation.agency.id
                sharing.set_sharing(panel.hub, case_id=case_ids[step[1]], lead_agency=lead,
                                  shared_with=[s.workstation.agency.id for s in shares[step[2]]])
            elif kind == "export":
                o = officers[step[1]]
                if step[2]:
                    mailbox.append((o, panel.ship(panel.hub, o)))
                else:
                    mailbox.append((panel.hub, panel.ship(o, panel.hub)))
            elif mailbox:
                target, f = mailbox[step[1] % len(mailbox)]
                r = exchange.import_bundle(target, path=f)  # type: ignore[arg-type]
                assert r.ok, r.reason
                assert r.audit_warning == "", r.audit_warning  # honest stores, any order: never a warning
                if step[2]:  # a duplicate delivery changes nothing
                    before = dump(target)  # type: ignore[arg-type]
                    again = exchange.import_bundle(target, path=f)  # type: ignore[arg-type]
                    assert again.outcome in ("duplicate", "superseded")
                    if again.outcome == "duplicate":
                        assert dump(target) == before  # type: ignore[arg-type]
                for o in officers:
                    _assert_scope(o)
        # Re-send heals whatever was lost: two full rounds.
        for _ in range(2):
            for o in officers:
                r = exchange.import_bundle(panel.hub, path=panel.ship(o, panel.hub))
                assert r.ok and r.audit_warning == "", (r.reason, r.audit_warning)
            for o in officers:
                r = exchange.import_bundle(o, path=panel.ship(panel.hub, o))
                assert r.ok and r.audit_warning == "", (r.reason, r.audit_warning)
        for o in officers:
            _assert_scope(o)
            mine = state(o)
            want = _visible_on_hub(panel, o)
            for table in ("case", "contribution", "subject"):
                assert mine[table] == want[table], table
            assert mine["open_conflicts"] == []
    finally:
        for s in panel.all():
            s.close()


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-5_000, 5_000)), min_size=1, max_size=60))
def test_clock_is_monotone_whatever_the_wall_clock_does(moves: list[tuple[int, int]]) -> None:
    now = [1_000_000]
    clock = HybridClock(0, now=lambda: now[0])
    last = 0
    for kind, delta in moves:
        now[0] = max(0, now[0] + delta)
        if kind == 0:
            try:
                stamp = clock.observe(last + abs(delta) * 70_000)
            except ClockAheadError:
                continue
        else:
            stamp = clock.tick()
        assert stamp > last
        assert unpack(stamp)[1] <= COUNTER_MASK
        last = stamp


@pytest.fixture(scope="module")
def sample_payload(panel_template: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    panel = _fresh(panel_template, tmp_path_factory.mktemp("payload"))
    try:
        cid = open_case(panel.hub, share=[panel.police])
        contributions.add_contribution(panel.hub, case_id=cid, text="Zoë Ó Súilleabháin")
        f = panel.ship(panel.hub, panel.police)
        from app.crypto.bundle_open import open_bundle

        opened = open_bundle(f.read_bytes(), lookup_signer=lambda _k: panel.hub.store.device_keys().public().sign_pub,
                             me_device_id=panel.police.workstation.device_id, me=panel.police.store.device_keys())
        return b"\x00" + zlib.decompress(opened.plaintext[1:])
    finally:
        for s in panel.all():
            s.close()


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_payload_parser_fuzz(sample_payload: bytes, data: st.DataObject) -> None:
    buf = bytearray(sample_payload)
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        pos = data.draw(st.integers(0, len(buf)))
        if op == "flip" and pos < len(buf):
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del buf[pos: pos + data.draw(st.integers(1, 40))]
        elif op == "insert":
            buf[pos:pos] = data.draw(st.sampled_from([b"\n", b"{", b"]", b'"', b"1e9", b"\xff", b"null"]))
        else:
            end = min(len(buf), pos + data.draw(st.integers(1, 200)))
            buf[pos:pos] = buf[pos:end]
    with contextlib.suppress(PayloadInvalid):
        parse_payload(bytes(buf))
