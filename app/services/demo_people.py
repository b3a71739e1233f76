"""The demonstration panel's people: a case's subject, the programme's linked people (a person
causing harm, children) on each case, and one genuine repeat referral. Part of ``demo``."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable

from app.models import people, rules
from app.models.programme import Programme
from app.services.demo_data import ETHNICITIES, FORENAMES, GENDERS, STREETS, SURNAMES, TOWNS
from app.storage import meeting_queries, people_queries, repo
from app.storage.rows import referral_from
from app.storage.writer import Writer


def demo_subject(
    w: Writer, rng: random.Random, rid: Callable[[], str], received: dt.date
) -> tuple[str, int]:
    """The case's subject, born ``age`` years before the referral; its id and the age."""
    age = rng.choice([13, 14, 15, 16, 17, 19, 22, 26, 31, 38, 45])
    dob = received - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    fore, sur = rng.choice(FORENAMES), rng.choice(SURNAMES)
    ids = [
        {
            "kind": "nhs",
            "value": f"{rng.randint(400, 499)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        }
    ]
    if rng.random() < 0.4:
        ids.append(
            {
                "kind": "pnc",
                "value": f"{received.year % 100:02d}/{rng.randint(100000, 999999)}{rng.choice('ABCDEFGHJK')}",
            }
        )
    aliases = [f"{fore[:3]} {sur}"] if rng.random() < 0.15 else []
    subject_id = w.create(
        "subject",
        {
            "forenames": fore,
            "surname": sur,
            "aliases": aliases,
            "date_of_birth": dob,
            "gender": rng.choice(GENDERS),
            "ethnicity": rng.choice(ETHNICITIES),
            "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
            "postcode": f"NS{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
            "area": "North",
            "identifiers": ids,
            "vulnerabilities": rng.choice(
                [
                    "",
                    "Autism spectrum condition",
                    "Care leaver",
                    "Bereavement",
                    "Learning difficulty",
                ]
            ),
            "search_key": people.subject_search_key(fore, sur, aliases, [i["value"] for i in ids]),
        },
        record_id=rid(),
    )
    return subject_id, age


def _person_values(
    rng: random.Random, fore: str, sur: str, dob: dt.date, *, pnc: str = ""
) -> dict[str, object]:
    ids = [{"kind": "pnc", "value": pnc}] if pnc else []
    return {
        "forenames": fore,
        "surname": sur,
        "aliases": [],
        "date_of_birth": dob,
        "gender": rng.choice(GENDERS),
        "identifiers": ids,
        "notes": "",
        "search_key": people.subject_search_key(fore, sur, [], [i["value"] for i in ids]),
    }


# a child in the household is at least this many years younger than the person at risk
PARENT_GAP_YEARS = 16


def _child_birth(rng: random.Random, today: dt.date, parent_born: dt.date | None) -> dt.date | None:
    """A child's date of birth: under 18 today, born at least ``PARENT_GAP_YEARS`` years after
    the person at risk; None when the person at risk is too young for that (or their age is not
    known)."""
    if parent_born is None:
        return None
    earliest = max(_years_after(parent_born, PARENT_GAP_YEARS) + dt.timedelta(days=1),
                   _years_after(today, -18) + dt.timedelta(days=1))
    latest = today - dt.timedelta(days=30)
    if earliest > latest:
        return None
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (earlier when negative); 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def demo_linked_people(
    w: Writer, prog: Programme, rng: random.Random, today: dt.date, case_ids: list[str]
) -> None:
    """The programme's linked people on the demo cases: a person in the repeat role (the person
    causing harm) on every case, children on about half; then one genuine repeat — a later case
    re-pointed at the subject of a case heard at a held meeting, with the same person causing
    harm, within the repeat window. A separate random stream, so the rest of the demo is the
    same as without linked people."""

    def rid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    main = prog.repeat_role or prog.linked_roles[0]
    others = [r for r in prog.linked_roles if r.id != main.id]
    received: dict[str, dt.date] = {}
    subject_of: dict[str, str] = {}
    main_person: dict[str, dict[str, object]] = {}
    for cid in case_ids:
        case = repo.get_case(w.conn, cid)
        refs = repo.rows_for_case(w.conn, "referral", cid, "received")
        if case is None or not refs:
            continue
        received[cid] = referral_from(refs[0]).received
        subject_of[cid] = case.subject_id
        subject = repo.get_subject(w.conn, case.subject_id)
        age = rng.randint(19, 55)
        dob = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        pnc = f"{rng.randint(0, 25):02d}/{rng.randint(100000, 999999)}{rng.choice('ABCDEFGHJK')}"
        # someone else: neither the forename nor the surname of the person at risk
        fore = rng.choice([f for f in FORENAMES if not subject or f != subject.forenames])
        sur = rng.choice([n for n in SURNAMES if not subject or n != subject.surname])
        values = _person_values(rng, fore, sur, dob, pnc=pnc if rng.random() < 0.7 else "")
        main_person[cid] = values
        w.create("linked_person", {"case_id": cid, "role": main.id, **values}, record_id=rid())
        for role in others:
            if rng.random() < 0.5:
                continue
            for _ in range(rng.randint(1, 3)):
                kid = _child_birth(rng, today, subject.date_of_birth if subject else None)
                if kid is None:
                    break  # the person at risk is too young to have children of their own
                sur = subject.surname if subject and rng.random() < 0.7 else str(values["surname"])
                w.create("linked_person", {"case_id": cid, "role": role.id,
                                           **_person_values(rng, rng.choice(FORENAMES), sur, kid)},
                         record_id=rid())
    _one_repeat(w, prog, rng, rid, today, received, subject_of, main_person)


def _one_repeat(
    w: Writer,
    prog: Programme,
    rng: random.Random,
    rid: Callable[[], str],
    today: dt.date,
    received: dict[str, dt.date],
    subject_of: dict[str, str],
    main_person: dict[str, dict[str, object]],
) -> None:
    """One genuine repeat referral: the latest later case within the repeat window of the most
    recent case heard at a meeting is re-pointed at that case's subject (its own subject
    removed), with the same person causing harm and the same children in the household as the
    heard case."""
    main = prog.repeat_role or prog.linked_roles[0]
    others = [r for r in prog.linked_roles if r.id != main.id]
    months = prog.intervals.repeat_referral_months
    if prog.repeat_role is None or months is None:
        return
    heard = sorted((c for c in received if meeting_queries.last_heard(w.conn, c) is not None),
                   key=lambda c: received[c], reverse=True)
    for first in heard:
        later = sorted(
            (c for c in received
             if c != first and c not in heard and received[first] < received[c]
             and rules.is_repeat_referral(prog, received[c], received[first])),
            key=lambda c: received[c], reverse=True,
        )
        if not later:
            continue
        repeat = later[0]
        orphan = subject_of[repeat]
        w.update("case", repeat, {"subject_id": subject_of[first]})
        for r in repo.rows_for_case(w.conn, "referral", repeat, "received"):
            w.update("referral", str(r.id), {"subject_id": subject_of[first]})
        w.delete("subject", orphan)
        # the same person causing harm as on the heard case
        for r in people_queries.linked_people(w.conn, repeat):
            if r.role == main.id:
                w.update("linked_person", r.id, dict(main_person[first]))
        # the household's children, as on the heard case (the repeat's own were drawn for the
        # person whose subject record was removed)
        child_roles = {r.id for r in others}
        for r in people_queries.linked_people(w.conn, repeat):
            if r.role in child_roles:
                w.delete("linked_person", r.id)
        for r in people_queries.linked_people(w.conn, first):
            if r.role in child_roles:
                values = _person_values(rng, r.forenames, r.surname, r.date_of_birth or today)
                w.create("linked_person", {"case_id": repeat, "role": r.role, **values,
                                           "gender": r.gender}, record_id=rid())
        return
