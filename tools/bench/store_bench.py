"""Store figures for `make bench`: each beside the raw SQLCipher rate measured in the same run.

Targets (architecture.md): unlock < 1 s, first page of the case list < 100 ms, search < 50 ms.
The 10,000-case store is built once (with the real key-derivation cost) and kept in .bench/.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

PASSPHRASE = "bench store passphrase"
TODAY = dt.date(2026, 11, 30)


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time in seconds."""
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def build_store(path: Path, cases: int) -> Path:
    """The demo's cases, topped up to the envelope's actions, contributions and audit entries
    (tools/bench/envelope.py). Built once; the marker's name changes when the contents do."""
    from app.models.enums import Role
    from app.services import demo, setup
    from tools.bench import envelope

    marker = path.with_suffix(f".{cases}.envelope.ready")
    if marker.exists() and path.exists():
        return path
    for p in path.parent.glob(path.stem + "*"):
        p.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    created = setup.create_store(
        path, passphrase=PASSPHRASE, name="Bench Coordinator", agency="Bench County Council",
        role=Role.COORDINATOR, panel="Bench panel", today_fn=lambda: TODAY,
    )
    demo.build_demo(created.session, cases=cases, seed=42, batch=1000)
    demo_counts = envelope.store_counts(created.session)
    print(f"  built a {cases:,}-case demo store in {time.perf_counter() - t:.1f} s: "
          + _counts_line(demo_counts))  # fmt: skip
    added = envelope.top_up(created.session, cases=cases, seed=2026, batch=500)
    created.session.close()
    print(
        f"  topped up to the envelope in {added.seconds:.1f} s: {added.actions:,} actions raised "
        f"({added.updates:,} updates), {added.contributions:,} contributions, "
        f"{added.views:,} audited case views"
    )
    targets = envelope.envelope_targets(cases)
    print("  store now holds: " + _counts_line(added.counts)
          + "  (envelope: " + ", ".join(f"{k} {v:,}" for k, v in targets.items()) + ")")  # fmt: skip
    marker.write_text("ok")
    return path


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in counts.items())


def raw_sqlcipher_rates(tmp: Path) -> tuple[float, float]:
    """Rows/s written and read by plain sqlcipher3 with a raw key, no ORM, same pragmas."""
    import sqlcipher3

    path = tmp / "raw.db"
    for p in tmp.glob("raw.db*"):
        p.unlink()
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA key = \"x'" + "ab" * 32 + "'\"")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, a TEXT, b TEXT, c INTEGER)")
    n = 50_000
    rows = [(f"{i:032x}", "x" * 40, "y" * 80, i) for i in range(n)]
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    write_rate = n / (time.perf_counter() - t)
    t = time.perf_counter()
    got = conn.execute("SELECT * FROM t").fetchall()
    read_rate = len(got) / (time.perf_counter() - t)
    conn.close()
    for p in tmp.glob("raw.db*"):
        p.unlink()
    return write_rate, read_rate


def run(workdir: Path, cases: int = 10_000) -> dict[str, float]:
    from app.services import cases as cases_svc
    from app.services import panel, setup

    print(f"\n== Store ({cases:,} cases) ==")
    path = build_store(workdir / "bench.rtdb", cases)
    w, r = raw_sqlcipher_rates(workdir)
    print(f"  raw SQLCipher: write {w:,.0f} rows/s, read {r:,.0f} rows/s (50,000 rows, one transaction)")

    unlock_s = timed(lambda: setup.unlock(path, passphrase=PASSPHRASE).close(), repeat=3)
    session = setup.unlock(path, passphrase=PASSPHRASE, today_fn=lambda: TODAY)
    counts = panel.store_status(session).counts
    print("  store holds: " + _counts_line(counts))
    first_page = timed(lambda: cases_svc.case_summaries(session, cases_svc.list_case_ids(session, limit=50)))
    all_ids = timed(lambda: cases_svc.list_case_ids(session), repeat=3)
    sorted_ids = timed(lambda: cases_svc.list_case_ids(session, sort="risk", descending=True), repeat=3)
    ids = cases_svc.list_case_ids(session)
    some = cases_svc.case_summaries(session, ids[len(ids) // 2 : len(ids) // 2 + 1])[0]
    surname = some.subject_name.split(" ")[-1]
    search = timed(lambda: cases_svc.list_case_ids(session, search=surname))
    search_ref = timed(lambda: cases_svc.list_case_ids(session, search=some.ref))
    open_case = timed(lambda: cases_svc.get_case_file(session, some.id, audit_view=False))
    session.close()
    rss = _rss_mb()
    print(f"  unlock (Argon2id + open + checks)     {unlock_s * 1000:8.1f} ms   target < 1000 ms")
    print(f"  first page of case list (50 rows)     {first_page * 1000:8.1f} ms   target < 100 ms")
    print(f"  all case ids, by ref / by risk        {all_ids * 1000:8.1f} / {sorted_ids * 1000:.1f} ms")
    print(f"  search by surname                     {search * 1000:8.1f} ms   target < 50 ms")
    print(f"  search by case ref                    {search_ref * 1000:8.1f} ms   target < 50 ms")
    print(f"  open one case (full case file)        {open_case * 1000:8.1f} ms")
    print(f"  process resident memory               {rss:8.1f} MB")
    return {"unlock_ms": unlock_s * 1000, "first_page_ms": first_page * 1000, "search_ms": search * 1000}


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


if __name__ == "__main__":
    run(Path(os.environ.get("BENCH_DIR", ".bench")))
