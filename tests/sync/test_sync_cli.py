"""Functional: a full round through ``python -m app`` with a coordinator and two agencies, and a
kill -9 at points inside an import (the store is exactly before or after, never between)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.crypto.identity import read_identity_card
from app.models.enums import Role
from app.services import contributions, exchange, setup
from tests.support.export_crash import _export_killed, _member_takes_everything, _notes
from tests.support.kdf import CHEAP
from tests.support.sync_support import PASS, Panel, dump, open_case, open_store

# measured with --durations=30 on two cores: the command line in child processes, 5-60 s a test
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def cli(store: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUNDTABLE_STORE": str(store), "ROUNDTABLE_PASSPHRASE": PASS,
           "QT_QPA_PLATFORM": "offscreen"}
    p = subprocess.run([sys.executable, "-m", "tests.support.cli_entry", *args], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"{args}: {p.returncode} {p.stderr}")
    return p


def test_full_round_through_the_command_line(tmp_path: Path) -> None:
    stores = {}
    for key, name, agency, role in (("hub", "Cora", "Borough Council", Role.COORDINATOR),
                                    ("police", "Pat", "Police", Role.OFFICER),
                                    ("health", "Hal", "NHS Health", Role.OFFICER)):
        s = setup.create_store(tmp_path / f"{key}.rtdb", passphrase=PASS, name=name, agency=agency,
                               role=role, kdf=CHEAP).session
        stores[key] = tmp_path / f"{key}.rtdb"
        s.close()
    cli(stores["hub"], "identity", "--out", str(tmp_path / "hub.card"))
    hub_fp = read_identity_card((tmp_path / "hub.card").read_bytes()).fingerprint
    ids = {}
    for key in ("police", "health"):
        if key == "police":  # the command line for one agency, services for the other (time)
            cli(stores[key], "identity", "--out", str(tmp_path / f"{key}.card"))
        else:
            s = open_store(stores[key])
            (tmp_path / f"{key}.card").write_bytes(exchange.identity_card(s))
            exchange.enrol(s, card=(tmp_path / "hub.card").read_bytes(), fingerprint=hub_fp)
            s.close()
        card = read_identity_card((tmp_path / f"{key}.card").read_bytes())
        ids[key] = card.device_id
        if key == "police":
            bad = cli(stores["hub"], "enrol", str(tmp_path / f"{key}.card"), "--fingerprint",
                      "00000 " * 8, check=False)
            assert bad.returncode == 1 and "does not match" in bad.stderr
            cli(stores[key], "enrol", str(tmp_path / "hub.card"), "--fingerprint", hub_fp)
        cli(stores["hub"], "enrol", str(tmp_path / f"{key}.card"), "--fingerprint", card.fingerprint)
    hub = open_store(stores["hub"])
    cid = open_case(hub, share=[])
    from app.services.cases import sharing

    police_agency = read_identity_card((tmp_path / "police.card").read_bytes()).agency_id
    sharing.set_sharing(hub, case_id=cid, shared_with=[police_agency])  # type: ignore[list-item]
    hub.close()
    cli(stores["hub"], "export", "--to", ids["police"][:8], "--out", str(tmp_path / "to-police.rtb"))
    out = json.loads(cli(stores["police"], "import", str(tmp_path / "to-police.rtb"), "--json").stdout)
    assert out["outcome"] == "applied" and out["applied"] > 0
    wrong = cli(stores["health"], "import", str(tmp_path / "to-police.rtb"), check=False)
    assert wrong.returncode == 1 and "not addressed" in wrong.stderr
    h = open_store(stores["hub"])
    exchange.export_bundle(h, to_member=ids["health"], out=tmp_path / "to-health.rtb")
    h.close()
    h = open_store(stores["health"])
    assert exchange.import_bundle(h, path=tmp_path / "to-health.rtb").outcome == "applied"
    h.close()
    cli(stores["police"], "export", "--to", hub_fp[:11], "--out", str(tmp_path / "back.rtb"))
    assert "applied" in cli(stores["hub"], "import", str(tmp_path / "back.rtb")).stdout
    assert json.loads(cli(stores["hub"], "conflicts", "--json").stdout) == []
    status = cli(stores["hub"], "status").stdout
    assert "file 1 received" in status and "nothing received" in status  # police sent, health not
    p, h = open_store(stores["police"]), open_store(stores["health"])
    try:
        assert [r[0] for r in dump(p)["case"]] == [cid]
        assert dump(h)["case"] == []
    finally:
        p.close()
        h.close()


CRASHER = """
import os, signal, sys
from tests.support.kdf import cheap_for_this_process
cheap_for_this_process()
from pathlib import Path
from app.services.exchange import import_bundle
from app.services.context import Session
from app.storage.store import Store
from tests.support.exchange_points import at_import_point
point = sys.argv[3]
if point != "none":
    at_import_point(point, lambda: os.kill(os.getpid(), signal.SIGKILL))
