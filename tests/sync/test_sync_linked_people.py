"""A person linked to a case (MARAC's person causing harm) travels under the case's need-to-know:
to an agency the case is shared with, never to one it is not, and is evicted with the case."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.models.domain import Identifier
from app.services import exchange, linked_people
from app.services.cases import sharing
from tests.support.sync_support import Panel, dump, open_case


def _marac(panel: Panel) -> None:
    # the hub runs the MARAC programme (sector "education" and concern "other" exist in it too)
    panel.hub._workstation = dataclasses.replace(panel.hub.workstation, programme="marac")


def test_a_linked_person_travels_only_where_the_case_may_go(panel: Panel) -> None:
    _marac(panel)
    cid = open_case(panel.hub, share=[panel.police])
    pid = linked_people.add_person(
        panel.hub, case_id=cid, role="perpetrator",
        person=linked_people.PersonInput(forenames="Darren", surname="Kell", date_of_birth=dt.date(1985, 2, 14),
                                         identifiers=(Identifier("pnc", "12/345678A"),)),
    )
    assert exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police)).ok
    assert exchange.import_bundle(panel.health, path=panel.ship(panel.hub, panel.health)).ok
    police_people = dump(panel.police).get("linked_person", [])
    assert [r[0] for r in police_people] == [pid]
    assert [p.display_name for p in linked_people.people_of(panel.police, cid)] == ["Darren Kell"]
    assert dump(panel.health).get("linked_person", []) == []  # the case is not shared with Health

    # the case is unshared from Police: the person goes with it
    sharing.set_sharing(panel.hub, case_id=cid, shared_with=[panel.hub.workstation.agency.id])
    r = exchange.import_bundle(panel.police, path=panel.ship(panel.hub, panel.police))
    assert r.ok and r.evicted == 1
    assert dump(panel.police).get("linked_person", []) == []
