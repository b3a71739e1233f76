"""Exports (hardening after issue 12): a file appears under its name only once its export is
committed and audited — a kill -9 at any point never leaves an unaudited file, nor a partial one
under the final name — and every operation is re-checked with the recipient's own rule before it
is sealed, so an invalid op already in the store is left out instead of making the recipient
reject every file."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.services import contributions, exchange
from app.storage.schema import audit
from tests.support.export_crash import _export_killed, _member_takes_everything, _notes
from tests.support.sync_support import Panel, dump, open_case


def _bundle_id(path: Path) -> str:
    data = path.read_bytes()
    (header_len,) = struct.unpack(">I", data[28:32])
    return str(json.loads(data[40 : 40 + header_len])["bundle_id"])


def _exports_audited(panel: Panel) -> set[str]:
    with panel.hub.view() as conn:
        return {r[0] for r in conn.execute(select(audit.c.record_id).where(audit.c.action == "export"))}


@pytest.mark.parametrize("point", ["selected", "op-40", "written", "committed", "file-in-place", "none"])
def test_a_file_under_its_name_is_always_audited(panel: Panel, point: str) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    _notes(panel, cid, 80)
    out = panel.folder / "killed.rtb"
    killed = _export_killed(panel, out, point)
    assert killed == (point != "none")
    if out.exists():
        assert _bundle_id(out) in _exports_audited(panel)  # never a file without its audit entry
    else:
        assert point in ("selected", "op-40", "written", "committed")
    if point in ("written",):
        assert not out.exists()  # written, not committed: it must not be in place
    # nothing half-written ever has the final name; a kill leaves at most a hidden ".part"
    assert [p.name for p in panel.folder.iterdir() if p.name.startswith("killed")] in ([], ["killed.rtb"])
    contributions.add_contribution(panel.hub, case_id=cid, text="written after the crash")
    second = panel.ship(panel.hub, panel.police)
    outcomes = _member_takes_everything(panel, [out, second])
    assert outcomes[-1][1] == "applied"
    assert len(dump(panel.police)["contribution"]) == 81


def test_an_invalid_op_in_the_store_is_left_out_of_exports(panel: Panel) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    bad = contributions.add_contribution(panel.hub, case_id=cid, text="will be made invalid")
    contributions.add_contribution(panel.hub, case_id=cid, text="a good note")
    # as if applied before the text rules existed: an escape sequence in the stored op
    with panel.hub.store.db.write() as conn:
        n = conn.execute(text(
            "UPDATE op_log SET value = replace(value, 'will be made invalid', 'bad \\u001b[31m red')"
            " WHERE record_id = :r AND kind = 'create'"), {"r": bad}).rowcount
    assert n == 1
    out = panel.folder / "to-police.rtb"
    report = exchange.export_bundle(panel.hub, to_member=panel.police.workstation.device_id, out=out)
    assert report.held_back == 1
    got = exchange.import_bundle(panel.police, path=out)
    assert got.outcome == "applied", got.reason  # before: rejected whole, for ever
    texts = [r for r in dump(panel.police)["contribution"]]
    assert any("a good note" in repr(r) for r in texts)
    assert not any("red" in repr(r) for r in texts)
    with panel.hub.view() as conn:
        fields = [r[0] for r in conn.execute(select(audit.c.fields).where(audit.c.action == "export"))]
    assert any("left-out-invalid:1" in f for f in fields)
