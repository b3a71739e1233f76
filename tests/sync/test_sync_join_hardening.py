"""Hardening of joining (after issue 9): an invitation that has expired is not enrolled, and an
invitation is single-use — a second workstation's card made from it is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.crypto.identity import read_identity_card
from app.models.errors import Refused
from app.services import exchange, joining, panel, setup
from app.services.context import Session
from tests.support.joining import cli, fingerprint_in, police_officer
from tests.support.joining import invite as _invite
from tests.support.joining import join as _join
from tests.support.stores import PASSPHRASE, copy_store, dump_store


@pytest.fixture
def hub(mappa_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    s = setup.unlock(copy_store(mappa_template, tmp_path / "hub"), passphrase=PASSPHRASE)
    yield s
    if s.store.is_open:
        s.close()


def _card(tmp_path: Path, data: bytes, fp: str, name: str) -> bytes:
    joined = _join(tmp_path, data, fp, name)
    card = exchange.identity_card(joined)
    joined.close()
    return card


def _enrol(hub: Session, card: bytes) -> exchange.Enrolled:
    return exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)


def test_a_card_from_an_invitation_that_has_expired_is_not_enrolled(
    hub: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, fp, _ = _invite(hub, tmp_path, days=2)
    card = _card(tmp_path, data, fp, "late")  # joined in time ...
    later = dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3)
    monkeypatch.setattr(joining, "_now", lambda: later)  # ... enrolled after the expiry
    before = dump_store(hub)
    with pytest.raises(Refused) as err:
        _enrol(hub, card)
    message = err.value.user_message
    assert "expired on" in message and "new invitation" in message
    assert message.endswith(".") and "\n" not in message
    assert dump_store(hub) == before


def test_an_invitation_enrols_one_workstation_only(hub: Session, tmp_path: Path) -> None:
    data, fp, member_id = _invite(hub, tmp_path)
    first, second = _card(tmp_path, data, fp, "first"), _card(tmp_path, data, fp, "second")
    _enrol(hub, first)
    devices = [d for d in panel.list_devices(hub) if d.member_id == member_id]
    assert [d.id for d in devices] == [read_identity_card(first).device_id]
    _enrol(hub, first)  # the same card again changes nothing and is not refused
    before = dump_store(hub)
    with pytest.raises(Refused) as err:
        _enrol(hub, second)
    message = err.value.user_message
    assert "already been used" in message and "new invitation" in message
    assert dump_store(hub) == before
    assert [d.id for d in panel.list_devices(hub) if d.member_id == member_id] == [
        read_identity_card(first).device_id
    ]


def test_a_second_card_from_one_invitation_is_refused_through_the_command_line(
    hub: Session, tmp_path: Path
) -> None:
    member_id, _ = police_officer(hub)
    hub_path = hub.store.path
    hub.close()
    invited = cli(hub_path, "invite", member_id, "--out", str(tmp_path / "pat.rtinv"))
    fp = fingerprint_in(invited.stdout)
    data = (tmp_path / "pat.rtinv").read_bytes()
    for n, name in enumerate(("one", "two")):
        (tmp_path / f"{name}.rtid").write_bytes(_card(tmp_path, data, fp, name))
        card = read_identity_card((tmp_path / f"{name}.rtid").read_bytes())
        p = cli(hub_path, "enrol", str(tmp_path / f"{name}.rtid"), "--fingerprint",
                card.fingerprint, check=False)
        if n == 0:
            assert p.returncode == 0, p.stderr
        else:
            assert p.returncode == 1 and "already been used" in p.stderr
            assert p.stderr.count("\n") == 1


# --- a member whose membership is revoked ---------------------------------------------------------
def _roundtrip(hub: Session, member: Session, tmp_path: Path, name: str) -> exchange.ImportReport:
    out = tmp_path / f"{name}.rtb"
    exchange.export_bundle(hub, to_member=member.workstation.device_id, out=out)
    return exchange.import_bundle(member, path=out)


def test_a_member_whose_membership_is_revoked_locks_itself_out(hub: Session, tmp_path: Path) -> None:
    from app.models.enums import MemberStatus
    from app.services import cases, contributions, membership

    data, fp, member_id = _invite(hub, tmp_path)
    joined = _join(tmp_path, data, fp, "pat")
    _enrol(hub, exchange.identity_card(joined))
    first = _roundtrip(hub, joined, tmp_path, "first")
    assert first.outcome == "applied" and not first.revoked
    held = cases.list_cases(joined)
    assert held, "the cases shared with the officer's agency arrived"
    # the officer writes a note the hub has not yet received
    contributions.add_contribution(joined, case_id=held[0].id, text="Unsent note about the case.")
    panel.set_member_status(hub, member_id=member_id, status=MemberStatus.REVOKED)  # type: ignore[arg-type]

    revoked = _roundtrip(hub, joined, tmp_path, "revoked")
    assert revoked.outcome == "applied" and revoked.revoked and revoked.evicted >= len(held)
    assert cases.list_cases(joined) == []
    assert membership.membership_revoked(joined)
    dumped = repr(dump_store(joined))
    assert "Unsent note about the case." not in dumped, [(k, [r for r in v if "Unsent" in repr(r)]) for k, v in dump_store(joined).items() if "Unsent" in repr(v)]
    counts = panel.store_status(joined).counts
    assert counts["case"] == counts["subject"] == counts["contribution"] == counts["action"] == 0
    before = dump_store(joined)
    with pytest.raises(Refused, match="revoked this workstation's membership"):
        exchange.export_bundle(joined, to_member=fp, out=tmp_path / "back.rtb")
    assert not (tmp_path / "back.rtb").exists() and dump_store(joined) == before
    audit = [(e.action, e.entity) for e in panel.history(joined, entity="member", record_id=member_id)]
    assert ("revoked", "member") in audit
    joined_path = joined.store.path
    joined.close()
    status = cli(joined_path, "status")
    assert "REVOKED: The coordinator has revoked this workstation's membership" in status.stdout
    p = cli(joined_path, "export", "--to", fp[:11], "--out", str(tmp_path / "back.rtb"), check=False)
    assert p.returncode == 1 and "revoked" in p.stderr and not (tmp_path / "back.rtb").exists()


def test_the_hub_sends_a_revoked_member_no_case_data(hub: Session, tmp_path: Path) -> None:
    from app.models.enums import MemberStatus
    from app.services import cases

    data, fp, member_id = _invite(hub, tmp_path)
    joined = _join(tmp_path, data, fp, "pat")
    _enrol(hub, exchange.identity_card(joined))
    panel.set_member_status(hub, member_id=member_id, status=MemberStatus.REVOKED)  # type: ignore[arg-type]
    out = tmp_path / "never.rtb"
    report = exchange.export_bundle(hub, to_member=joined.workstation.device_id, out=out)
    assert report.cases == 0
    got = exchange.import_bundle(joined, path=out)
    assert got.outcome == "applied" and got.revoked
    assert cases.list_cases(joined) == []
    joined.close()


def test_the_hub_refuses_files_from_a_revoked_member(hub: Session, tmp_path: Path) -> None:
    from app.models.enums import MemberStatus
    from app.services import cases, contributions

    data, fp, member_id = _invite(hub, tmp_path)
    joined = _join(tmp_path, data, fp, "pat")
    _enrol(hub, exchange.identity_card(joined))
    assert _roundtrip(hub, joined, tmp_path, "first").outcome == "applied"
    contributions.add_contribution(joined, case_id=cases.list_cases(joined)[0].id, text="After.")
    out = tmp_path / "late.rtb"
    exchange.export_bundle(joined, to_member=fp, out=out)  # not yet told
    panel.set_member_status(hub, member_id=member_id, status=MemberStatus.REVOKED)  # type: ignore[arg-type]
    before = dump_store(hub)
    got = exchange.import_bundle(hub, path=out)
    assert got.outcome == "rejected" and "revoked" in got.reason
    assert dump_store(hub) == before
    joined.close()


# --- the hub's invitations: listed, and cancelled --------------------------------------------------
def test_invitations_are_listed_and_an_outstanding_one_can_be_cancelled(hub: Session, tmp_path: Path) -> None:
    data, fp, member_id = _invite(hub, tmp_path)
    used_card = _card(tmp_path, data, fp, "used")
    _enrol(hub, used_card)
    r = joining.invite(hub, member=member_id, out=tmp_path / "second.rtinv")
    second_card = _card(tmp_path, (tmp_path / "second.rtinv").read_bytes(), fp, "second")
    states = {i.invitation_id: i.state for i in joining.list_invitations(hub)}
    assert states[r.invitation_id] == "outstanding"
    assert states[read_identity_card(used_card).invitation_id] == "used"

    cancelled = joining.cancel_invitation(hub, r.invitation_id[:10])
    assert cancelled.state == "cancelled"
    assert {i.invitation_id: i.state for i in joining.list_invitations(hub)}[r.invitation_id] == "cancelled"
    before = dump_store(hub)
    with pytest.raises(Refused, match="was cancelled"):
        _enrol(hub, second_card)
    assert dump_store(hub) == before
    with pytest.raises(Refused, match="already cancelled"):
        joining.cancel_invitation(hub, r.invitation_id)
    with pytest.raises(Refused, match="already used"):
        joining.cancel_invitation(hub, read_identity_card(used_card).invitation_id)
    audit = [(e.action, e.fields) for e in panel.history(hub, entity="member", record_id=member_id)]
    assert any(a == "invitation-cancel" for a, _ in audit)


def test_invitations_through_the_command_line(hub: Session, tmp_path: Path) -> None:
    import json

    member_id, _ = police_officer(hub)
    hub_path = hub.store.path
    hub.close()
    cli(hub_path, "invite", member_id, "--out", str(tmp_path / "a.rtinv"))
    rows = json.loads(cli(hub_path, "invitations", "--json").stdout)
    assert [r["state"] for r in rows] == ["outstanding"] and rows[0]["member_id"] == member_id
    listed = cli(hub_path, "invitations").stdout
    assert "outstanding" in listed
    done = cli(hub_path, "invitation", "cancel", rows[0]["invitation_id"])
    assert "cancelled" in done.stdout
    again = cli(hub_path, "invitation", "cancel", rows[0]["invitation_id"], check=False)
    assert again.returncode == 1 and "already cancelled" in again.stderr
    assert json.loads(cli(hub_path, "invitations", "--json").stdout)[0]["state"] == "cancelled"


def test_a_reactivated_member_gets_its_cases_back_and_may_export_again(hub: Session, tmp_path: Path) -> None:
    from app.models.enums import MemberStatus
    from app.services import cases, membership

    data, fp, member_id = _invite(hub, tmp_path)
    joined = _join(tmp_path, data, fp, "pat")
    _enrol(hub, exchange.identity_card(joined))
    _roundtrip(hub, joined, tmp_path, "first")
    held = sorted(c.id for c in cases.list_cases(joined))
    panel.set_member_status(hub, member_id=member_id, status=MemberStatus.REVOKED)  # type: ignore[arg-type]
    assert _roundtrip(hub, joined, tmp_path, "revoked").revoked
    panel.set_member_status(hub, member_id=member_id, status=MemberStatus.ACTIVE)  # type: ignore[arg-type]
    back = _roundtrip(hub, joined, tmp_path, "back")
    assert back.outcome == "applied" and not back.revoked
    assert not membership.membership_revoked(joined)
    assert sorted(c.id for c in cases.list_cases(joined)) == held
    exchange.export_bundle(joined, to_member=fp, out=tmp_path / "to-hub.rtb")
    assert exchange.import_bundle(hub, path=tmp_path / "to-hub.rtb").outcome == "applied"
    audit = [e.action for e in panel.history(joined, entity="member", record_id=member_id)]
    assert "revoked" in audit and "reactivated" in audit
    joined.close()
