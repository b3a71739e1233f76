"""``make bench`` part: export and import of 10,000 operations between a coordinator and an agency.

Builds two cheap-KDF stores in a temporary folder, writes N operations on the hub (cases with
notes shared with the agency), then times one export and one import through the services, beside
the raw signing and sealing rates measured in the same run. Prints one line per figure.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from app.crypto.identity import read_identity_card
from app.crypto.keyfile import KdfParams
from app.models.enums import Role
from app.services import exchange, setup
from app.sync.bench import measure


def main(operations: int = 10_000) -> int:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        hub = setup.create_store(folder / "hub.rtdb", passphrase="bench-pass", name="Hub",
                                 agency="Council", role=Role.COORDINATOR, kdf=KdfParams.cheap()).session
        pol = setup.create_store(folder / "pol.rtdb", passphrase="bench-pass", name="Pol",
                                 agency="Police", role=Role.OFFICER, kdf=KdfParams.cheap()).session
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


def run(workdir: Path, *, cases: int) -> None:
    """The ``make bench`` section (``tools/bench/run.py``): always 10,000 operations."""
    print("\n== sync: export and import of 10,000 operations ==")
    main(10_000)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
