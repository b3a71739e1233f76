"""What travels with a case transferred to another panel, and its strict reading at the receiver.

``case_content(session, conn, case_id)`` gathers, at the sender, the subject (and the people
linked to the case), the referral, the status history, every assessment, the current plan, the
open actions, the unrestricted contributions (current versions), the case's minutes extracts and
one line per restricted contribution — "held by AGENCY; ask them" — never its text. Agencies and
members are named, not given by id (the receiving panel has its own).

``check_content(value)`` is the receiver's reading of the same structure: exactly these keys, text
under caps, dates as dates; anything else is ``InvalidInput`` and nothing is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.models import transfer as tm
from app.models.errors import InvalidInput
from app.models.programme import Programme
from app.services.context import Session
from app.storage import action_queries, meeting_queries, people_queries, repo
from app.storage.db import Connection
from app.storage.rows import assessment_from, contribution_from, plan_from, referral_from

RESTRICTED_LINE = "held by {agency}; ask them"

_SUBJECT = frozenset({"forenames", "surname", "aliases", "date_of_birth", "gender", "ethnicity",
                      "address", "postcode", "area", "identifiers", "vulnerabilities"})
_LINKED = frozenset({"role", "role_label", "forenames", "surname", "aliases", "date_of_birth",
                     "gender", "identifiers", "notes"})
_REFERRAL = frozenset({"received", "referrer", "sector", "sector_label", "concern",
                       "concern_label", "narrative"})
_HISTORY = frozenset({"at", "status", "status_label", "rationale"})
_ASSESSMENT = frozenset({"version", "assessed_on", "risk_level", "risk_label", "overall", "author",
                         "factors"})
_FACTOR = frozenset({"dimension", "dimension_label", "factor", "factor_label", "rating",
                     "rating_label", "evidence"})
_PLAN = frozenset({"version", "created_on", "approved_on", "review_on", "risk", "objectives",
                   "contingency"})
_ACTION = frozenset({"title", "owner_agency", "due", "status"})
_CONTRIBUTION = frozenset({"agency", "author", "recorded_on", "kind", "marking", "text"})
_RESTRICTED = frozenset({"agency", "recorded_on", "line"})
_MINUTE = frozenset({"held_on", "kind", "title", "discussion", "decision", "rationale", "dissent"})
CONTENT_KEYS = frozenset({"ref", "opened", "status", "status_label", "marking", "subject",
                          "linked_people", "referral", "status_history", "assessments", "plan",
                          "actions", "contributions", "restricted", "minutes"})


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _identifiers(ids: Any) -> list[dict[str, str]]:
    return [{"kind": str(i.kind), "value": str(i.value)} for i in ids]


def _framework_labels(prog: Programme) -> tuple[dict[str, str], dict[tuple[str, str], str],
                                                dict[str, str]]:
    """Labels of the programme's frameworks' dimensions, factors and ratings, by id."""
    dims: dict[str, str] = {}
    factors: dict[tuple[str, str], str] = {}
    ratings: dict[str, str] = {}
    for fw in prog.frameworks:
        for d in fw.dimensions:
            dims.setdefault(d.id, d.label)
            for f in d.factors:
                factors.setdefault((d.id, f.id), f.label)
        for r in fw.ratings:
            ratings.setdefault(r.id, r.label)
    return dims, factors, ratings


@dataclass(frozen=True)
class _Names:
    """Agency and member names as the offered case prints them (never an id)."""

    agencies: dict[Any, str]
    members: dict[Any, str]

    def agency(self, aid: Any) -> str:
        return self.agencies.get(aid, "another agency") if aid else ""

    def member(self, mid: Any) -> str:
        return self.members.get(mid, "") if mid else ""


def case_content(session: Session, conn: Connection, case_id: str) -> dict[str, Any]:
    """The offered case as plain data (sender side; the case must be on this store)."""
    prog = session.programme
    case = repo.get_case(conn, case_id)
    if case is None:
        raise InvalidInput("There is no case with that id on this store.")
    subject = repo.get_subject(conn, case.subject_id)
    if subject is None:
        raise InvalidInput("The case's subject record is missing.")
    names = _Names({a.id: a.name for a in repo.agencies(conn)}, {m.id: m.name for m in repo.members(conn)})
    contributions, restricted = _contributions(conn, case.id, names)
    return {
        "ref": case.ref,
        "opened": _iso(case.opened),
        "status": case.status,
        "status_label": prog.status_label(case.status),
        "marking": case.marking.value,
        "subject": _subject(subject),
        "linked_people": _linked(prog, conn, case.id),
        "referral": _referral(prog, conn, case.id),
        "status_history": [
            {"at": r.at or "", "status": r.to_status or "",
             "status_label": prog.status_label(r.to_status or ""), "rationale": r.rationale or ""}
            for r in repo.rows_for_case(conn, "status_change", case.id, "at")
        ],
        "assessments": _assessments(prog, conn, case.id, names),
        "plan": _plan(conn, case.id),
        "actions": [
            {"title": a.title, "owner_agency": names.agency(a.owner_agency), "due": _iso(a.due),
             "status": a.status.value}
            for a in action_queries.list_actions(conn, case_id=case.id) if not a.status.is_closed
        ],
        "contributions": contributions,
        "restricted": restricted,
        "minutes": _minutes(prog, conn, case.id),
    }


def _subject(subject: Any) -> dict[str, Any]:
    return {
        "forenames": subject.forenames, "surname": subject.surname,
        "aliases": list(subject.aliases), "date_of_birth": _iso(subject.date_of_birth),
        "gender": subject.gender, "ethnicity": subject.ethnicity, "address": subject.address,
        "postcode": subject.postcode, "area": subject.area,
        "identifiers": _identifiers(subject.identifiers),
        "vulnerabilities": subject.vulnerabilities,
    }


def _linked(prog: Programme, conn: Connection, case_id: str) -> list[dict[str, Any]]:
    roles = {r.id: r.label for r in prog.linked_roles}
    return [
        {"role": p.role, "role_label": roles.get(p.role, p.role), "forenames": p.forenames,
         "surname": p.surname, "aliases": list(p.aliases),
         "date_of_birth": _iso(p.date_of_birth), "gender": p.gender,
         "identifiers": _identifiers(p.identifiers), "notes": p.notes}
        for p in people_queries.linked_people(conn, case_id)
    ]


def _referral(prog: Programme, conn: Connection, case_id: str) -> dict[str, Any] | None:
    """The case's first referral, with its sector and concern in words."""
    referrals = [referral_from(r) for r in repo.rows_for_case(conn, "referral", case_id, "received")]
    if not referrals:
        return None
    ref0 = referrals[0]
    sector, concern = prog.sector(ref0.sector), prog.concern(ref0.concern)
    return {
        "received": _iso(ref0.received), "referrer": ref0.referrer,
        "sector": ref0.sector, "sector_label": sector.label if sector else ref0.sector,
        "concern": ref0.concern, "concern_label": concern.label if concern else ref0.concern,
        "narrative": ref0.narrative,
    }


