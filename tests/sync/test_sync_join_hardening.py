"""Hardening of joining (after issue 9): an invitation that has expired is not enrolled, and an
invitation is single-use — a second workstation's card made from it is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from test_sync_join import _invite, _join, cli, fingerprint_in, police_officer

from app.crypto.identity import read_identity_card
from app.crypto.keyfile import KdfParams
from app.models.errors import Refused
from app.services import exchange, joining, panel, setup
from app.services.context import Session
from tests.conftest import PASSPHRASE, copy_store, dump_store

CHEAP = KdfParams.cheap()


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
