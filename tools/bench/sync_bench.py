"""``make bench`` part: export and import of 10,000 operations between a coordinator and an agency.

Builds two cheap-KDF stores in a temporary folder, writes N operations on the hub (cases with
notes shared with the agency), then times one export and one import through the services, beside
the raw signing and sealing rates measured in the same run. Prints one line per figure.
Then a large initial snapshot (10,000 notes of 10,000 characters, a ~75 MB bundle): export and
import each in a fresh process, with time and peak memory (``--large N`` runs only that).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from app.crypto.identity import read_identity_card
from app.crypto.keyfile import KdfParams
from app.models.enums import Role
from app.services import exchange, setup
from app.services.context import Session
from tools.bench.sync_timing import measure


def main(operations: int = 10_000) -> int:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        hub = setup.create_store(folder / "hub.rtdb", passphrase="bench-pass", name="Hub",
                                 agency="Council", role=Role.COORDINATOR, kdf=KdfParams.floor()).session
        pol = setup.create_store(folder / "pol.rtdb", passphrase="bench-pass", name="Pol",
                                 agency="Police", role=Role.OFFICER, kdf=KdfParams.floor()).session
        for a, b in ((hub, pol), (pol, hub)):
            card = exchange.identity_card(b)
            exchange.enrol(a, card=card, fingerprint=read_identity_card(card).fingerprint)
        agency = pol.workstation.agency.id
        with hub.change() as w:  # bulk writes through change capture: one op per record/field
            written = 0
            while written < operations:
                sid = w.create("subject", {"forenames": "Jo", "surname": f"S{written}",
                                           "date_of_birth": "2000-01-01"})
                cid = w.create("case", {"ref": f"RT-B-{written}", "subject_id": sid,
                                        "programme": "extremism", "status": "referred",
                                        "lead_agency": agency, "shared_with": [agency],
                                        "opened": dt.date(2026, 1, 1).isoformat()})
                written += 2
                for i in range(8):
                    w.create("contribution", {"case_id": cid, "agency_id": agency, "text": f"n{i} " * 20,
                                              "recorded_on": "2026-01-02", "restricted_to": []})
                    written += 1
        out = folder / "b.rtb"
        result = measure(
            written,
            lambda: (exchange.export_bundle(hub, to_member=pol.workstation.device_id, out=out),
                     out.read_bytes())[1],
            lambda _data: exchange.import_bundle(pol, path=out),
        )
        for line in result.lines():
            print(line)
        hub.close()
        pol.close()
    return 0


def _stores(folder: Path) -> tuple[Session, Session]:
    hub = setup.create_store(folder / "hub.rtdb", passphrase="bench-pass", name="Hub",
                             agency="Council", role=Role.COORDINATOR, kdf=KdfParams.floor()).session
    pol = setup.create_store(folder / "pol.rtdb", passphrase="bench-pass", name="Pol",
                             agency="Police", role=Role.OFFICER, kdf=KdfParams.floor()).session
    for a, b in ((hub, pol), (pol, hub)):
        card = exchange.identity_card(b)
        exchange.enrol(a, card=card, fingerprint=read_identity_card(card).fingerprint)
    return hub, pol


def _child(step: str, folder: Path) -> int:
    """One step of the large snapshot in a fresh process: time, peak RSS (and RSS once the store
    is open), peak Python allocations of a re-export."""
    import resource
    import time
    import tracemalloc

    from app.storage.store import Store

    name = "hub.rtdb" if step == "export" else "pol.rtdb"
    session = Session(Store.open_with_passphrase(folder / name, "bench-pass"))
    peer = (folder / "peer").read_text()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if step == "export":
        exchange.export_bundle(session, to_member=peer, out=folder / "big.rtb")
    else:
        r = exchange.import_bundle(session, path=folder / "big.rtb")
        assert r.outcome == "applied", r.reason
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()  # a second, traced run would change the store: trace a re-export only
    if step == "export":
        exchange.export_bundle(session, to_member=peer, out=folder / "again.rtb")
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{seconds:.2f} {rss} {traced if step == 'export' else -1} {rss0 * 1024}")
    session.close()
    return 0


def large_snapshot(notes: int = 10_000, size: int = 10_000) -> list[str]:
    """Export and import of an initial snapshot of ``notes`` incompressible notes of ``size``
    characters, each step in its own process: time, growth of peak RSS, peak Python allocations."""
    import subprocess

    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        hub, pol = _stores(folder)
        agency = pol.workstation.agency.id
        (folder / "peer").write_text(pol.workstation.device_id)
        with hub.change() as w:
            sid = w.create("subject", {"forenames": "Jo", "surname": "Big",
                                       "date_of_birth": "2000-01-01"})
            cid = w.create("case", {"ref": "RT-BIG-1", "subject_id": sid, "programme": "extremism",
                                    "status": "referred", "lead_agency": agency,
                                    "shared_with": [agency], "opened": "2026-01-01"})
            for _ in range(notes):
                w.create("contribution", {"case_id": cid, "agency_id": agency,
                                          "text": base64.b64encode(os.urandom(size * 3 // 4)).decode(),
                                          "recorded_on": "2026-01-02", "restricted_to": []})
        hub.close()
        pol.close()
        figures = {}
        for step in ("export", "import"):
            out = subprocess.run([sys.executable, __file__, "--child", step, d], check=True,
                                 capture_output=True, text=True).stdout.split()
            figures[step] = (float(out[0]), int(out[1]), int(out[2]), int(out[3]))
        size_b = (folder / "big.rtb").stat().st_size
        mb = 1e6
        ex, im = figures["export"], figures["import"]
        return [
            f"large snapshot: {notes} notes, bundle {size_b / mb:.0f} MB",
            f"  export {ex[0]:.1f} s, peak RSS {ex[1] / mb:.0f} MB (store open: {ex[3] / mb:.0f} MB), "
            f"peak Python {ex[2] / mb:.1f} MB",
            f"  import {im[0]:.1f} s, peak RSS {im[1] / mb:.0f} MB (store open: {im[3] / mb:.0f} MB), "
            "one transaction",
        ]


def run(workdir: Path, *, cases: int) -> None:
    """The ``make bench`` section (``tools/bench/run.py``): always 10,000 operations."""
    print("\n== sync: export and import of 10,000 operations ==")
    main(10_000)
    for line in large_snapshot():
        print(line)


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        sys.exit(_child(sys.argv[2], Path(sys.argv[3])))
    if len(sys.argv) > 1 and sys.argv[1] == "--large":
        for line in large_snapshot(int(sys.argv[2]) if len(sys.argv) > 2 else 10_000):
            print(line)
        sys.exit(0)
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
