"""The demonstration panel of every shipped programme obeys the programme's rules that the store
enforces (issue 18): it is written record by record, not through the services, so nothing else
checks it. Every status change follows a transition of the programme; a panel decision
(``panel_decision``) names a held meeting that had the case on its agenda, dated on or before the
decision, and a meeting decides a case once; a status that stands on the person's refusal has
the refusal recorded; a programme whose confidentiality statement is signed has it recorded at
every held meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.programmes import available_programmes
from app.services import cases, demo, setup
from app.services.cases import lifecycle
from app.services.context import Session
from app.storage import meeting_queries
from tests.support.stores import PASSPHRASE, today


@pytest.fixture(scope="module", params=available_programmes())
def demo_session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    from app.models.enums import Role
    from tests.support.kdf import CHEAP

    path: Path = tmp_path_factory.mktemp(f"demo-{request.param}") / "panel.rtdb"
    created = setup.create_store(
        path, passphrase=PASSPHRASE, name="Ann Coordinator", agency="Northshire County Council",
        role=Role.COORDINATOR, panel="Northshire panel", programme=request.param,
        kdf=CHEAP, today_fn=today,
    )
    demo.build_demo(created.session, cases=80, seed=3)
    yield created.session
    created.session.close()


def _rows(session: Session, entity: str) -> list[dict[str, object]]:
    from sqlalchemy import select

    from app.storage.schema import ENTITIES

    with session.view() as conn:
        return [dict(r._mapping) for r in conn.execute(select(ENTITIES[entity].table))]


def test_every_status_change_follows_a_transition(demo_session: Session) -> None:
    prog = demo_session.programme
    allowed = {(t.source, t.target) for t in prog.transitions}
    for r in _rows(demo_session, "status_change"):
        if r["from_status"] is None:
            assert r["to_status"] == prog.initial_status
        else:
            assert (r["from_status"], r["to_status"]) in allowed, r


def test_every_panel_decision_names_the_meeting_that_heard_the_case(demo_session: Session) -> None:
    prog = demo_session.programme
    decisions = {(t.source, t.target) for t in prog.transitions if t.panel_decision}
    seen: set[tuple[str, str]] = set()
    n = 0
    with demo_session.view() as conn:
        for r in _rows(demo_session, "status_change"):
            if (r["from_status"], r["to_status"]) not in decisions:
                continue
            n += 1
            mid = r["meeting_id"]
            assert mid, f"a panel decision with no meeting: {r}"
            m = meeting_queries.get_meeting(conn, str(mid))
            assert m is not None and m.status == "held"
            assert m.held_on <= dt.date.fromisoformat(str(r["at"])[:10])
            assert r["case_id"] in {i.case_id for i in m.agenda}
            assert (str(mid), str(r["case_id"])) not in seen  # a meeting decides once
            seen.add((str(mid), str(r["case_id"])))
    if decisions:
        assert n, "the demonstration panel has panel decisions to check"
    # the services agree: the meeting is one a decision on the case may be recorded at
    for mid, cid in sorted(seen)[:10]:
        assert mid in {m.id for m in lifecycle.decision_meetings(demo_session, case_id=cid)}


def test_a_status_standing_on_a_refusal_has_it_recorded(demo_session: Session) -> None:
    prog = demo_session.programme
    by_case: dict[str, list[dict[str, object]]] = {}
    for r in _rows(demo_session, "consent"):
        by_case.setdefault(str(r["case_id"]), []).append(r)
    for s in cases.list_cases(demo_session):
        wanted = prog.status(s.status).consent
        if wanted:
            latest = max(by_case.get(s.id, []), key=lambda r: str(r["recorded_on"]), default=None)
            assert latest is not None and latest["state"] in ("refused", "withdrawn"), s.ref


def test_held_meetings_record_the_confidentiality_statement_where_signed(demo_session: Session) -> None:
    with demo_session.view() as conn:
        held = [m for m in (meeting_queries.get_meeting(conn, str(r["id"])) for r in _rows(demo_session, "meeting"))
                if m is not None and m.status == "held"]
    assert held
    if demo_session.programme.confidentiality_signed:
        assert all(m.confidentiality_read for m in held)


def test_screening_rationales_are_reasons_not_the_outcome_label(demo_session: Session) -> None:
    """A screening decision's rationale says why, in words; it does not restate the outcome's
    label (the summary prints the label beside it)."""
    from app.models import rules

    prog = demo_session.programme
    labels = {o.id: o.label for o in prog.screening_outcomes}
    screenings = _rows(demo_session, "screening")
    assert screenings
    for r in screenings:
        assert rules.rationale_beyond(labels[str(r["outcome"])], str(r["rationale"])), r
    by_target = {o.target: o.label for o in prog.screening_outcomes}
    for r in _rows(demo_session, "status_change"):
        src = r["from_status"]
        if src is not None and prog.status(str(src)).stage == "screening" and r["to_status"] in by_target:
            assert rules.rationale_beyond(by_target[str(r["to_status"])], str(r["rationale"])), r
