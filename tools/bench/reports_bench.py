"""Document figures for `make bench`: a 40-case meeting pack and one plan, built through the
documents service from the bench store, beside ReportLab's raw page rate measured in the same run.

Targets (architecture.md): a 40-case pack < 3 s, a plan < 0.5 s. The bench store is never changed:
the 40-case meeting is scheduled in a copy, which is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from tools.bench.store_bench import PASSPHRASE, TODAY, build_store


def _copy(path: Path, dest: Path) -> Path:
    from app.storage.store_files import key_path

    dest.mkdir(mode=0o700, exist_ok=True)
    shutil.copy2(path, dest / path.name)
    shutil.copy2(key_path(path), key_path(dest / path.name))
    return dest / path.name


def run(workdir: Path, cases: int = 10_000) -> None:
    import pypdf

    from app.services import cases as cases_svc
    from app.services import meetings, panel, setup
    from app.services.documents import packs, plans
    from tools.bench.reports_timing import raw_page_rate

    print("\n== Documents ==")
    store = build_store(workdir / "bench.rtdb", cases)
    rate = raw_page_rate(200)
    print(
        f"  ReportLab raw rate                    {rate:8.0f} pages/s (plain text pages, embedded font)"
    )
    scratch = workdir / "reports-bench"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        session = setup.unlock(_copy(store, scratch), passphrase=PASSPHRASE, today_fn=lambda: TODAY)
        try:
            police = next(a.id for a in panel.list_agencies(session) if a.short == "NP")
            recipient = next(m for m in panel.list_members(session) if m.agency_id == police)
            # Police are on every demo case's share list: 40 full papers for this recipient.
            ids = cases_svc.list_case_ids(session, statuses=["support-plan"], limit=40)
            if len(ids) < 40:
                ids += cases_svc.list_case_ids(
                    session, statuses=["adopted", "exited"], limit=40 - len(ids)
                )
            mid = meetings.schedule_meeting(
                session, held_on=TODAY, case_ids=ids, distribution=[recipient.id]
            )
            t = time.perf_counter()
            data = packs.meeting_pack_data(session, meeting_id=mid, recipient=recipient.id)
            gather = time.perf_counter() - t
            t = time.perf_counter()
            pack = packs.write_meeting_pack(
                session, meeting_id=mid, recipient=recipient.id, out=scratch / "pack.pdf"
            )
            total = time.perf_counter() - t
            pages = len(pypdf.PdfReader(pack).pages)
            t = time.perf_counter()
            plans.write_plan(session, case_id=ids[0], out=scratch / "plan.pdf")
            plan = time.perf_counter() - t
        finally:
            session.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    per_page = total / pages
    print(
        f"  meeting pack, {len(data.case_papers)} cases (service)     {total:8.2f} s   target < 3 s"
        f"   ({pages} pages; gathering {gather:.2f} s; {pages / total:.0f} pages/s,"
        f" {per_page * rate:.1f}x the raw cost per page)"
    )
    print(f"  risk-management plan (service)        {plan:8.3f} s   target < 0.5 s")


if __name__ == "__main__":
    run(
        Path(os.environ.get("BENCH_DIR", ".bench")).absolute(),
        int(os.environ.get("BENCH_CASES", "2000")),
    )
