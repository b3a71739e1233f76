"""Actions: raised by the coordinator, updated only by the agency that owns them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from app.models import rules
from app.models.domain import Action
from app.models.enums import ActionStatus, Role
from app.models.errors import InvalidInput, NotFound
from app.models.fieldrules import check_text, field_limit
from app.models.ids import ActionId, AgencyId, MeetingId, MemberId
from app.services.cases import case_reach, load_case
from app.services.context import Session
from app.storage import action_queries, case_list, ref_queries, repo


def create_action(
    session: Session,
    *,
    case_id: str,
    title: str,
    owner_agency: AgencyId,
    due: dt.date,
    owner: MemberId | None = None,
    meeting_id: MeetingId | None = None,
) -> ActionId:
    rules.check_role(session.me, Role.COORDINATOR, Role.CHAIR, doing="raise an action")
    title = check_text(title, "The action", required=True, limit=field_limit("action", "title"))
    with session.change() as w:
        case = load_case(session, w, case_id)
        if repo.get_row(w.conn, "agency", owner_agency) is None:
            raise InvalidInput("The owning agency is not on the panel.")
        if owner and repo.get_row(w.conn, "member", owner) is None:
            raise InvalidInput("The owner is not a panel member.")
        return ActionId(
            w.create(
                "action",
                {
                    "case_id": case.id,
                    "title": title,
                    "owner_agency": owner_agency,
                    "owner": owner,
                    "due": due,
                    "status": ActionStatus.OPEN,
                    "created_on": session.today(),
                    "meeting_id": meeting_id,
                    "completed_on": None,
                },
            )
        )


def update_action(
    session: Session, *, action_id: str, status: ActionStatus, note: str = ""
) -> None:
    """Only the owning agency (or the coordinator) may update an action."""
    note = check_text(note, "The note", limit=field_limit("action_update", "note"))
    with session.change() as w:
        action = _get_action(session, w.conn, action_id)
        rules.check_may_update_action(session.me, action)
        _update_in(session, w, action, status, note)


def _update_in(
    session: Session, w: object, action: Action, status: ActionStatus, note: str
) -> None:
    from app.storage.writer import Writer

    assert isinstance(w, Writer)
    changes: dict[str, object] = {"status": status}
    if status is ActionStatus.DONE and action.status is not ActionStatus.DONE:
        changes["completed_on"] = session.today()
    elif status is not ActionStatus.DONE:
        changes["completed_on"] = None
    w.update("action", action.id, changes)
    w.create(
        "action_update",
        {
            "action_id": action.id,
            "case_id": action.case_id,
            "status": status,
            "note": note,
            "author": session.me.id,
            "agency_id": session.agency.id,
            "at": w.audit_time(),
        },
    )


def bulk_update(
    session: Session,
    *,
    action_ids: Sequence[str],
    status: ActionStatus,
    note: str = "",
    step: Callable[[int, int], None] | None = None,
) -> int:
    """All or nothing: if any action is not the user's agency's, nothing changes.

    ``step(done, total)`` is called as the work goes; if it raises (the user cancelled), the whole
    transaction rolls back and nothing has changed."""
    note = check_text(note, "The note", limit=field_limit("action_update", "note"))
    total = len(action_ids)
    with session.change() as w:
        actions = []
        for i, action_id in enumerate(action_ids, start=1):
            actions.append(_get_action(session, w.conn, action_id))
            if step is not None and i % 200 == 0:
                step(0, total)
        for a in actions:
            rules.check_may_update_action(session.me, a)
        for i, a in enumerate(actions, start=1):
            _update_in(session, w, a, status, note)
            if step is not None:
                step(i, total)
    return total


def _get_action(session: Session, conn: object, action_id: str) -> Action:
    found = action_queries.list_actions(conn, action_id=action_id)  # type: ignore[arg-type]
    if not found:
        raise NotFound("There is no such action on this store.")
    action = found[0]
    case = repo.get_case(conn, action.case_id)  # type: ignore[arg-type]
    reach = case_reach(session, conn)  # type: ignore[arg-type]
    if case is None or not rules.agency_may_see_case(
        case, session.agency.id, is_hub=reach is None, also=reach.cases if reach else frozenset()
    ):
        raise NotFound("There is no such action on this store.")
    return action


def get_action(session: Session, *, action_id: str) -> Action:
    with session.view() as conn:
        return _get_action(session, conn, action_id)


def list_actions(
    session: Session,
    *,
    mine: bool = False,
    overdue: bool = False,
    agency: str | None = None,
    status: ActionStatus | None = None,
    case_id: str | None = None,
    open_only: bool = False,
) -> list[Action]:
    today = session.today()
    if mine:
        agency = session.agency.id
    with session.view() as conn:
        vis = case_reach(session, conn)
        if vis is not None:
            visible_cases = set(case_list.case_ids(conn, today=today, visible_to=vis))
        actions = action_queries.list_actions(
            conn,
            owner_agency=agency,
            status=status.value if status else None,
            case_id=case_id,
            open_only=overdue or open_only,
            due_before=today if overdue else None,
        )
    if vis is not None:
        actions = [a for a in actions if a.case_id in visible_cases]
    return actions


def case_refs(session: Session, case_ids: Sequence[str]) -> dict[str, str]:
    with session.view() as conn:
        return ref_queries.case_refs(conn, case_ids)