s = Session(Store.open_with_passphrase(Path(sys.argv[1]), sys.argv[4]))
print(import_bundle(s, path=Path(sys.argv[2])).outcome)
"""


@pytest.mark.parametrize("point", ["start", "evicted", "applied", "before-commit", "none"])
def test_kill_9_during_import_leaves_before_or_after(panel: Panel, point: str) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    from app.services import contributions

    for i in range(30):
        contributions.add_contribution(panel.hub, case_id=cid, text=f"note {i}")
    f = panel.ship(panel.hub, panel.police)
    before = dump(panel.police)
    path = panel.police.store.path
    panel.police.close()
    p = subprocess.run([sys.executable, "-c", CRASHER, str(path), str(f), point, PASS], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    killed = p.returncode == -signal.SIGKILL
    assert killed == (point != "none"), p.stderr
    panel.police = open_store(path)
    after = dump(panel.police)
    if killed:
        assert after == before
        r = __import__("app.services.exchange", fromlist=["x"]).import_bundle(panel.police, path=f)
        assert r.outcome == "applied"
        # the killed import's staging copy is cleared by the next import; nothing else is left
        assert list((path.parent / "exchange" / "staging").glob("*.rtb")) == []
    else:
        assert len(after["contribution"]) == 30
        assert after["sync_ledger"]


# --- kill -9 during an export (issue 12) --------------------------------------------------------------
@pytest.mark.parametrize("point", ["reserved", "selected", "op-40", "file-in-place", "written", "none"])
def test_kill_9_during_export_never_gives_two_files_one_number(panel: Panel, point: str) -> None:
    cid = open_case(panel.hub, share=[panel.police])
    _notes(panel, cid, 80)
    first = panel.folder / "killed.rtb"
    killed = _export_killed(panel, first, point)
    assert killed == (point != "none")
    if point in ("reserved", "selected", "op-40"):
        assert not first.exists()  # nothing half-written ever appears
    contributions.add_contribution(panel.hub, case_id=cid, text="written after the crash")
    second = panel.ship(panel.hub, panel.police)
    outcomes = _member_takes_everything(panel, [first, second])
    assert outcomes[-1][1] == "applied"
    assert len(dump(panel.police)["contribution"]) == 81


@pytest.mark.parametrize("seed", range(4))
def test_kill_9_at_random_moments_of_an_export(panel: Panel, seed: int) -> None:
    import random

    rng = random.Random(seed)
    cid = open_case(panel.hub, share=[panel.police])
    _notes(panel, cid, 300)
    files = []
    for round_ in range(3):
        out = panel.folder / f"random-{round_}.rtb"
        _export_killed(panel, out, "never", after=rng.uniform(0.0, 0.6))
        files.append(out)
        files.append(panel.ship(panel.hub, panel.police))
    _member_takes_everything(panel, files)
    assert len(dump(panel.police)["contribution"]) == 300


# --- a pipe, a folder or a device given as the file to import (issue 12) ------------------------------
@pytest.mark.parametrize("kind", ["fifo", "folder", "device", "fifo-behind-link"])
def test_importing_what_is_not_a_regular_file_is_refused_at_once(panel: Panel, kind: str) -> None:
    """A FIFO made ``open`` wait for a writer for ever, holding the store's lock."""
    target = panel.folder / "incoming.rtb"
    if kind.startswith("fifo"):
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target = Path(os.devnull)
    if kind == "fifo-behind-link":
        link = panel.folder / "link.rtb"
        link.symlink_to(target)
        target = link
    before = dump(panel.police)
    path = panel.police.store.path
    panel.police.close()
    p = cli(path, "import", str(target), check=False)  # waits at most 120 s (it hung for ever)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    assert "not a regular file" in p.stderr, p.stderr
    panel.police = open_store(path)
    after = dump(panel.police)
    changed = sorted(t for t in after if after[t] != before.get(t))
    assert set(changed) <= {"audit", "meta"}, changed  # the command line's own unlock entry
    assert [r for r in after["audit"] if r not in before["audit"]] == [
        r for r in after["audit"] if r not in before["audit"] and "unlock" in r]
