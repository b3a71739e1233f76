"""The demonstration panel's meetings: the four-weekly cycle, the fixed id of a decision meeting,
and one meeting with its attendance and agenda. Part of ``demo``."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable

from app.models.enums import AgendaKind, Attendance
from app.models.programme import Programme
from app.services.demo_parts import MINUTES
from app.storage import repo
from app.storage.writer import Writer


def next_panel_day(today: dt.date, day: dt.date) -> dt.date:
    """The demonstration panel meets every four weeks back from today: its first meeting on or
    after ``day``; within the last four weeks, yesterday (today only for a decision due today),
    so that what is recorded today is new since the last meeting."""
    weeks4 = (today - day).days // 28
    held = today - dt.timedelta(days=28 * max(0, weeks4))
    return held if held < today else max(day, today - dt.timedelta(days=1))


def decision_meeting_id(seed: int, held: dt.date) -> str:
    """The id of the demonstration panel's meeting on ``held``: fixed by the seed and the date,
    so that a decision recorded before the meeting is written can name it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"roundtable-demo:{seed}:meeting:{held.isoformat()}"))


def demo_meeting(
    w: Writer,
    rng: random.Random,
    rid: Callable[[], str],
    held: dt.date,
    status: str,
    chair: str,
    everyone: list[str],
    agenda: list[str],
    prog: Programme,
    *,
    record_id: str | None = None,
) -> str:
    """One meeting on ``held`` (``status`` "held" or "scheduled") with ``agenda``'s cases; its
    id (``record_id`` if given: a decision meeting's fixed id)."""
    mid = w.create(
        "meeting",
        {
            "held_on": held,
            "time": "10:00",
            "venue": "Committee Room 2, Northshire Civic Centre",
            "chair": chair,
            "status": status,
            "distribution": sorted(everyone),
            "confidentiality_read": status == "held",
        },
        record_id=record_id or rid(),
    )
    if status == "held":
        _attendance(w, rng, rid, mid, everyone)
    _agenda(w, rng, rid, mid, status == "held", agenda, prog)
    return mid


def _attendance(
    w: Writer, rng: random.Random, rid: Callable[[], str], mid: str, everyone: list[str]
) -> None:
    """Who came to a held meeting: most members, a few sending apologies."""
    for m in everyone:
        att = Attendance.APOLOGIES if rng.random() < 0.15 else Attendance.PRESENT
        w.create(
            "attendance",
            {
                "meeting_id": mid,
                "member_id": m,
                "attendance": att,
                "confidentiality_agreed": att is Attendance.PRESENT,
            },
            record_id=rid(),
        )


def _agenda(
    w: Writer,
    rng: random.Random,
    rid: Callable[[], str],
    mid: str,
    minutes: bool,
    agenda: list[str],
    prog: Programme,
) -> None:
    """The meeting's agenda: an item for each case (minuted if the meeting was held), then a
    training update."""
    for pos, cid in enumerate(dict.fromkeys(agenda), start=1):
        row = repo.get_row(w.conn, "case", cid)
        assert row is not None  # the agenda is built from cases written in this demo
        st = prog.status(row.status)
        kind = (
            AgendaKind.POST_EXIT_REVIEW
            if row.status == prog.exit_status
            else AgendaKind.NEW_REFERRAL
            if st.stage in ("gathering", "panel")
            else AgendaKind.REVIEW
        )
        w.create(
            "agenda_item",
            {
                "meeting_id": mid,
                "position": pos,
                "kind": kind,
                "case_id": cid,
                "title": "",
                "discussion": MINUTES[kind][0] if minutes else "",
                "decision": MINUTES[kind][1] if minutes else "",
                "rationale": MINUTES[kind][2] if minutes else "",
                "dissent": "Police would have preferred a higher risk level."
                if minutes and rng.random() < 0.2
                else "",
                "method": "consensus" if minutes else "",
            },
            record_id=rid(),
        )
    w.create(
        "agenda_item",
        {
            "meeting_id": mid,
            "position": len(agenda) + 1,
            "kind": AgendaKind.OTHER,
            "case_id": None,
            "title": "Training update: new referral form",
            "discussion": "",
            "decision": "",
            "rationale": "",
            "dissent": "",
            "method": "",
        },
        record_id=rid(),
    )