def _assessments(prog: Programme, conn: Connection, case_id: str, names: _Names) -> list[dict[str, Any]]:
    dims, factors, ratings = _framework_labels(prog)
    rows = repo.rows_for_case(conn, "assessment", case_id, "version")
    return [
        {"version": a.version, "assessed_on": _iso(a.assessed_on), "risk_level": a.risk_level,
         "risk_label": prog.risk_label(a.risk_level), "overall": a.overall,
         "author": names.member(a.author),
         "factors": [{"dimension": f.dimension,
                      "dimension_label": dims.get(f.dimension, f.dimension),
                      "factor": f.factor,
                      "factor_label": factors.get((f.dimension, f.factor), f.factor),
                      "rating": f.rating, "rating_label": ratings.get(f.rating, f.rating),
                      "evidence": f.evidence} for f in a.factors]}
        for a in (assessment_from(r) for r in rows)
    ]


def _plan(conn: Connection, case_id: str) -> dict[str, Any] | None:
    """The current (latest) plan."""
    plans = [plan_from(r) for r in repo.rows_for_case(conn, "plan", case_id, "version")]
    if not plans:
        return None
    plan = max(plans, key=lambda p: p.version)
    return {
        "version": plan.version, "created_on": _iso(plan.created_on),
        "approved_on": _iso(plan.approved_on), "review_on": _iso(plan.review_on),
        "risk": {"nature": plan.risk.nature, "who_at_risk": plan.risk.who_at_risk,
                 "imminence": plan.risk.imminence},
        "objectives": [{"heading": o.heading, "text": o.text} for o in plan.objectives],
        "contingency": plan.contingency,
    }


def _contributions(
    conn: Connection, case_id: str, names: _Names
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the current unrestricted contributions, a "held by AGENCY" line per restricted one —
    never its text)."""
    rows = repo.rows_for_case(conn, "contribution", case_id, "recorded_on")
    replaced = {r.supersedes for r in rows if r.supersedes}
    contributions, restricted = [], []
    for r in rows:
        if r.id in replaced:
            continue
        c = contribution_from(r)
        if c.restricted_to:
            restricted.append({"agency": names.agency(c.agency_id), "recorded_on": _iso(c.recorded_on),
                               "line": RESTRICTED_LINE.format(agency=names.agency(c.agency_id))})
        else:
            contributions.append({"agency": names.agency(c.agency_id), "author": names.member(c.author),
                                  "recorded_on": _iso(c.recorded_on), "kind": c.kind,
                                  "marking": c.marking.value, "text": c.text})
    return contributions, restricted


def _minutes(prog: Programme, conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """The case's minutes from held meetings, oldest first."""
    minutes = []
    for item in meeting_queries.agenda_items_for_case(conn, case_id):
        m = meeting_queries.get_meeting(conn, item.meeting_id)
        if m is None or m.status != "held":
            continue
        minutes.append({"held_on": _iso(m.held_on), "kind": prog.agenda_label(item.kind, item=True),
                        "title": item.title, "discussion": item.discussion,
                        "decision": item.decision, "rationale": item.rationale,
                        "dissent": item.dissent})
    minutes.sort(key=lambda x: str(x["held_on"]))
    return minutes


