"""Every shipped programme works end to end from its data alone: it loads and validates, a store
made with it takes a demo panel, a case walks its lifecycle by transitions derived from the data,
an assessment of the framework's kind is recorded (a checklist suggests; a person decides), a
plan is saved under its headings and printed. And no code outside app/config names a programme."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.programmes import available_programmes, load_programme
from app.models import rules
from app.models.domain import FactorRating, Objective, RiskStatement
from app.models.errors import InvalidInput
from app.models.framework import split_summaries
from app.models.programme import Programme
from app.models.referral_input import ReferralInput, SubjectInput
from app.services import cases, demo, meetings, risk, setup
from app.services.cases import lifecycle, referrals
from app.services.context import Session
from app.services.documents import plans
from app.services.meetings import minutes
from tests.support.stores import PASSPHRASE, today

ROOT = Path(__file__).resolve().parents[2]
PROGRAMMES = available_programmes()


def test_three_programmes_are_shipped() -> None:
    assert {"extremism", "mappa", "marac"} <= set(PROGRAMMES)
    kinds = {load_programme(p).framework.kind for p in PROGRAMMES}
    assert kinds == {"rated", "checklist"}


@pytest.fixture(scope="module", params=PROGRAMMES)
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coordinator store of one programme with a small demo panel, built once per module."""
    from app.models.enums import Role
    from tests.support.kdf import CHEAP

    path = tmp_path_factory.mktemp(f"prog-{request.param}") / "panel.rtdb"
    created = setup.create_store(
        path,
        passphrase=PASSPHRASE,
        name="Ann Coordinator",
        agency="Northshire County Council",
        role=Role.COORDINATOR,
        panel="Northshire panel",
        programme=request.param,
        kdf=CHEAP,
        today_fn=today,
    )
    result = demo.build_demo(created.session, cases=24, seed=5)
    assert result.cases == 24 and result.meetings >= 4  # and the meetings the panel decided at
    created.session.close()
    return path


@pytest.fixture
def psession(template: Path, tmp_path: Path) -> Iterator[Session]:
    from tests.support.stores import copy_store

    s = setup.unlock(copy_store(template, tmp_path / "store"), passphrase=PASSPHRASE, today_fn=today)
    yield s
    if s.store.is_open:
        s.close()


def _referral(session: Session, surname: str = "Okafor", received: dt.date | None = None) -> str:
    prog = session.programme
    return referrals.open_referral(
        session,
        subject=SubjectInput(forenames="Chiamaka", surname=surname, date_of_birth=dt.date(1990, 4, 2)),
        referral=ReferralInput(
            received=received or today(),
            referrer="Duty officer",
            sector=prog.sectors[0].label,
            concern=prog.concerns[0].label,
            narrative="A concern raised for the test.",
        ),
    )


def _heard(session: Session, case_id: str) -> None:
    """A meeting with the case on its agenda, held today."""
    mid = meetings.schedule_meeting(session, held_on=session.today(), case_ids=[case_id])
    meetings.record_confidentiality(session, meeting_id=mid, read=True)
    minutes.mark_held(session, meeting_id=mid)


def _walk(session: Session, case_id: str, path: list[str]) -> None:
    """Move a case along ``path`` by the programme's own steps: a screening decision when it
    leaves a screening status, else the transition, with a rationale."""
    prog = session.programme
    for source, target in itertools.pairwise(path):
        if prog.status(source).stage == "screening":
            outcome = next(o for o in prog.screening_outcomes if o.target == target)
            lifecycle.screen_case(session, case_id=case_id, outcome=outcome.id, rationale="Screened.")
        else:
            if rules.check_transition(prog, source, target, session.me.role).panel_decision:
                _heard(session, case_id)  # the panel's decision: taken at a meeting
            lifecycle.change_status(session, case_id=case_id, status=target, rationale="Agreed.")
        assert cases.get_case_file(session, case_id, audit_view=False).case.status == target


def _fields(prog: Programme) -> tuple[tuple[str, str], ...]:
    return tuple((cf.id, "2030-01-31" if cf.is_date else cf.choices[-1].id) for cf in prog.case_fields)


def _assessment(prog: Programme, level: str, *, yes: int = 0, reason: str = "") -> risk.AssessmentInput:
    fw = prog.framework
    if fw.is_checklist:
        counted = sorted(fw.counted)[0]
        other = next(r.id for r in fw.ratings if r.id not in fw.counted)
        factors = tuple(
            FactorRating(d, q, counted if i < yes else other, "Said in interview.")
            for i, (d, q) in enumerate(fw.factor_ids())
        )
    else:
        factors = tuple(FactorRating(d, f, fw.ratings[1].id, "Seen by agencies.") for d, f in fw.factor_ids())
    return risk.AssessmentInput(
        factors=factors,
        dimension_summaries=tuple((d.id, "Summary.") for d in fw.dimensions),
        overall="Professional judgement of the panel.",
        risk_level=level,
        level_reason=reason,
        case_fields=_fields(prog),
    )


