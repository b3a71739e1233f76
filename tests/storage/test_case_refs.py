"""Case refs past the 9,999th case of a year (issue 12): the number grows to five digits and more,
refs sort by year and then by number, and a referral import across RT-YYYY-9999 works whole."""

from __future__ import annotations

from pathlib import Path

from app.services import cases, intake
from app.services.context import Session
from app.storage import case_list, ref_queries
from tests.support.intake_csv import csv_bytes, put, row


def _renumber(session: Session, ref: str) -> None:
    """Give the one case of the year (opened by the import below) a high ref, as a store with
    that many cases would have."""
    with session.change() as w:
        first = case_list.case_ids(w.conn, today=session.today())[0]
        w.update("case", first, {"ref": ref})


def test_an_import_across_9999_issues_five_digit_refs_that_sort_after_9999(
    empty_session: Session, tmp_path: Path
):
    session = empty_session
    one = put(tmp_path, "one.csv", csv_bytes([row(Surname="First")]))
    intake.import_referrals(session, path=one)
    _renumber(session, "RT-2026-9997")
    names = ["Second", "Third", "Fourth", "Fifth"]
    path = put(tmp_path, "four.csv", csv_bytes([row(Surname=n) for n in names]))
    assert len(intake.import_referrals(session, path=path, dry_run=True).imported) == 4
    report = intake.import_referrals(session, path=path)
    refs = [r.ref for r in report.imported]
    assert refs == ["RT-2026-9998", "RT-2026-9999", "RT-2026-10000", "RT-2026-10001"]
    listed = [c.ref for c in cases.list_cases(session)]
    assert listed == ["RT-2026-9997", *refs]
    listed_desc = [c.ref for c in cases.list_cases(session, descending=True)]
    assert listed_desc == list(reversed(listed))
    with session.view() as conn:
        assert ref_queries.next_case_number(conn, 2026) == 10002
        assert ref_queries.next_case_number(conn, 2025) == 1


def test_refs_sort_by_year_then_number(empty_session: Session, tmp_path: Path):
    session = empty_session
    rows = [row(Surname=f"P{n}", **{"Referral date": d}) for n, d in enumerate(
        ["03/02/2025", "03/02/2026", "04/02/2026"])]  # fmt: skip
    intake.import_referrals(session, path=put(tmp_path, "r.csv", csv_bytes(rows)))
    with session.change() as w:
        ids = case_list.case_ids(w.conn, today=session.today())
        w.update("case", ids[0], {"ref": "RT-2025-12000"})
        w.update("case", ids[1], {"ref": "RT-2026-0003"})
        w.update("case", ids[2], {"ref": "RT-2026-100000"})
    listed = [c.ref for c in cases.list_cases(session)]
    assert listed == ["RT-2025-12000", "RT-2026-0003", "RT-2026-100000"]
    assert sorted(["RT-2026-100000", "RT-2026-0003", "RT-2025-12000"], key=ref_queries.ref_sort_key) == listed
    with session.view() as conn:
        assert ref_queries.next_case_number(conn, 2026) == 100001
        assert ref_queries.next_case_number(conn, 2025) == 12001


def test_the_next_number_and_the_ref_order_are_index_walks(empty_session: Session):
    from sqlalchemy import select

    from app.storage import schema

    with empty_session.view() as conn:
        q = (
            select(schema.case.c.ref)
            .where(ref_queries.ref_order()[0] == "RT-2026-")
            .order_by(*(k.desc() for k in ref_queries.ref_order()[1:]))
        )
        listing = select(schema.case.c.id).order_by(*ref_queries.ref_order())
        for query in (q, listing):
            compiled = query.compile(conn)
            rows = conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled), tuple(compiled.params.values())
            )
            plan = " ".join(str(r[-1]) for r in rows)
            assert "ix_case_ref_order" in plan and "TEMP B-TREE" not in plan, plan


def test_the_ref_format_is_written_once_and_read_back() -> None:
    from app.models.ids import case_ref, case_ref_number, case_ref_prefix

    assert case_ref(2026, 42) == "RT-2026-0042" and case_ref(2026, 10001) == "RT-2026-10001"
    assert case_ref(2026, 7).startswith(case_ref_prefix(2026))
    assert case_ref_number(case_ref(2026, 10001), 2026) == 10001
    assert case_ref_number("RT-2026-00x1", 2026) is None
    assert case_ref_number("RT-2025-0001", 2026) is None
