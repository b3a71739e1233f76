"""Referral intake through the service: realistic messy files built here, all rows or none, links to
known people, refusals that leave the store exactly as it was, audited skips, remembered mappings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from app.models.enums import Role
from app.models.errors import InvalidInput, PermissionDenied, SpreadsheetError
from app.services import cases, intake
from app.services.context import Session
from app.storage.schema import audit
from tests.support.intake_csv import HEAD, csv_bytes, put, row
from tests.support.stores import dump_store


def existing_subject(session: Session) -> tuple[str, object]:
    """A demo subject whose name a Windows-1252 file can hold (the demo also has Łukasz, Zoë…)."""
    for summary in cases.list_cases(session)[3:]:
        case_file = cases.get_case_file(session, summary.id, audit_view=False)
        try:
            f"{case_file.subject.forenames} {case_file.subject.surname}".encode("cp1252")
        except UnicodeEncodeError:
            continue
        return summary.ref, case_file.subject
    raise AssertionError("no demo subject with a Windows-1252 name")


def audit_actions(session: Session) -> list[tuple[str, str, list[str]]]:
    with session.view() as conn:
        return [(r.action, r.entity, sorted(json.loads(r.fields))) for r in conn.execute(select(audit))]


# --- files that import ---------------------------------------------------------------------------


def test_messy_cp1252_semicolon_file_imports_and_links_a_known_person(session: Session, tmp_path: Path):
    ref, known = existing_subject(session)
    before = len(cases.list_cases(session))
    rows = [
        row(),
        row(**{"Referral date": "1-Mar-2026", "Forename(s)": "  Łukasz ", "Surname": "=HYPERLINK(\"x\")",
               "D.O.B.": "2010-01-31", "Referring agency": "Police", "Type of concern": "Islamist"}),
        row(**{"Referral date": "31/1/26", "Forename(s)": known.forenames, "Surname": known.surname,
               "D.O.B.": known.date_of_birth.strftime("%d/%m/%Y"), "Gender": ""}),
    ]  # fmt: skip
    rows[1][3] = "Lukasz"  # Windows-1252 cannot hold Ł
    data = csv_bytes(rows, sep=";", encoding="cp1252", tail=";;;;;;;;;\r\n\r\n;;\r\n")
    path = put(tmp_path, "referrals.csv", data)

    preview = intake.preview_referral_file(session, path=path)
    assert preview.encoding == "cp1252" and preview.rows_read == 3 and not preview.problems
    assert [r.row for r in preview.rows] == [2, 3, 4]
    assert preview.rows[2].matches and ref in preview.rows[2].matches[0].case_refs
    assert "linked to existing subject" in preview.rows[2].matches[0].describe()

    report = intake.import_referrals(session, path=path)
    assert [r.row for r in report.imported] == [2, 3, 4]
    assert all(r.ref.startswith("RT-2026-") for r in report.imported)
    assert len(cases.list_cases(session)) == before + 3
    linked = report.imported[2]
    assert linked.link is not None and linked.link.subject_id == known.id
    assert cases.get_case_file(session, linked.case_id, audit_view=False).subject.id == known.id
    formula = cases.get_case_file(session, report.imported[1].case_id, audit_view=False)
    assert formula.subject.surname == '=HYPERLINK("x")'  # kept as plain text, exactly
    assert formula.subject.forenames == "Lukasz" and formula.referral.received == dt.date(2026, 3, 1)
    first = cases.get_case_file(session, report.imported[0].case_id, audit_view=False)
    assert first.subject.surname == "O'Brien-Ó Súilleabháin" and first.subject.forenames == "Zoë"
    assert first.subject.date_of_birth == dt.date(2009, 5, 17)
    events = [a for a in audit_actions(session) if a[0] == "referral-import"]
    assert events == [("referral-import", "file", sorted(["rows:3", "linked:1", "skipped:0"]))]
    assert not any("referrals.csv" in str(a) for a in audit_actions(session))


def test_utf8_bom_and_duplicate_rows_in_one_file(session: Session, tmp_path: Path):
    data = b"\xef\xbb\xbf" + csv_bytes([row(), row(**{"Referral date": "04/02/2026"})])
    path = put(tmp_path, "bom.csv", data)
    preview = intake.preview_referral_file(session, path=path)
    assert preview.encoding == "utf-8-sig" and preview.rows[1].same_as_row == 2
    report = intake.import_referrals(session, path=path)
    first, second = report.imported
    assert first.link is None and second.link is not None and second.link.reason == "same person as row 2"
    a = cases.get_case_file(session, first.case_id, audit_view=False)
    b = cases.get_case_file(session, second.case_id, audit_view=False)
    assert a.subject.id == b.subject.id


def test_xlsx_with_merged_two_row_header_and_date_cells(session: Session, tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Referrals"
    ws.append(["Northshire referrals 2026"])
    ws.append(["Referral", None, None, "Person", None, "Date of birth", "Type of concern", "Reason"])
    ws.append(["Referral date", "Referrer", "Sector", "Forename(s)", "Surname", None, None, None])
    ws.merge_cells("A2:C2")
    ws.merge_cells("D2:E2")
    ws.merge_cells("F2:F3")
    ws.merge_cells("G2:G3")
    ws.merge_cells("H2:H3")
    ws.append([dt.datetime(2026, 4, 2), "GP practice", "health", "Siân", "Llewelyn", "2/3/2008",
               "Mixed", "Talked of attacking a school."])  # fmt: skip
    ws.append([None] * 8)
    ws.append(["14 April 2026", "Youth worker", "community", "Jean-Luc", "D'Souza",
               dt.datetime(1990, 12, 1), "far right", "Posters."])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    path = put(tmp_path, "referrals.xlsx", buf.getvalue())
    preview = intake.preview_referral_file(session, path=path)
    assert preview.mapping["date_of_birth"] == "Date of birth" and preview.header_row == 3
    assert not preview.problems, [p.describe() for p in preview.problems]
    report = intake.import_referrals(session, path=path)
    rows = {r.row: cases.get_case_file(session, r.case_id, audit_view=False) for r in report.imported}
    assert set(rows) == {4, 6}
    assert rows[4].subject.date_of_birth == dt.date(2008, 3, 2)  # day first
    assert rows[6].referral.received == dt.date(2026, 4, 14) and rows[6].subject.surname == "D'Souza"


# --- files that are refused, leaving the store unchanged -----------------------------------------

PROBLEMS = [
    ({"D.O.B.": "31/02/2009"}, "D.O.B.", "Not a real date: that day does not exist in that month."),
    ({"Referral date": "01/12/2026"}, "Referral date", "The date is in the future."),
    ({"D.O.B.": "13/13/2009"}, "D.O.B.", "Not a real date: there is no month above 12"),
    ({"D.O.B.": "last spring"}, "D.O.B.", "Not a date. Write dates as day/month/year"),
    ({"Surname": "   "}, "Surname", "The surname is missing."),
    ({"Referring agency": "Ministry of Magic"}, "Referring agency", "is not a referring sector"),
    ({"Type of concern": "bad vibes"}, "Type of concern", "is not a type of concern"),
    ({"NHS number": "123 456 7890"}, "NHS number", "Not a valid NHS number"),
    ({"Referrer": ""}, "Referrer", "The referrer is missing."),
    ({"Reason for referral": ""}, "Reason for referral", "The reason for referral is missing."),
]


@pytest.mark.parametrize(("change", "column", "message"), PROBLEMS)
def test_each_problem_names_row_and_column_and_changes_nothing(
    session: Session, tmp_path: Path, change: dict[str, str], column: str, message: str
):
    path = put(tmp_path, "bad.csv", csv_bytes([row(), row(**change), row()]))
    before = dump_store(session)
    with pytest.raises(intake.IntakeRefused) as err:
        intake.import_referrals(session, path=path)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, column)]
    assert message in err.value.problems[0].message
    assert f"Row 3, “{column}”" in err.value.user_message and "Nothing was imported" in err.value.user_message
    with pytest.raises(intake.IntakeRefused):
        intake.import_referrals(session, path=path, dry_run=True)
    assert dump_store(session) == before


def test_missing_required_column_cannot_be_skipped(session: Session, tmp_path: Path):
    headers = [h for h in HEAD if h != "Surname"]
    data = csv_bytes([[v for h, v in zip(HEAD, row(), strict=True) if h != "Surname"]], headers=headers)
    path = put(tmp_path, "nosurname.csv", data)
    before = dump_store(session)
    preview = intake.preview_referral_file(session, path=path)
    assert preview.blocking and "No column for the surname" in preview.blocking[0].message
    with pytest.raises(intake.IntakeRefused):
        intake.import_referrals(session, path=path, skip_rows=frozenset({1, 2}))
    assert dump_store(session) == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("renamed.csv", b"PK\x03\x04" + bytes(range(256)) * 8, ""),
        ("binary.csv", b"\x00\x01\x02\x03" * 500, ""),
        ("bomb.xlsx", b"not a zip at all" * 10, ""),
        ("notes.txt", b"Surname,DOB\nX,01/01/2000\n", ".csv or .xlsx"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_bad_files_are_refused(session: Session, tmp_path: Path, name: str, data: bytes, message: str):
    before = dump_store(session)
    with pytest.raises(SpreadsheetError) as err:
        intake.import_referrals(session, path=put(tmp_path, name, data))
    assert message in err.value.user_message
    assert dump_store(session) == before


def test_a_huge_file_is_refused_before_it_is_read(session: Session, tmp_path: Path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(200 * 2**20)  # sparse: 200 MB, nothing to read
    with pytest.raises(SpreadsheetError, match="larger than 20 MiB"):
        intake.preview_referral_file(session, path=path)
    with pytest.raises(InvalidInput, match="no file"):
        intake.preview_referral_file(session, path=tmp_path / "missing.csv")


# --- skipping, dry run, mapping, permission -----------------------------------------------------


def test_leaving_failing_rows_out_is_explicit_and_audited(session: Session, tmp_path: Path):
    path = put(tmp_path, "mixed.csv", csv_bytes([row(), row(**{"D.O.B.": "31/02/2009"}), row(Surname="")]))
    with pytest.raises(intake.IntakeRefused):
        intake.import_referrals(session, path=path, skip_rows=frozenset({3}))  # row 4 still fails
    report = intake.import_referrals(session, path=path, skip_rows=frozenset({3, 4}))
    assert [r.row for r in report.imported] == [2] and report.skipped_rows == (3, 4)
    events = [a for a in audit_actions(session) if a[0].startswith("referral-import")]
    assert ("referral-import-skip", "file", ["row:3", "row:4"]) in events
    assert ("referral-import", "file", sorted(["rows:1", "linked:0", "skipped:2"])) in events


def test_dry_run_reports_exactly_and_changes_nothing(session: Session, tmp_path: Path):
    path = put(tmp_path, "ok.csv", csv_bytes([row(), row(Surname="Nguyễn")]))
    before = dump_store(session)
    report = intake.import_referrals(session, path=path, dry_run=True)
    assert report.dry_run and len(report.imported) == 2 and report.imported[0].ref.startswith("RT-2026-")
    assert dump_store(session) == before


def test_chosen_mapping_is_remembered_for_the_same_headers(session: Session, tmp_path: Path):
    headers = ["Date in", "From", "Agency", "Child first name", "Child last name", "Born",
               "Gender", "NHS number", "Concern", "Notes"]  # fmt: skip
    path = put(tmp_path, "odd.csv", csv_bytes([row()], headers=headers))
    guessed = intake.preview_referral_file(session, path=path)
    assert guessed.mapping_source == "guessed" and guessed.blocking
    chosen = {"received": "Date in", "referrer": "From", "forenames": "Child first name",
              "surname": "Child last name", "date_of_birth": "Born", "narrative": "Notes"}  # fmt: skip
    report = intake.import_referrals(session, path=path, mapping=chosen)
    assert len(report.imported) == 1
    # The next file with the same headers in another order and case gets the same choice.
    again = put(tmp_path, "odd2.csv", csv_bytes([row()[::-1]], headers=[h.upper() for h in headers[::-1]]))
    preview = intake.preview_referral_file(session, path=again)
    assert preview.mapping_source == "remembered" and not preview.problems
    assert intake.remembered_mapping(session, preview.header_signature)["surname"] == "Child last name"


def test_only_the_coordinator_imports(session: Session, tmp_path: Path):
    path = put(tmp_path, "ok.csv", csv_bytes([row()]))
    ws = session.workstation
    session._workstation = dataclasses.replace(ws, member=dataclasses.replace(ws.member, role=Role.OFFICER))
    with pytest.raises(PermissionDenied):
        intake.import_referrals(session, path=path)
    with pytest.raises(PermissionDenied):
        intake.preview_referral_file(session, path=path)


def test_bulk_import_links_rows_as_the_row_by_row_import_did(session: Session, tmp_path: Path):
    """Cases are written in bulk (issue 14), yet a row matching a row not yet written still links
    to it, with that row's case among the link's refs; ops and audit entries are one set per
    record and the chain verifies."""
    from app.services import panel
    from app.storage.schema import op_log

    names = ["Anwen", "Bryn", "Anwen", "Carys", "Bryn", "Anwen"]
    rows = [row(**{"Forename(s)": n, "Surname": "Price", "D.O.B.": f"0{1 + 'ABC'.index(n[0])}/02/2001"})
            for n in names]  # fmt: skip
    with session.view() as conn:
        ops_before = len(conn.execute(select(op_log)).all())
    report = intake.import_referrals(session, path=put(tmp_path, "dups.csv", csv_bytes(rows)))
    got = [(r.row, r.link.reason if r.link else None) for r in report.imported]
    assert got == [(2, None), (3, None), (4, "same person as row 2"), (5, None),
                   (6, "same person as row 3"), (7, "same person as row 2")]  # fmt: skip
    refs = {r.row: r.ref for r in report.imported}
    last = report.imported[-1].link
    assert last is not None and set(last.case_refs) == {refs[2], refs[4]}
    subjects = {r.row: cases.get_case_file(session, r.case_id, audit_view=False).subject.id
                for r in report.imported}  # fmt: skip
    assert subjects[2] == subjects[4] == subjects[7] and subjects[3] == subjects[6]
    assert len(set(subjects.values())) == 3
    assert len(set(refs.values())) == 6
    with session.view() as conn:
        new_ops = conn.execute(select(op_log)).all()[ops_before:]
    kinds = sorted({(o.kind, o.entity) for o in new_ops})
    assert kinds == [("create", e) for e in ("case", "referral", "status_change", "subject")]
    per = {e: sum(1 for o in new_ops if o.entity == e) for _, e in kinds}
    assert per == {"case": 6, "referral": 6, "status_change": 6, "subject": 3}
    assert panel.verify_audit(session).ok
