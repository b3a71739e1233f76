"""A hub's export in a child process killed with SIGKILL at a named point (tests/support/exchange_points)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from app.services import contributions, exchange
from tests.support.sync_support import PASS, Panel, open_store

ROOT = Path(__file__).resolve().parents[2]

EXPORT_CRASHER = """
import os, signal, sys
from tests.support.kdf import cheap_for_this_process
cheap_for_this_process()
from pathlib import Path
from app.services.exchange import export_bundle
from app.services.context import Session
from app.storage import files
from app.storage.store import Store
from tests.support.exchange_points import at_export_point
point = sys.argv[4]
def die(name):
    if name == point:
        os.kill(os.getpid(), signal.SIGKILL)
if point in ("reserved", "selected", "written", "committed") or point.startswith("op-"):
    at_export_point(point, lambda: die(point))
fsync_dir = files._fsync_dir
def in_place(directory):  # the file has just been renamed into place; nothing is committed yet
    fsync_dir(directory)
    die("file-in-place")
files._fsync_dir = in_place
s = Session(Store.open_with_passphrase(Path(sys.argv[1]), sys.argv[5]))
print("ready", flush=True)
print(export_bundle(s, to_member=sys.argv[2], out=Path(sys.argv[3])).sequence)
"""


def _export_killed(panel: Panel, out: Path, point: str, *, after: float | None = None) -> bool:
    """Export hub -> police in a child process, killed at ``point`` (or ``after`` seconds)."""
    path = panel.hub.store.path
    panel.hub.close()
    args = [sys.executable, "-c", EXPORT_CRASHER, str(path), panel.police.workstation.device_id,
            str(out), point, PASS]
    if after is None:
        p = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
        code = p.returncode
        assert code in (0, -signal.SIGKILL), p.stderr
    else:
        child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert child.stdout is not None
        child.stdout.readline()  # the store is open
        import time

        time.sleep(after)
        child.kill()
        code = child.wait(timeout=60)
    panel.hub = open_store(path)
    return code == -signal.SIGKILL


def _member_takes_everything(panel: Panel, files: list[Path]) -> list[tuple[int, str]]:
    """The member imports every file that is in place, in order: none may be rejected (two files
    with one number would be: "reuses the number of a file already received")."""
    seen: dict[int, bytes] = {}
    outcomes = []
    for f in files:
        if not f.exists():
            continue
        r = exchange.import_bundle(panel.police, path=f)
        assert r.ok and not r.security_alert, r.reason
        seen.setdefault(r.sequence, f.read_bytes())
        assert seen[r.sequence] == f.read_bytes(), "two files with one sequence number"
        outcomes.append((r.sequence, r.outcome))
    return outcomes


def _notes(panel: Panel, cid: str, n: int) -> None:
    for i in range(n):
        contributions.add_contribution(panel.hub, case_id=cid, text=f"note {i} " + "x" * 2000)
