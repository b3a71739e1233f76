"""Contributions: what an agency knows about a case, with its marking and restrictions.

Originator control: only the contributing agency may issue a new version or change a marking.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.models import rules
from app.models.domain import Contribution
from app.models.enums import Marking
from app.models.errors import InvalidInput, NotFound
from app.models.fieldrules import check_text
from app.models.ids import AgencyId, ContributionId
from app.services.cases import load_case
from app.services.context import Session
from app.storage import repo
from app.storage.rows import contribution_from


def add_contribution(
    session: Session,
    *,
    case_id: str,
    text: str,
    restricted_to: Sequence[AgencyId] = (),
    marking: Marking = Marking.OFFICIAL_SENSITIVE,
    kind: str = "information",
    supersedes: ContributionId | None = None,
) -> ContributionId:
    text = check_text(text, "The note", required=True)
    if kind not in ("information", "contact", "response"):
        raise InvalidInput("A contribution is information, a contact or a response.")
    with session.change() as w:
        case = load_case(session, w, case_id)
        known = {a.id for a in repo.agencies(w.conn)}
        if set(restricted_to) - known:
            raise InvalidInput("A restriction names an agency that is not on the panel.")
        if supersedes:
            row = repo.get_row(w.conn, "contribution", supersedes)
            if row is None or row.case_id != case.id:
                raise NotFound("The contribution to replace is not on this case.")
            rules.check_may_change_contribution(session.me, contribution_from(row))
        restricted = sorted({*restricted_to, session.agency.id}) if restricted_to else []
        return ContributionId(
            w.create(
                "contribution",
                {
                    "case_id": case.id,
                    "agency_id": session.agency.id,
                    "author": session.me.id,
                    "text": text,
                    "recorded_on": session.today(),
                    "marking": marking,
                    "restricted_to": restricted,
                    "kind": kind,
                    "supersedes": supersedes,
                },
            )
        )


def contributions_for(session: Session, *, case_id: str) -> list[Contribution]:
    with session.view() as conn:
        items = [
            contribution_from(r)
            for r in repo.rows_for_case(conn, "contribution", case_id, "recorded_on")
        ]
    return rules.visible_contributions(items, session.agency.id)
