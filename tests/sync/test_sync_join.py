"""Joining a panel by invitation (issue 9): the whole round through the command line, every
refusal creating no store, the card linked to the invited member at the hub, an unmatched card
never creating a second agency of a name the panel has, and panel-wide settings travelling."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.config.programmes import load_programme
from app.crypto.identity import read_identity_card
from app.models.enums import MemberStatus, Role
from app.models.errors import Refused
from app.services import exchange, joining, panel, setup
from app.services.context import Session
from app.storage.store_files import key_path
from tests.support.joining import cli, fingerprint_in, police_officer
from tests.support.joining import invite as _invite
from tests.support.joining import join as _join
from tests.support.kdf import CHEAP
from tests.support.stores import PASSPHRASE, copy_store, dump_store
from tests.support.sync_support import PASS

# measured with --durations=30 on two cores: the command line in child processes, 5-60 s a test
pytestmark = pytest.mark.slow







def counts(s: Session) -> tuple[int, int]:
    return len(panel.list_members(s)), len(panel.list_agencies(s))




# --- the whole round through the command line -----------------------------------------------------
def test_joining_by_invitation_through_the_command_line(mappa_template: Path, tmp_path: Path) -> None:
    hub_path = copy_store(mappa_template, tmp_path / "hub")
    hub = setup.unlock(hub_path, passphrase=PASSPHRASE)
    member_id, police_id = police_officer(hub)
    before = counts(hub)
    panel_name = hub.workstation.panel_name
    hub.close()

    invited = cli(hub_path, "invite", member_id, "--out", str(tmp_path / "pat.rtinv"))
    hub_fp = fingerprint_in(invited.stdout)
    assert "expires on" in invited.stdout
    doc = json.loads((tmp_path / "pat.rtinv").read_bytes())
    assert doc["member_id"] == member_id and doc["agency_id"] == police_id
    assert doc["programme"] == "mappa" and doc["panel_name"] == panel_name
    assert not any(k.startswith("case") for k in doc)  # no case data

    officer_path = tmp_path / "officer" / "panel.rtdb"
    made = json.loads(cli(officer_path, "init", "--invitation", str(tmp_path / "pat.rtinv"),
                          "--fingerprint", hub_fp, "--json").stdout)
    assert made["member_id"] == member_id and made["agency_id"] == police_id
    assert made["programme"] == "mappa" and made["panel"] == panel_name
    status = json.loads(cli(officer_path, "status", "--json").stdout)["status"]
    assert status["panel"] == panel_name and status["programme"] == "mappa"
    assert status["role"] == "officer" and status["agency"] == "Northshire Police"

    cli(officer_path, "identity", "--out", str(tmp_path / "pat.card"))
    card = read_identity_card((tmp_path / "pat.card").read_bytes())
    assert card.member_id == member_id and card.from_invitation
    cli(hub_path, "enrol", str(tmp_path / "pat.card"), "--fingerprint", card.fingerprint)
    hub = setup.unlock(hub_path, passphrase=PASSPHRASE)
    assert counts(hub) == before  # a device of the listed member: no new member, no new agency
    device = next(d for d in panel.list_devices(hub) if d.id == card.device_id)
    assert device.member_id == member_id
    hub.close()
    members = json.loads(cli(hub_path, "members", "--json").stdout)
    assert sum(m["name"] == card.name for m in members) == 1

    cli(hub_path, "export", "--to", card.device_id, "--out", str(tmp_path / "to-pat.rtb"))
    got = json.loads(cli(officer_path, "import", str(tmp_path / "to-pat.rtb"), "--json").stdout)
    assert got["outcome"] == "applied" and got["applied"] > 0
    shared = json.loads(cli(officer_path, "cases", "--json").stdout)[0]
    cli(officer_path, "note", shared["id"], "--text", "Seen at home; engaging well.")
    cli(officer_path, "export", "--to", hub_fp[:11], "--out", str(tmp_path / "from-pat.rtb"))
    back = json.loads(cli(hub_path, "import", str(tmp_path / "from-pat.rtb"), "--json").stdout)
    # the note is authorised as the listed member's, in Northshire Police's name
    assert back["outcome"] == "applied" and back["applied"] >= 1 and not back["refused"]

    hub = setup.unlock(hub_path, passphrase=PASSPHRASE)
    assert counts(hub) == before
    hub.close()
    officer = setup.unlock(officer_path, passphrase=PASSPHRASE)
    assert counts(officer) == before  # the panel's agencies and members reached the member store
    assert officer.workstation.panel_name == panel_name
    officer.close()
    listed = cli(officer_path, "cases").stdout
    assert "MAPPA category" in listed  # the programme's labels, not the default programme's
    rows = json.loads(cli(officer_path, "cases", "--json").stdout)
    assert rows, "the cases shared with Northshire Police reached the officer"
    mappa = load_programme("mappa")
    for r in rows:
        assert r["status_label"] == mappa.status_label(r["status"])
        assert r["status_label"] != r["status"]


# --- refusals: no store is created ---------------------------------------------------------------
@pytest.fixture
def hub(mappa_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    s = setup.unlock(copy_store(mappa_template, tmp_path / "hub"), passphrase=PASSPHRASE)
    yield s
    if s.store.is_open:
        s.close()




def _no_store(path: Path) -> None:
    assert not path.exists() and not key_path(path).exists()
    assert not any(path.parent.glob("*")) if path.parent.exists() else True


def _tampered(data: bytes) -> bytes:
    doc = json.loads(data)
    doc["role"] = "chair"
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize("case", ["tampered", "flipped", "expired", "wrong-fingerprint",
                                  "not-an-invitation", "other-card"])
def test_a_refused_invitation_creates_no_store(hub: Session, tmp_path: Path, case: str) -> None:
    data, fp, _ = _invite(hub, tmp_path)
    now = dt.datetime.now(tz=dt.UTC)
    if case == "tampered":
        data = _tampered(data)
    elif case == "flipped":
        i = data.index(b'"member_name":"') + 16
        data = data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]
    elif case == "expired":
        now = now + dt.timedelta(days=15)
    elif case == "wrong-fingerprint":
        fp = "12345 " * 8
    elif case == "not-an-invitation":
        data = exchange.identity_card(hub)
    elif case == "other-card":  # the signature re-made by someone else with their own card inside
        other = setup.create_store(tmp_path / "other" / "o.rtdb", passphrase=PASS, name="Mallory",
                                   agency="Council", role=Role.COORDINATOR, kdf=CHEAP).session
        from app.crypto.invitation import make_invitation, read_invitation

        inv = read_invitation(data)
        fields = {k: getattr(inv, k) for k in (
            "invitation_id", "panel_id", "panel_name", "programme", "member_id", "member_name",
            "role", "area", "agency_id", "agency_name", "agency_short")}
        data = make_invitation(other.store.device_keys(), coordinator_card=exchange.identity_card(other),
                               fields=fields, issued=inv.issued, expires=inv.expires)
        other.close()
    target = tmp_path / "joined" / "panel.rtdb"
    with pytest.raises((Refused, joining.InvalidInput)) as err:  # type: ignore[attr-defined]
        joining.join_panel(target, invitation=data, fingerprint=fp, passphrase=PASS, kdf=CHEAP,
                           now=lambda: now)
    message = err.value.user_message
    assert message.endswith(".") and "\n" not in message
    expected = {"tampered": "altered", "flipped": "altered", "expired": "expired",
                "wrong-fingerprint": "fingerprint does not match", "not-an-invitation": "not a Roundtable invitation",
                "other-card": "fingerprint does not match"}[case]
    assert expected in message
    _no_store(target)


def test_refusals_through_the_command_line_exit_1_and_create_nothing(hub: Session, tmp_path: Path) -> None:
    data, fp, _ = _invite(hub, tmp_path)
    hub.close()
    (tmp_path / "bad.rtinv").write_bytes(_tampered(data))
    target = tmp_path / "joined" / "panel.rtdb"
    for inv, typed, why in ((tmp_path / "inv.rtinv", "11111 " * 8, "fingerprint does not match"),
                            (tmp_path / "bad.rtinv", fp, "altered")):
        p = cli(target, "init", "--invitation", str(inv), "--fingerprint", typed, check=False)
        assert p.returncode == 1 and why in p.stderr and p.stderr.count("\n") == 1
        _no_store(target)
    usage = cli(target, "init", "--invitation", str(tmp_path / "inv.rtinv"), check=False)
    assert usage.returncode == 2
    _no_store(target)


def test_an_officer_cannot_invite(tmp_path: Path) -> None:
    s = setup.create_store(tmp_path / "o.rtdb", passphrase=PASS, name="Pat", agency="Police",
                           role=Role.OFFICER, kdf=CHEAP).session
    s.close()
    p = cli(tmp_path / "o.rtdb", "invite", "0" * 8, "--out", str(tmp_path / "x.rtinv"), check=False)
    assert p.returncode == 1 and not (tmp_path / "x.rtinv").exists()




def test_a_removed_member_is_not_invited_nor_enrolled(hub: Session, tmp_path: Path) -> None:
    data, fp, member_id = _invite(hub, tmp_path)
    joined = _join(tmp_path, data, fp)
    card = exchange.identity_card(joined)
    joined.close()
    panel.set_member_status(hub, member_id=member_id, status=MemberStatus.REVOKED)  # type: ignore[arg-type]
    before = dump_store(hub)
    with pytest.raises(Refused, match="removed from the panel"):
        exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    assert dump_store(hub) == before
    with pytest.raises(Refused, match="removed from the panel"):
        joining.invite(hub, member=member_id, out=tmp_path / "again.rtinv")
    assert not (tmp_path / "again.rtinv").exists()


def test_a_card_from_another_panels_invitation_is_refused(hub: Session, tmp_path: Path, mappa_template: Path) -> None:
    other = setup.create_store(tmp_path / "other" / "o.rtdb", passphrase=PASS, name="Olive",
                               agency="Elsewhere Council", role=Role.COORDINATOR, kdf=CHEAP).session
    police = panel.add_agency(other, name="Elsewhere Police", short="EP", sector="police")
    mid = panel.add_member(other, name="Eve Officer", agency_id=police, role=Role.OFFICER)
    r = joining.invite(other, member=mid, out=tmp_path / "o.rtinv")
    joined = _join(tmp_path, (tmp_path / "o.rtinv").read_bytes(), r.fingerprint)
    card = exchange.identity_card(joined)
    joined.close()
    other.close()
    before = dump_store(hub)
    with pytest.raises(Refused, match="another panel"):
        exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    assert dump_store(hub) == before


def test_a_card_naming_an_invitation_never_issued_is_refused(hub: Session, tmp_path: Path) -> None:
    data, fp, _ = _invite(hub, tmp_path)
    joined = _join(tmp_path, data, fp)
    with joined.change() as w:  # as if the joined store had been given another invitation's id
        from app.storage import meta

        meta.put(w.conn, "invitation_id", "00000000-0000-4000-8000-000000000000")
    card = exchange.identity_card(joined)
    joined.close()
    before = dump_store(hub)
    with pytest.raises(Refused, match="did not issue"):
        exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    assert dump_store(hub) == before


# --- the joined store and the hub exchanging ------------------------------------------------------
def test_a_joined_store_is_the_member_and_trusts_the_coordinator(hub: Session, tmp_path: Path) -> None:
    data, fp, member_id = _invite(hub, tmp_path, days=3)
    doc = json.loads(data)
    issued, expires = (dt.datetime.fromisoformat(doc[k]) for k in ("issued", "expires"))
    assert expires - issued == dt.timedelta(days=3)
    preview = joining.preview_invitation(data)
    assert preview.member_name and preview.coordinator_name == hub.workstation.member.name
    assert fp.replace(" ", "") not in repr(preview).replace(" ", "")
    joined = _join(tmp_path, data, fp)
    ws = joined.workstation
    assert ws.member.id == member_id and ws.device_id != member_id
    assert ws.programme == "mappa" and ws.panel_name == hub.workstation.panel_name
    assert [p.device_id for p in exchange.peers(joined)] == [hub.workstation.device_id]
    with pytest.raises(Refused, match="already trusts"):
        exchange.enrol(joined, card=exchange.identity_card(hub), fingerprint=fp)
    joined.close()


def test_settings_changed_at_the_hub_reach_member_stores(hub: Session, tmp_path: Path) -> None:
    data, fp, _ = _invite(hub, tmp_path)
    joined = _join(tmp_path, data, fp)
    card = exchange.identity_card(joined)
    exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    settings = panel.get_settings(hub)
    from dataclasses import replace

    panel.save_settings(hub, settings=replace(settings, panel_name="Northshire MAPPA (renamed)",
                                              auto_lock_minutes=3))
    out = tmp_path / "b.rtb"
    exchange.export_bundle(hub, to_member=joined.workstation.device_id, out=out)
    assert exchange.import_bundle(joined, path=out).outcome == "applied"
    got = panel.get_settings(joined)
    assert got.panel_name == "Northshire MAPPA (renamed)" and got.auto_lock_minutes == 3
    assert joined.workstation.panel_name == "Northshire MAPPA (renamed)"
    with pytest.raises(Refused):  # shown read-only: only the coordinator changes them
        panel.save_settings(joined, settings=replace(got, auto_lock_minutes=30))
    joined.close()


def test_a_member_set_up_without_an_invitation_learns_the_panels_name_and_programme(
    hub: Session, tmp_path: Path
) -> None:
    s = setup.create_store(tmp_path / "m" / "m.rtdb", passphrase=PASS, name="Nat Nurse",
                           agency="Northshire Health", role=Role.OFFICER, kdf=CHEAP).session
    assert s.workstation.programme != "mappa" and s.workstation.panel_name == "Risk panel"
    card = exchange.identity_card(s)
    exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    hub_card = exchange.identity_card(hub)
    exchange.enrol(s, card=hub_card, fingerprint=hub.workstation.fingerprint)
    out = tmp_path / "b.rtb"
    exchange.export_bundle(hub, to_member=s.workstation.device_id, out=out)
    assert exchange.import_bundle(s, path=out).outcome == "applied"
    assert s.workstation.programme == "mappa"
    assert s.workstation.panel_name == hub.workstation.panel_name
    s.close()


# --- a card that matches no invitation --------------------------------------------------------------
def test_an_unmatched_card_never_creates_a_second_agency_of_the_same_name(hub: Session, tmp_path: Path) -> None:
    _, police_id = police_officer(hub)
    s = setup.create_store(tmp_path / "m" / "m.rtdb", passphrase=PASS, name="Sam Sergeant",
                           agency="Northshire Police", role=Role.OFFICER, kdf=CHEAP).session
    card = exchange.identity_card(s)
    fp = read_identity_card(card).fingerprint
    hub_card = exchange.identity_card(hub)
    exchange.enrol(s, card=hub_card, fingerprint=hub.workstation.fingerprint)
    device_id = s.workstation.device_id
    s.close()
    (tmp_path / "sam.card").write_bytes(card)
    hub_path = hub.store.path
    members, agencies = counts(hub)
    choice = exchange.agency_choice(hub, card)
    assert choice.needed and choice.suggested == police_id and not choice.new_allowed
    hub.close()

    refused = cli(hub_path, "enrol", str(tmp_path / "sam.card"), "--fingerprint", fp, check=False)
    assert refused.returncode == 1
    assert "already has an agency called" in refused.stderr and "--agency" in refused.stderr
    cli(hub_path, "enrol", str(tmp_path / "sam.card"), "--fingerprint", fp, "--agency", "NP")
    h = setup.unlock(hub_path, passphrase=PASSPHRASE)
    assert counts(h) == (members + 1, agencies)
    names = [a.name for a in panel.list_agencies(h)]
    assert names.count("Northshire Police") == 1
    sam = next(m for m in panel.list_members(h) if m.name == "Sam Sergeant")
    assert sam.agency_id == police_id
    out = tmp_path / "b.rtb"
    exchange.export_bundle(h, to_member=device_id, out=out)
    h.close()
    s = setup.unlock(tmp_path / "m" / "m.rtdb", passphrase=PASS)
    assert exchange.import_bundle(s, path=out).outcome == "applied"
    assert s.workstation.agency.id == police_id  # the hub's record of the member decides
    s.close()
