"""The case summary's screening line says the outcome once: a rationale that only restates the
outcome's label ("Meets the threshold. Screening: meets the threshold." was seen) is left out,
and a reason in words is shown after the label (issue 18's closing note)."""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtWidgets import QFormLayout


def _screened(s, surname: str, rationale: str) -> str:  # type: ignore[no-untyped-def]
    from app.models import rules
    from app.models.referral_input import ReferralInput, SubjectInput
    from app.services.cases import lifecycle, referrals

    prog = s.programme
    cid = referrals.open_referral(
        s,
        subject=SubjectInput(forenames="Dana", surname=surname, date_of_birth=dt.date(1990, 2, 11)),
        referral=ReferralInput(received=dt.date(2026, 2, 2), referrer="Duty officer",
                               sector=prog.sectors[0].label, concern=prog.concerns[0].label,
                               narrative="A concern."),
    )
    outcome = prog.screening_outcomes[0]
    for source, target in itertools.pairwise(rules.path_to(prog, outcome.target)):
        if prog.status(source).stage == "screening":
            lifecycle.screen_case(s, case_id=cid, outcome=outcome.id, rationale=rationale)
            break
        lifecycle.change_status(s, case_id=cid, status=target, rationale="Ready.")
    return str(cid)


def _screening_lines(form: QFormLayout) -> list[str]:
    return [w.text() for r in range(form.rowCount())
            if (item := form.itemAt(r, QFormLayout.ItemRole.FieldRole)) is not None
            and (w := item.widget()) is not None]


def test_the_screening_line_does_not_repeat_the_outcome(empty_ui) -> None:  # type: ignore[no-untyped-def]
    h, win = empty_ui, empty_ui.win
    s = h.session
    label = s.programme.screening_outcomes[0].label
    restated = h.tasks.call_sync(lambda: _screened(s, "Holt", f"Screening: {label.lower()}."))
    reasoned = h.tasks.call_sync(lambda: _screened(s, "Marsh", "Agencies hold enough to act on."))
    view = win.screens["Cases"].view
    win.open_case(restated)
    h.idle()
    assert _screening_lines(view.summary.screening_form) == [f"{label}."]
    win.open_case(reasoned)
    h.idle()
    assert _screening_lines(view.summary.screening_form) == [f"{label}. Agencies hold enough to act on."]
