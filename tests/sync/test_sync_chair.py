"""The chair rule (docs/programmes.md, "The chair"): the chair of a panel holds and sees every case
on the agenda of a meeting they chair, and every case awaiting panel, without the case being
shared with the chair's agency; a non-chair officer of the same agency does not."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from app.crypto.identity import read_identity_card
from app.models.domain import Objective, RiskStatement
from app.models.enums import Role
from app.models.errors import NotFound
from app.models.programme import ChairRule, Programme
from app.services import cases, exchange, meetings, risk, setup
from app.services.cases import lifecycle
from app.services.context import Session
from tests.support.kdf import CHEAP
from tests.support.sync_support import PASS, Panel, open_case, open_store


@pytest.fixture
def chair(panel: Panel) -> Iterator[Session]:
    """A chair's workstation in the Police agency (the agency of ``panel.police``), enrolled."""
    path = panel.folder / "chair.rtdb"
    made = setup.create_store(
        path, passphrase=PASS, name="Chris Chair", agency="Police", role=Role.CHAIR,
        agency_id=panel.police.workstation.agency.id, kdf=CHEAP,
    ).session
    hub_card = exchange.identity_card(panel.hub)
    card = exchange.identity_card(made)
    exchange.enrol(panel.hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    exchange.enrol(made, card=hub_card, fingerprint=read_identity_card(hub_card).fingerprint)
    made.close()
    s = open_store(path)
    yield s
    if s.store.is_open:
        s.close()


def _meeting(panel: Panel, chair: Session, case_ids: list[str]) -> str:
    return meetings.schedule_meeting(
        panel.hub, held_on=dt.date(2026, 12, 10), chair=chair.workstation.member.id,
        case_ids=case_ids,
    )


def _receive(panel: Panel, who: Session) -> None:
    r = exchange.import_bundle(who, path=panel.ship(panel.hub, who))
    assert r.outcome == "applied", r.reason


def test_chair_holds_and_sees_an_agenda_case_not_shared_with_their_agency(
    panel: Panel, chair: Session
) -> None:
    shared = open_case(panel.hub, share=[panel.police], surname="Shared")
    agenda = open_case(panel.hub, share=[panel.health], surname="Agenda")
    elsewhere = open_case(panel.hub, share=[panel.health], surname="Elsewhere")
    _meeting(panel, chair, [shared, agenda])
    _receive(panel, chair)
    _receive(panel, panel.police)

    # the chair's store holds the agenda case and shows it (list, case file, find by ref)
    assert set(cases.list_case_ids(chair)) == {shared, agenda}
    f = cases.get_case_file(chair, agenda)
    assert f.subject.surname == "Agenda"
    assert cases.resolve_case(chair, f.case.ref).id == agenda
    with pytest.raises(NotFound):
        cases.get_case_file(chair, elsewhere)
    # an officer of the same agency does not receive it
    assert set(cases.list_case_ids(panel.police)) == {shared}
    with pytest.raises(NotFound):
        cases.get_case_file(panel.police, agenda)


def test_chair_approves_a_plan_on_an_agenda_case_and_the_hub_accepts_it(
    panel: Panel, chair: Session
) -> None:
    cid = open_case(panel.hub, share=[panel.health])
    heading = panel.hub.programme.plan_headings[0].id
    pid = risk.save_plan(
        panel.hub, case_id=cid,
        plan=risk.PlanInput(RiskStatement(nature="n"), (Objective(heading, "Keep safe", ()),), "c"),
    )
    _meeting(panel, chair, [cid])
    _receive(panel, chair)
    risk.approve_plan(chair, plan_id=pid)
    r = exchange.import_bundle(panel.hub, path=panel.ship(chair, panel.hub))
    assert r.outcome == "applied", r.reason
    plan = cases.get_case_file(panel.hub, cid).current_plan
    assert plan is not None and plan.approved_by == chair.workstation.member.id


def test_chair_sees_cases_awaiting_panel(panel: Panel, chair: Session) -> None:
    cid = open_case(panel.hub, share=[panel.health])
    hub = panel.hub
    lifecycle.change_status(hub, case_id=cid, status="police-assessment", rationale="")  # the police gateway first
    lifecycle.change_status(hub, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(hub, case_id=cid, outcome="suitable", rationale="Threshold met.")
    awaiting = next(iter(hub.programme.chair.statuses))
    if cases.get_case_file(hub, cid).case.status != awaiting:
        lifecycle.change_status(hub, case_id=cid, status=awaiting, rationale="Ready for panel.")
    _receive(panel, chair)
    _receive(panel, panel.police)
    assert cid in cases.list_case_ids(chair)
    assert cid not in cases.list_case_ids(panel.police)


def test_a_programme_without_the_chair_rule_keeps_the_chair_to_their_agency(
    panel: Panel, chair: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Session.programme.fget  # type: ignore[attr-defined]

    def without_rule(self: Session) -> Programme:
        return dataclasses.replace(original(self), chair=ChairRule())

    monkeypatch.setattr(Session, "programme", property(without_rule))
    cid = open_case(panel.hub, share=[panel.health])
    _meeting(panel, chair, [cid])
    _receive(panel, chair)
    assert cid not in cases.list_case_ids(chair)


def test_leaving_the_chair_evicts_the_case(panel: Panel, chair: Session) -> None:
    cid = open_case(panel.hub, share=[panel.health])
    mid = _meeting(panel, chair, [cid])
    _receive(panel, chair)
    assert cid in cases.list_case_ids(chair)
    m = meetings.get_meeting(panel.hub, meeting_id=mid)
    meetings.update_meeting(panel.hub, meeting_id=mid, held_on=m.held_on, time=m.time,
                            venue=m.venue, chair=None)
    _receive(panel, chair)
    assert cid not in cases.list_case_ids(chair)


def test_a_chair_who_moves_a_case_on_still_accepts_the_hubs_next_file(panel: Panel, chair: Session) -> None:
    """The chair adopts a case awaiting panel on their own store; before the hub hears of it, the
    hub's next file still carries that case (awaiting panel there): the chair's store accepts it
    (its own change put the case outside the rule locally, not the hub)."""
    from app.services import contributions

    cid = open_case(panel.hub, share=[panel.health])
    hub = panel.hub
    lifecycle.change_status(hub, case_id=cid, status="police-assessment", rationale="")  # the police gateway first
    lifecycle.change_status(hub, case_id=cid, status="screening", rationale="")
    lifecycle.screen_case(hub, case_id=cid, outcome="suitable", rationale="Threshold met.")
    awaiting = next(iter(hub.programme.chair.statuses))
    if cases.get_case_file(hub, cid).case.status != awaiting:
        lifecycle.change_status(hub, case_id=cid, status=awaiting, rationale="Ready for panel.")
    from app.services import meetings
    from app.services.meetings import minutes

    # adoption is the panel's decision: heard at a meeting (which the chair does not chair)
    mid = meetings.schedule_meeting(hub, held_on=hub.today(), case_ids=[cid])
    meetings.record_confidentiality(hub, meeting_id=mid, read=True)
    minutes.mark_held(hub, meeting_id=mid)
    _receive(panel, chair)
    adopted = hub.programme.adopted_status
    lifecycle.change_status(chair, case_id=cid, status=adopted, rationale="Panel agreed.")
    contributions.add_contribution(hub, case_id=cid, text="More from the coordinator.")
    _receive(panel, chair)  # refused before: "outside this agency's scope"
    r = exchange.import_bundle(hub, path=panel.ship(chair, hub))
    assert r.outcome == "applied", r.reason
    assert cases.get_case_file(hub, cid).case.status == adopted
    _receive(panel, chair)  # the hub now evicts it: no longer awaiting panel, on no agenda
    assert cid not in cases.list_case_ids(chair)