# --- the receiver's reading ------------------------------------------------------------------
def _texts(d: dict[str, Any], keys: frozenset[str], where: str, *, dates: tuple[str, ...] = (),
           lists: tuple[str, ...] = (), ints: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in sorted(keys):
        v = d[k]
        if k in dates:
            day = tm.day(v, f"{where} {k}")
            out[k] = day.isoformat() if day else None
        elif k in ints:
            if type(v) is not int or not 0 <= v < 2**31:
                raise InvalidInput(f"The transfer file's {where} {k} is not valid.")
            out[k] = v
        elif k in lists:
            out[k] = v  # checked by the caller
        else:
            out[k] = tm.text(v, f"{where} {k}")
    return out


def _aliases(v: Any, where: str) -> list[str]:
    return [tm.text(a, f"{where} alias", limit=500) for a in tm.items(v, f"{where} aliases")]


def _ids(v: Any, where: str) -> list[dict[str, str]]:
    out = []
    for i in tm.items(v, f"{where} identifiers"):
        r = tm.record(i, f"{where} identifier", frozenset({"kind", "value"}))
        out.append({"kind": tm.text(r["kind"], "identifier kind", limit=20),
                    "value": tm.text(r["value"], "identifier", limit=200)})
    return out


def _list(v: Any, keys: frozenset[str], where: str, **kw: Any) -> list[dict[str, Any]]:
    return [_texts(tm.record(x, where, keys), keys, where, **kw) for x in tm.items(v, where)]


def check_content(value: object) -> dict[str, Any]:
    """The offered case as the receiver may keep it: exactly the structure ``case_content``
    writes, every text checked; anything else raises ``InvalidInput``."""
    c = tm.record(value, "case", CONTENT_KEYS)
    out = _texts(c, CONTENT_KEYS - {"subject", "linked_people", "referral", "status_history",
                                    "assessments", "plan", "actions", "contributions",
                                    "restricted", "minutes"}, "case", dates=("opened",))
    if not out["ref"]:
        raise InvalidInput("The transfer file's case reference is missing.")
    s = tm.record(c["subject"], "subject", _SUBJECT)
    subject = _texts(s, _SUBJECT, "subject", dates=("date_of_birth",),
                     lists=("aliases", "identifiers"))
    subject["aliases"] = _aliases(s["aliases"], "subject")
    subject["identifiers"] = _ids(s["identifiers"], "subject")
    if not subject["surname"].strip() and not subject["forenames"].strip():
        raise InvalidInput("The transfer file's subject has no name.")
    out["subject"] = subject
    linked = []
    for p in tm.items(c["linked_people"], "linked people"):
        r = tm.record(p, "linked person", _LINKED)
        x = _texts(r, _LINKED, "linked person", dates=("date_of_birth",),
                   lists=("aliases", "identifiers"))
        x["aliases"], x["identifiers"] = _aliases(r["aliases"], "linked person"), _ids(
            r["identifiers"], "linked person")
        linked.append(x)
    out["linked_people"] = linked
    out["referral"] = None if c["referral"] is None else _texts(
        tm.record(c["referral"], "referral", _REFERRAL), _REFERRAL, "referral", dates=("received",))
    out["status_history"] = _list(c["status_history"], _HISTORY, "status history")
    assessments = []
    for a in tm.items(c["assessments"], "assessments"):
        r = tm.record(a, "assessment", _ASSESSMENT)
        x = _texts(r, _ASSESSMENT, "assessment", dates=("assessed_on",), ints=("version",),
                   lists=("factors",))
        x["factors"] = _list(r["factors"], _FACTOR, "assessment factor")
        assessments.append(x)
    out["assessments"] = assessments
    if c["plan"] is None:
        out["plan"] = None
    else:
        r = tm.record(c["plan"], "plan", _PLAN)
        x = _texts(r, _PLAN, "plan", dates=("created_on", "approved_on", "review_on"),
                   ints=("version",), lists=("risk", "objectives"))
        risk = tm.record(r["risk"], "plan risk", frozenset({"nature", "who_at_risk", "imminence"}))
        x["risk"] = _texts(risk, frozenset(risk), "plan risk")
        x["objectives"] = _list(r["objectives"], frozenset({"heading", "text"}), "plan objective")
        out["plan"] = x
    out["actions"] = _list(c["actions"], _ACTION, "action", dates=("due",))
    out["contributions"] = _list(c["contributions"], _CONTRIBUTION, "contribution",
                                 dates=("recorded_on",))
    out["restricted"] = _list(c["restricted"], _RESTRICTED, "restricted item",
                              dates=("recorded_on",))
    out["minutes"] = _list(c["minutes"], _MINUTE, "minutes extract", dates=("held_on",))
    return out


__all__ = ["CONTENT_KEYS", "RESTRICTED_LINE", "case_content", "check_content"]
