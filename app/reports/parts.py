"""Pieces shared by several documents: the actions table and small label helpers.

Job: print actions the same way everywhere. Invariant: an overdue action says so in words
("OVERDUE", in a dark band with white capitals) so it survives greyscale printing and photocopying;
colour is never the only signal.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from app.config.i18n import N_, _, bilingual_text, ngettext, pgettext, welsh
from app.models.documents import ActionLine, Names
from app.models.enums import ActionStatus
from app.models.programme import Programme
from app.reports.styles import INK, M, P, data_table, esc, fmt_date

STATUS_LABEL = {  # English here, translated where printed
    ActionStatus.OPEN: N_("Open"),
    ActionStatus.IN_PROGRESS: N_("In progress"),
    ActionStatus.DONE: N_("Done"),
    ActionStatus.CANCELLED: N_("Cancelled"),
}


# The agenda's built-in words (app.models.programme.DEFAULT_AGENDA_LABELS), marked here for the
# catalogue: a programme without [agenda_labels] prints these, in Welsh from the catalogue.
DEFAULT_AGENDA_WORDS = (
    N_("New referrals"),
    N_("New referral"),
    N_("Reviews"),
    N_("Review"),
    N_("Exits"),
    N_("Exit"),
    N_("Post-exit reviews"),
    N_("Post-exit review"),
    N_("Any other business"),
    N_("Other business"),
)


def programme_text(programme: Programme, english: str) -> str:
    """A programme's text (a status, heading, agenda section, field or rating label) in the
    document's language: the Welsh written beside it in the programme file (``label_cy``), else
    the catalogue's (the built-in agenda words), else the English."""
    if not english:
        return english
    return bilingual_text(programme.welsh.get(english) or welsh(english), english)


def withheld() -> str:
    """``app.models.documents.WITHHELD`` in the document's language."""
    return _("Not shared with your agency")


def owner_text(line: ActionLine, names: Names) -> str:
    a = line.action
    who = names.agency(a.owner_agency)
    if a.owner is not None:
        who = f"{who}\n{names.member(a.owner)}"
    return who


def status_cell(line: ActionLine) -> Flowable:
    label = STATUS_LABEL.get(line.action.status, str(line.action.status.value))
    label = _(label)
    if line.overdue:
        overdue = esc(_("OVERDUE"))
        return M(
            f'<font color="white"><b>{overdue}</b></font><br/>'
            f'<font color="white" size="7.5">{esc(label)}</font>',
            "cell",
        )
    if line.action.status is ActionStatus.DONE and line.action.completed_on is not None:
        return M(
            f"{esc(label)}<br/><font size='7.5'>{esc(fmt_date(line.action.completed_on))}</font>",
            "cell",
        )
    return P(label, "cell")


def actions_table(
    lines: Sequence[ActionLine], names: Names, *, with_case: bool = False
) -> Flowable:
    """Action, owner, due date and status; overdue rows banded and labelled."""
    if not lines:
        return P(_("No actions."), "small")
    header = [_("Action"), _("Owner"), pgettext("action", "Due"), _("Status")]
    widths = [78 * mm, 44 * mm, 22 * mm, 26 * mm]
    if with_case:
        header = [_("Case"), *header]
        widths = [34 * mm, 52 * mm, 37 * mm, 21 * mm, 26 * mm]
    rows: list[list[object]] = []
    extra: list[tuple[object, ...]] = []
    for i, line in enumerate(lines, start=1):
        a = line.action
        row: list[object] = [a.title, owner_text(line, names), fmt_date(a.due), status_cell(line)]
        if with_case:
            row = [names.case(a.case_id), *row]
        rows.append(row)
        if line.overdue:
            col = len(row) - 1
            extra += [
                ("BACKGROUND", (col, i), (col, i), INK),
                ("LINEABOVE", (0, i), (-1, i), 0.9, INK),
                ("LINEBELOW", (0, i), (-1, i), 0.9, INK),
            ]
    table: Table = data_table(header, rows, widths, extra=extra)
    return table


def overdue_note(lines: Sequence[ActionLine]) -> Flowable | None:
    n = sum(1 for line in lines if line.overdue)
    if not n:
        return None
    text = ngettext("{n} action is OVERDUE.", "{n} actions are OVERDUE.", n).format(n=n)
    return M(f"<b>{esc(text)}</b>", "note")