@pytest.mark.parametrize("pid", PROGRAMMES)
def test_programme_loads_and_validates(pid: str) -> None:
    prog = load_programme(pid)
    assert prog.id == pid
    assert prog.framework.factor_ids() and prog.framework.risk_levels and prog.plan_headings
    screening = {s.id for s in prog.statuses if s.stage == "screening"}
    for o in prog.screening_outcomes:  # every outcome is a step the lifecycle allows
        assert any(t.source in screening and t.target == o.target for t in prog.transitions)
    for st in prog.panel_statuses:
        assert st in {s.id for s in prog.statuses}


def test_demo_panel_fits_the_programme(psession: Session) -> None:
    prog = psession.programme
    statuses = {s.id for s in prog.statuses}
    ids = cases.list_case_ids(psession)
    assert len(ids) == 24
    seen_fields = set()
    for cid in ids:
        cf = cases.get_case_file(psession, cid, audit_view=False)
        assert cf.case.programme == prog.id and cf.case.status in statuses
        for a in cf.assessments:
            notes = split_summaries(a.dimension_summaries)
            fw = prog.framework_of(notes)  # the version's own (MARAC: the young people's checklist)
            fw.risk_level(a.risk_level)
            known = set(fw.factor_ids())
            assert {(f.dimension, f.factor) for f in a.factors} == known
            seen_fields |= {k for k, _ in notes.case_fields}
            if fw.is_checklist:
                suggested = fw.suggested_level(f.rating for f in a.factors)
                assert notes.suggested_level == (suggested.id if suggested else "")
                if suggested and suggested.id != a.risk_level:
                    assert notes.level_reason  # an override always carries its reason
        headings = {h.id for h in prog.plan_headings}
        for p in cf.plans:
            assert {o.heading for o in p.objectives} <= headings
    assert seen_fields == {cf.id for cf in prog.case_fields}


def test_a_case_walks_its_lifecycle_with_assessment_and_plan(psession: Session, tmp_path: Path) -> None:
    prog = psession.programme
    path = rules.lifecycle_path(prog)
    cid = _referral(psession)
    gathering = next(i for i, s in enumerate(path) if prog.status(s).stage == "gathering")
    _walk(psession, cid, path[: gathering + 1])

    top = max(prog.framework.risk_levels, key=lambda r: r.rank)
    if prog.framework.is_checklist:
        t = max(prog.framework.thresholds, key=lambda t: t.at_least)
        risk.record_assessment(psession, case_id=cid, assessment=_assessment(prog, t.level, yes=t.at_least))
    else:
        risk.record_assessment(psession, case_id=cid, assessment=_assessment(prog, top.id))
    adopted = path.index(prog.adopted_status)
    _walk(psession, cid, path[gathering : adopted + 1])

    objectives = tuple(Objective(h.id, f"Work under {h.label}.") for h in prog.plan_headings)
    risk.save_plan(
        psession,
        case_id=cid,
        plan=risk.PlanInput(
            risk=RiskStatement(nature="Serious harm.", who_at_risk="Named people."),
            objectives=objectives,
            contingency="Urgent meeting within 48 hours.",
            review_on=today() + dt.timedelta(days=28),
        ),
    )
    out = plans.write_plan(psession, case_id=cid, out=tmp_path / "plan.pdf")
    assert out.read_bytes().startswith(b"%PDF")
    _walk(psession, cid, path[adopted:])
    cf = cases.get_case_file(psession, cid, audit_view=False)
    assert cf.case.status == prog.exit_status and cf.case.exited_on == today()
    assert [h for _at, h, _r in cf.status_history] == path
    assert split_summaries(cf.assessments[-1].dimension_summaries).case_fields == _fields(prog)
    if prog.screening_outcomes:
        assert cf.screenings and cf.screenings[0].outcome in {o.id for o in prog.screening_outcomes}


def test_an_objective_under_another_programmes_heading_is_refused(psession: Session) -> None:
    cid = cases.list_case_ids(psession)[0]
    with pytest.raises(InvalidInput, match="heading"):
        risk.save_plan(
            psession,
            case_id=cid,
            plan=risk.PlanInput(risk=RiskStatement(), objectives=(Objective("no-such-heading", "x"),), contingency=""),
        )


