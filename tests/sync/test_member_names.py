"""One way to name a member (``app.services.members``): ``pack --recipient``, ``export --to`` and
``invite`` accept the same strings and refuse ambiguity the same way."""

from __future__ import annotations

import pytest

from app.models.errors import Ambiguous, InvalidInput, NotFound
from app.services import exchange, joining, members
from app.services import panel as panel_svc
from tests.support.sync_support import Panel


def _three_ways(hub, text: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    return (
        members.resolve_member(hub, text).id,
        exchange.resolve_member(hub, text).member_id,
        joining.resolve_listed_member(hub, text).id,
    )


def test_pack_export_and_invite_accept_the_same_names_for_a_member(panel: Panel) -> None:
    police = panel.police.workstation
    hub = panel.hub
    peer = next(p for p in exchange.peers(hub) if p.member_id == police.member.id)
    fpr = peer.fingerprint
    written = [
        police.member.id,
        police.member.id.upper(),
        police.member.id[:8],
        police.device_id,
        fpr,
        fpr.replace(" ", ""),
        fpr.replace(" ", "-"),
        fpr.replace(" ", ":"),
        fpr.replace(" ", "")[:9],
        "Pat Constable",
        "  pat   CONSTABLE ",
    ]
    for text in written:
        assert _three_ways(hub, text) == (police.member.id,) * 3, text


def test_every_way_refuses_what_names_no_one_or_more_than_one(panel: Panel) -> None:
    hub = panel.hub
    police = panel.police.workstation
    panel_svc.update_member(hub, member_id=panel.health.workstation.member.id, name="Pat Constable")
    resolvers = (members.resolve_member, exchange.resolve_member, joining.resolve_listed_member)
    for resolve in resolvers:
        with pytest.raises(Ambiguous, match="more than one member"):
            resolve(hub, "pat constable")
        with pytest.raises(NotFound, match="no such member"):
            resolve(hub, "ffffffff-none")
        with pytest.raises(NotFound, match="no such member"):
            resolve(hub, police.member.id[:6])  # a prefix shorter than 8 characters names no one
        with pytest.raises(InvalidInput, match="Name a member"):
            resolve(hub, "   ")
