"""People linked to a case: ``case people CASE``, ``case person add|edit|remove`` (docs/cli.md,
"Linked people").

The programme says which kinds of linked people it records (``[[linked_roles]]``); a programme
with none refuses ``add`` in one sentence. ``case_commands`` adds these to its ``case`` group
(``add_to``); this module holds their arguments and handlers.
"""

from __future__ import annotations

import argparse

from app.cli.base import out, parse_date_arg, print_json, table
from app.models.domain import Identifier, LinkedPerson
from app.models.errors import NotFound, UsageError
from app.services import cases as cases_svc
from app.services import linked_people as lp
from app.services.context import Session


def _person_args(q: argparse.ArgumentParser, *, required: bool) -> None:
    q.add_argument("--surname", required=required)
    q.add_argument("--forenames", default=None)
    q.add_argument("--dob", default=None, help="date of birth (YYYY-MM-DD or DD/MM/YYYY)")
    q.add_argument("--alias", action="append", default=None, metavar="NAME", help="repeat for more")
    q.add_argument("--pnc", default=None, help="police national computer number")
    q.add_argument("--nhs", default=None, help="NHS number")
    q.add_argument("--gender", default=None)
    q.add_argument("--notes", default=None)
    q.add_argument("--json", action="store_true")


def add_to(csub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``case people`` and ``case person add|edit|remove``, in the ``case`` group."""
    q = csub.add_parser("people", help="the people linked to a case (and whether it is a repeat)")
    q.add_argument("case")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_case_people)

    q = csub.add_parser("person", help="coordinator only: add, edit or remove a linked person")
    psub = q.add_subparsers(dest="person_command", metavar="add|edit|remove", required=True)
    a = psub.add_parser("add", help="link a person to a case in one of the programme's roles")
    a.add_argument("case")
    a.add_argument("--role", required=True, help="a linked role of the programme (e.g. perpetrator, child)")
    _person_args(a, required=True)
    a.set_defaults(func=cmd_person_add)
    e = psub.add_parser("edit", help="change a linked person's details (the options given)")
    e.add_argument("person", help="the person's id (or its first characters), from `case people`")
    e.add_argument("--role", default=None)
    _person_args(e, required=False)
    e.set_defaults(func=cmd_person_edit)
    r = psub.add_parser("remove", help="remove a linked person from their case")
    r.add_argument("person")
    r.set_defaults(func=cmd_person_remove)


def _identifiers(args: argparse.Namespace, before: tuple[Identifier, ...] = ()) -> tuple[Identifier, ...]:
    kept = {i.kind: i.value for i in before}
    for kind in ("pnc", "nhs"):
        value = getattr(args, kind)
        if value is not None:
            kept[kind] = value
    return tuple(Identifier(k, v) for k, v in kept.items() if v.strip())


def _input(args: argparse.Namespace, before: LinkedPerson | None = None) -> lp.PersonInput:
    def pick(name: str, old: str) -> str:
        value = getattr(args, name)
        return old if value is None else str(value)

    dob = before.date_of_birth if before else None
    if args.dob is not None:
        dob = parse_date_arg(args.dob) if args.dob.strip() else None
    return lp.PersonInput(
        forenames=pick("forenames", before.forenames if before else ""),
        surname=pick("surname", before.surname if before else ""),
        date_of_birth=dob,
        aliases=tuple(args.alias) if args.alias is not None else (before.aliases if before else ()),
        gender=pick("gender", before.gender if before else ""),
        identifiers=_identifiers(args, before.identifiers if before else ()),
        notes=pick("notes", before.notes if before else ""),
    )


def _row(session: Session, p: LinkedPerson) -> dict[str, object]:
    return {
        "id": p.id,
        "role": p.role,
        "role_label": lp.role_label(session, p.role),
        "forenames": p.forenames,
        "surname": p.surname,
        "aliases": list(p.aliases),
        "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
        "gender": p.gender,
        "identifiers": [{"kind": i.kind, "value": i.value} for i in p.identifiers],
        "notes": p.notes,
    }


def cmd_case_people(args: argparse.Namespace, session: Session) -> int:
    case = cases_svc.resolve_case(session, args.case)
    found = lp.people_of(session, case.id)
    repeat = lp.repeat_of_case(session, case.id)
    if args.json:
        print_json({"case": case.ref, "repeat": repeat, "people": [_row(session, p) for p in found]})
        return 0
    if not session.programme.linked_roles and not found:
        out(f"{case.ref}: this programme records no linked people.")
        return 0
    if found:
        table(
            [[p.id[:8], lp.role_label(session, p.role), p.display_name,
              p.date_of_birth.strftime("%d/%m/%Y") if p.date_of_birth else "",
              ", ".join(f"{i.kind.upper()} {i.value}" for i in p.identifiers)] for p in found],
            ["id", "role", "name", "born", "identifiers"],
        )
    else:
        out(f"{case.ref}: no linked people recorded.")
    if repeat:
        out(repeat)
    return 0


def _resolve_person(session: Session, text: str) -> LinkedPerson:
    """A linked person by id or an unambiguous start of it, among the cases this user may see."""
    want = text.strip()
    if len(want) < 4:
        raise UsageError("Give at least the first 4 characters of the person's id.")
    hits: list[LinkedPerson] = []
    for cid in cases_svc.list_case_ids(session):
        hits += [p for p in lp.people_of(session, cid) if p.id.startswith(want)]
    if not hits:
        raise NotFound("There is no linked person with that id on this store.")
    if len(hits) > 1:
        raise UsageError("More than one linked person's id starts with that: give more of it.")
    return hits[0]


def cmd_person_add(args: argparse.Namespace, session: Session) -> int:
    case = cases_svc.resolve_case(session, args.case)
    pid = lp.add_person(session, case_id=case.id, role=args.role, person=_input(args))
    if args.json:
        print_json({"id": pid, "case": case.ref, "repeat": lp.repeat_of_case(session, case.id)})
        return 0
    out(f"{case.ref}: {lp.role_label(session, args.role).lower()} recorded ({pid[:8]}).")
    note = lp.repeat_of_case(session, case.id)
    if note:
        out(note)
    return 0


def cmd_person_edit(args: argparse.Namespace, session: Session) -> int:
    before = _resolve_person(session, args.person)
    lp.update_person(session, person_id=before.id, person=_input(args, before), role=args.role)
    if args.json:
        print_json({"id": before.id})
    else:
        out(f"Linked person {before.id[:8]} changed.")
    return 0


def cmd_person_remove(args: argparse.Namespace, session: Session) -> int:
    p = _resolve_person(session, args.person)
    lp.remove_person(session, person_id=p.id)
    out(f"Linked person {p.id[:8]} removed from the case.")
    return 0