def test_assessment_of_the_frameworks_kind(psession: Session) -> None:
    prog = psession.programme
    fw = prog.framework
    cid = _referral(psession, surname="Nowak")
    levels = sorted(fw.risk_levels, key=lambda r: r.rank)
    if not fw.is_checklist:
        # A rated framework: any level may be chosen, whatever the ratings; no reason asked.
        for lvl in (levels[0], levels[-1]):
            risk.record_assessment(psession, case_id=cid, assessment=_assessment(prog, lvl.id))
        return
    t = max(fw.thresholds, key=lambda t: t.at_least)
    suggested = fw.risk_level(t.level)
    lower = next(r for r in reversed(levels) if r.rank < suggested.rank)
    higher = [r for r in levels if r.rank > suggested.rank]
    # At the threshold the checklist suggests its level; choosing it needs no reason ...
    risk.record_assessment(psession, case_id=cid, assessment=_assessment(prog, suggested.id, yes=t.at_least))
    # ... choosing another needs one, and the override is kept with the suggestion.
    # (where judgement may only raise the level, the override is upwards, or none at the top)
    override = lower if fw.judgement_may_lower else (higher[0] if higher else suggested)
    if override.id != suggested.id:
        with pytest.raises(InvalidInput, match="reason"):
            risk.record_assessment(psession, case_id=cid, assessment=_assessment(prog, override.id, yes=t.at_least))
    if not fw.judgement_may_lower:
        # Judgement may raise the level, never lower it below the checklist's result (MARAC).
        before = cases.get_case_file(psession, cid, audit_view=False).assessments
        with pytest.raises(InvalidInput, match="never lower it"):
            risk.record_assessment(
                psession, case_id=cid, assessment=_assessment(prog, lower.id, yes=t.at_least, reason="Order now in place.")
            )
        assert cases.get_case_file(psession, cid, audit_view=False).assessments == before
    risk.record_assessment(
        psession, case_id=cid, assessment=_assessment(prog, override.id, yes=t.at_least, reason="Order now in place.")
    )
    # Below every threshold there is no suggestion: the level is a free judgement.
    risk.record_assessment(psession, case_id=cid, assessment=_assessment(prog, levels[-1].id, yes=t.at_least - 1))
    versions = cases.get_case_file(psession, cid, audit_view=False).assessments
    notes = [split_summaries(a.dimension_summaries) for a in versions]
    assert [a.risk_level for a in versions] == [suggested.id, override.id, levels[-1].id]
    assert [n.suggested_level for n in notes] == [suggested.id, suggested.id, ""]
    assert [n.level_reason for n in notes] == ["", "Order now in place.", ""]
    # Every question needs an answer.
    partial = _assessment(prog, suggested.id, yes=t.at_least)
    partial = risk.AssessmentInput(**{**partial.__dict__, "factors": partial.factors[:-1]})
    with pytest.raises(InvalidInput, match="Every question"):
        risk.record_assessment(psession, case_id=cid, assessment=partial)


def test_case_fields_are_checked(psession: Session) -> None:
    prog = psession.programme
    if not prog.case_fields:
        pytest.skip("this programme records no case fields")
    cid = _referral(psession, surname="Hughes")
    level = prog.framework.risk_levels[-1].id
    good = _assessment(prog, level, yes=len(prog.framework.factor_ids()))
    bad_choice = risk.AssessmentInput(**{**good.__dict__, "case_fields": ((prog.case_fields[0].id, "zzz"),)})
    with pytest.raises(InvalidInput, match="not a choice"):
        risk.record_assessment(psession, case_id=cid, assessment=bad_choice)
    required = [cf for cf in prog.case_fields if cf.required]
    if required:
        missing = risk.AssessmentInput(**{**good.__dict__, "case_fields": ()})
        with pytest.raises(InvalidInput, match="required"):
            risk.record_assessment(psession, case_id=cid, assessment=missing)
    risk.record_assessment(psession, case_id=cid, assessment=good)


def test_repeat_referral_is_surfaced_from_programme_data(psession: Session) -> None:
    prog = psession.programme
    first = _referral(psession, surname="Ødegaard", received=today() - dt.timedelta(days=200))
    subject_id = cases.get_case_file(psession, first, audit_view=False).case.subject_id
    note = referrals.repeat_referral(psession, subject_id=subject_id, incident=today())
    matches = referrals.find_matching_subjects(
        psession,
        SubjectInput(forenames="Chiamaka", surname="Ødegaard", date_of_birth=dt.date(1990, 4, 2)),
    )
    assert [m.subject.id for m in matches] == [subject_id]
    if prog.intervals.repeat_referral_months is None or prog.repeat_role is not None:
        # no window, or repeats need the same linked person too (tests/services/test_linked_people.py)
        assert note == "" and matches[0].repeat == ""
    else:
        assert note.startswith("Repeat referral") and matches[0].repeat == note
        later = today() + dt.timedelta(days=31 * prog.intervals.repeat_referral_months)
        assert referrals.repeat_referral(psession, subject_id=subject_id, incident=later) == ""


# --- architecture ------------------------------------------------------------------------------

# Files that may name a programme: none (the default is app.config.programmes.DEFAULT_PROGRAMME).
KNOWN_OFFENDERS: set[str] = set()


def _programme_strings(path: Path, ids: set[str]) -> list[str]:
    words = re.compile(r"\b(" + "|".join(map(re.escape, sorted(ids))) + r")\b", re.IGNORECASE)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and words.search(node.value)
    ]


def test_no_code_outside_config_names_a_programme() -> None:
    ids = set(PROGRAMMES)
    offenders = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("app/config/"):
            continue
        found = _programme_strings(path, ids)
        if found:
            offenders[rel] = found
    assert set(offenders) - KNOWN_OFFENDERS == set(), offenders
    assert KNOWN_OFFENDERS - set(offenders) == set(), "fixed: remove from KNOWN_OFFENDERS"
