"""Every transfer file that must not be applied is rejected with the store byte-for-byte the same
(every row of every table): tampered anywhere, truncated, extended, replayed, addressed to another
panel, from a panel not enrolled, from another programme, a reply to a transfer never offered or
from the wrong panel; and what travels holds no restricted text."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models.errors import AppError, BundleRejected, Refused
from app.services import contributions, transfer
from app.services.transfer import files as tfiles
from tests.support.partner_stores import enrol_each_other, open_case_id
from tests.support.stores import dump_store

SECRET = "Restricted detail QV-9981 held by the police only"


def _rejected(session, path: Path, **kw) -> AppError:
    before = dump_store(session)
    with pytest.raises(AppError) as err:
        transfer.import_file(session, path=path, **kw)
    assert dump_store(session) == before
    return err.value


@pytest.fixture
def pair(session, south):
    enrol_each_other(session, south)
    return session, south


def _offer(north, south_name: str, tmp_path: Path, n: int = 0) -> tuple[str, Path]:
    case_id = open_case_id(north, n)
    out = tmp_path / f"offer-{n}.rtt"
    transfer.offer(north, case=case_id, to=south_name, out=out)
    return case_id, out


def test_nothing_restricted_travels(pair, tmp_path: Path):
    north, south = pair
    case_id = open_case_id(north)
    police = next(a for a in north.agency_names() if "olice" in north.agency_names()[a])
    contributions.add_contribution(north, case_id=case_id, text=SECRET, restricted_to=[police])
    out = tmp_path / "offer.rtt"
    r = transfer.offer(north, case=case_id, to=south.workstation.panel_name, out=out)
    assert r.restricted >= 1
    res = transfer.import_file(south, path=out)
    assert SECRET not in repr(res.content)
    assert any(x["line"].startswith("held by ") and x["line"].endswith("; ask them")
               for x in res.content["restricted"])
    # and the plaintext the partner decrypts never held it either
    from app.crypto.bundle_open import open_bundle

    opened = open_bundle(out.read_bytes(), lookup_signer=lambda _k: north.store.device_keys().public().sign_pub,
                         me_device_id=south.workstation.device_id, me=south.store.device_keys())
    assert SECRET.encode() not in opened.plaintext


@pytest.mark.parametrize("where", ["prelude", "header", "payload", "signature"])
def test_a_flipped_bit_anywhere(pair, tmp_path: Path, where: str):
    north, south = pair
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    data = bytearray(out.read_bytes())
    at = {"prelude": 20, "header": 60, "payload": len(data) // 2, "signature": len(data) - 3}[where]
    data[at] ^= 0x01
    bad = tmp_path / "bad.rtt"
    bad.write_bytes(bytes(data))
    assert isinstance(_rejected(south, bad), BundleRejected)


def test_truncated_or_extended(pair, tmp_path: Path):
    north, south = pair
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    data = out.read_bytes()
    for variant in (data[:-1], data[: len(data) // 2], data[:30], data + b"\0", b""):
        bad = tmp_path / "bad.rtt"
        bad.write_bytes(variant)
        _rejected(south, bad)


def test_addressed_to_another_panel(pair, west, tmp_path: Path):
    north, south = pair
    enrol_each_other(north, west)
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    e = _rejected(west, out)
    assert "not addressed to this workstation" in e.user_message


def test_from_a_panel_not_enrolled(pair, west, tmp_path: Path):
    north, _ = pair
    from app.services import partners
    from tests.support.partner_stores import card_of

    card, fpr = card_of(north)
    partners.enrol_partner(west, card, fpr)  # west knows north; north does not know west
    out = tmp_path / "from-west.rtt"
    transfer.offer(west, case=_west_case(west), to=north.workstation.panel_name, out=out)
    e = _rejected(north, out)
    assert "not from an enrolled partner panel" in e.user_message


def _west_case(west) -> str:
    from app.services import demo

    demo.build_demo(west, cases=3, seed=3)
    return open_case_id(west)


def test_replayed_and_reused_ids(pair, tmp_path: Path):
    north, south = pair
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    reply = tmp_path / "reply.rtt"
    transfer.import_file(south, path=out, decline=True, reason="Not known here", out=reply)
    assert "already declined" in _rejected(south, out).user_message
    assert "already declined" in _rejected(south, out, accept=True, out=tmp_path / "r2").user_message
    transfer.import_file(north, path=reply)
    assert "already imported" in _rejected(north, reply).user_message
    assert not (tmp_path / "r2").exists()


def test_a_reply_to_a_transfer_never_offered(pair, tmp_path: Path):
    north, south = pair
    from app.models.ids import new_id
    from app.services import partners

    partner = partners.list_partners(south)[0]

    _, data = tfiles.seal(south, partner, "decline", new_id(), {"reason": "Made up"})
    f = tmp_path / "forged.rtt"
    f.write_bytes(data)
    assert "did not offer" in _rejected(north, f).user_message


def test_a_reply_from_the_wrong_panel(pair, west, tmp_path: Path):
    north, south = pair
    enrol_each_other(north, west)
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    south_view = transfer.import_file(south, path=out)
    from app.services import partners

    to_north = next(p for p in partners.list_partners(west))
    _, data = tfiles.seal(west, to_north, "accept", south_view.transfer.id,
                          {"ref": "RT-2026-0001", "discuss_by": None})
    f = tmp_path / "west-reply.rtt"
    f.write_bytes(data)
    assert "another panel" in _rejected(north, f).user_message


def test_another_programme(pair, tmp_path: Path):
    north, south = pair
    from app.services import partners

    to_north = next(p for p in partners.list_partners(south))
    ws = south.workstation
    south._workstation = type(ws)(**{**ws.__dict__, "programme": "mappa"})
    with pytest.raises(Refused, match="another programme"):
        transfer.offer(south, case="x", to=to_north.name, out=tmp_path / "never.rtt")
    _, data = tfiles.seal(south, to_north, "decline", "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                          {"reason": "x"})
    south.refresh_workstation()
    f = tmp_path / "mappa.rtt"
    f.write_bytes(data)
    assert "another programme" in _rejected(north, f).user_message
    assert not (tmp_path / "never.rtt").exists()


def test_an_answer_that_cannot_be_written_changes_nothing(pair, tmp_path: Path):
    north, south = pair
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    _rejected(south, out, accept=True, out=tmp_path / "no-such-folder" / "x" / "reply.rtt")


def test_every_offer_acceptance_and_decline_is_audited_on_both_sides(pair, tmp_path: Path):
    from app.services import panel
    from app.storage import audit as audit_store

    north, south = pair
    case_id, out = _offer(north, south.workstation.panel_name, tmp_path, 0)
    reply = tmp_path / "accept.rtt"
    got = transfer.import_file(south, path=out, accept=True, out=reply)
    transfer.import_file(north, path=reply)
    case2 = open_case_id(north, 1)
    with north.view() as conn:
        status_before = [e.action for e in audit_store.entries_for(conn, "case", case2)].count("status")
    case2, out2 = _offer(north, south.workstation.panel_name, tmp_path, 1)
    reply2 = tmp_path / "decline.rtt"
    transfer.import_file(south, path=out2, decline=True, reason="Not ours", out=reply2)
    transfer.import_file(north, path=reply2)
    with north.view() as conn:
        n1 = [e.action for e in audit_store.entries_for(conn, "case", case_id)]
        n2 = [e.action for e in audit_store.entries_for(conn, "case", case2)]
    assert {"disclosure-transfer-offer", "transfer-accepted", "status"} <= set(n1)
    assert {"disclosure-transfer-offer", "transfer-declined"} <= set(n2)
    assert n2.count("status") == status_before  # a decline changes nothing of the case
    new_case = got.answered.case_id
    with south.view() as conn:
        s1 = [e.action for e in audit_store.entries_for(conn, "transfer", got.transfer.id)]
        s2 = [e.action for e in audit_store.entries_for(conn, "case", new_case)]
    assert "transfer-offer-received" in s1 and "disclosure-transfer-accept" in s2
    declined = next(t for t in transfer.list_transfers(south) if t.state == "declined")
    with south.view() as conn:
        s3 = [e.action for e in audit_store.entries_for(conn, "transfer", declined.id)]
    assert {"transfer-offer-received", "disclosure-transfer-decline"} <= set(s3)
    assert panel.verify_audit(north).ok and panel.verify_audit(south).ok


def test_accepted_case_is_put_to_the_first_meeting_within_the_transfer_in_time(pair, tmp_path: Path):
    import datetime as dt

    from app.services import meetings
    from tests.support.stores import today

    north, south = pair
    days = south.programme.transfer.in_working_days
    assert days == 15  # the Channel programme file's value
    late = meetings.schedule_meeting(south, held_on=today() + dt.timedelta(days=40))
    soon = meetings.schedule_meeting(south, held_on=today() + dt.timedelta(days=10))
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    got = transfer.import_file(south, path=out, accept=True, out=tmp_path / "r.rtt")
    a = got.answered
    assert a.meeting_on == today() + dt.timedelta(days=10)
    assert a.discuss_by == dt.date(2026, 12, 21)  # 15 working days after Monday 30 November
    on_soon = meetings.get_meeting(south, meeting_id=soon).agenda
    assert [i.case_id for i in on_soon] == [a.case_id]
    assert meetings.get_meeting(south, meeting_id=late).agenda == ()
    from app.services import cases

    cf = cases.get_case_file(south, a.case_id, audit_view=False)
    assert cf.case.status == south.programme.initial_status
    assert cf.referral.referrer.startswith(f"Transferred in from {north.workstation.panel_name}, ref RT-")


def test_no_meeting_in_time_proposes_none(pair, tmp_path: Path):
    north, south = pair
    _, out = _offer(north, south.workstation.panel_name, tmp_path)
    got = transfer.import_file(south, path=out, accept=True, out=tmp_path / "r.rtt")
    assert got.answered.meeting_on is None and got.answered.discuss_by is not None
