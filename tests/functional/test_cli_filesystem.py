"""File-system faults and two commands at once (issue 12).

How these are tested, as root (who is never refused by file permissions):
- a read-only disk: a real read-only bind mount in a private mount namespace (``unshare -m``,
  skipped where that is not allowed);
- a folder the user may not write and a read-only store file: the command line run as the
  unprivileged user ``nobody`` (``setpriv``) on a store it owns (skipped where not possible);
- two commands at once: the lock held by this process while a command runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from app.storage.db import lock_path
from app.storage.store_files import key_path
from tests.support.stores import PASSPHRASE, copy_store

ROOT = Path(__file__).resolve().parents[2]
REF = "RT-2026-0003"
NOBODY = 65534


def _env(store: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ROUNDTABLE_PASSPHRASE": PASSPHRASE,
        "ROUNDTABLE_NO_LOG": "1",
        "ROUNDTABLE_STORE": str(store),
        "ROUNDTABLE_TODAY": "2026-11-30",
        # the deferred-audit journal of read-only stores: never the real user's data folder
        "ROUNDTABLE_DATA_DIR": str(store.parent.parent / "user-data"),
    }


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.support.cli_entry", *args]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lines(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return [line for line in err.splitlines() if line.strip()]


def _reading(out: Path) -> list[tuple[str, ...]]:
    return [
        ("status",), ("cases",), ("case", "show", REF), ("audit", "verify"), ("check",),
        ("sar", REF, "--out", str(out / "sar.pdf")),
        ("stats", "--from", "2026-01-01", "--to", "2026-11-30", "--out", str(out / "s.csv")),
    ]  # fmt: skip


WRITING = [("note", REF, "--text", "Seen on Monday."), ("case", "share", REF, "--add", "NP")]


@pytest.fixture
def store(template_store: Path, tmp_path: Path) -> Path:
    return copy_store(template_store, tmp_path / "store")


def _script(lines: list[list[str]]) -> str:
    import shlex

    return "\n".join(" ".join(shlex.quote(a) for a in line) + f' 2>"$OUT/{n}.err"; echo $? >"$OUT/{n}.rc"'
                     for n, line in enumerate(lines))  # fmt: skip


@pytest.mark.slow
def test_a_store_on_a_read_only_disk_is_read_and_refuses_changes(store: Path, tmp_path: Path):
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs unshare and root for a read-only bind mount")
    mnt = tmp_path / "ro"
    mnt.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    ro_store = mnt / store.name
    commands = [_cmd("--store", str(ro_store), *a) for a in [*_reading(out), *WRITING]]
    script = (
        f"mount --bind {store.parent} {mnt} && mount -o remount,bind,ro {mnt} || exit 99\n"
        + _script(commands)
    )
    before = _digest(store)
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, env={**_env(ro_store), "OUT": str(out)},
                       capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    if r.returncode == 99:
        pytest.skip("read-only bind mounts are not allowed here: " + r.stderr.strip())
    for n, args in enumerate([*_reading(out), *WRITING]):
        rc = int((out / f"{n}.rc").read_text())
        err = (out / f"{n}.err").read_text()
        lines = _lines(err)
        if args in WRITING:
            assert rc == 1 and len(lines) == 1 and "can only be read here" in lines[0], (args, err)
        else:
            assert rc == 0, (args, err)
            assert lines == [] or (len(lines) == 1 and "added to the store's audit log when it is next unlocked" in lines[0]), err
    assert (out / "sar.pdf").exists()
    assert _digest(store) == before


def _as_nobody(args: list[str], store: Path) -> subprocess.CompletedProcess[str]:
    env = {**_env(store), "HOME": str(store.parent)}
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


@pytest.fixture
def nobody_store(template_store: Path) -> Iterator[Path]:
    """A store owned by ``nobody`` in a folder it can reach (pytest's own are root's, 0700)."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs setpriv and root to run as an unprivileged user")
    top = Path(tempfile.mkdtemp(prefix="rt-nobody-"))
    try:
        os.chmod(top, 0o755)
        store = copy_store(template_store, top / "store")
        for p in (top, store.parent, store, key_path(store)):
            os.chown(p, NOBODY, NOBODY)
        if _as_nobody([sys.executable, "-c", "import app"], store).returncode != 0:
            pytest.skip("the unprivileged user cannot read the code here")
        yield store
    finally:
        for p in (top, top / "store"):
            with contextlib.suppress(OSError):
                os.chmod(p, 0o700)
        shutil.rmtree(top, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize("what", ["folder", "file"])
def test_an_unwritable_folder_or_read_only_file_is_read_and_refuses_changes(
    nobody_store: Path, what: str
):
    store = nobody_store
    tmp_path = store.parent.parent
    for side in (store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm"), lock_path(store)):
        side.unlink(missing_ok=True)
    if what == "folder":
        os.chmod(store.parent, 0o555)
    else:
        os.chmod(store, 0o444)
    out = tmp_path / "out"
    out.mkdir()
    os.chown(out, NOBODY, NOBODY)
    before = _digest(store)
    try:
        for args in _reading(out):
            r = _as_nobody(_cmd(*args), store)
            lines = _lines(r.stderr)
            assert r.returncode == 0, (args, r.stderr)
            if args == ("check",):  # records nothing anyway
                assert lines == [], r.stderr
            else:
                assert len(lines) == 1 and "added to the store's audit log when it is next unlocked" in lines[0], r.stderr
        for args in WRITING:
            r = _as_nobody(_cmd(*args), store)
            lines = _lines(r.stderr)
            assert r.returncode == 1 and len(lines) == 1 and "can only be read here" in lines[0], r.stderr
    finally:
        os.chmod(store.parent, 0o700)
        os.chmod(store, 0o600)
    assert _digest(store) == before


# --- two commands at once ------------------------------------------------------------------------


def _in_process(store: Path, *args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from app.cli.main import main

    monkeypatch.setenv("ROUNDTABLE_PASSPHRASE", PASSPHRASE)
    code = main(["--store", str(store), *args])
    return code, capsys.readouterr().err


def test_a_second_command_waits_for_the_lock_then_is_refused_in_one_sentence(
    store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from app.storage import db

    monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 0.5)
    held = FileLock(str(lock_path(store)), timeout=0, thread_local=False)
    held.acquire()
    try:
        before = _digest(store)
        started = time.monotonic()
        code, err = _in_process(store, "note", REF, "--text", "x", monkeypatch=monkeypatch, capsys=capsys)
        assert time.monotonic() - started >= 0.5
        assert code == 1 and len(_lines(err)) == 1 and "in use by another Roundtable" in err
        assert _digest(store) == before
        # released while the next one waits: it goes ahead
        threading.Timer(0.3, held.release).start()
        monkeypatch.setattr(db, "LOCK_WAIT_SECONDS", 5.0)
        code, err = _in_process(store, "note", REF, "--text", "y", monkeypatch=monkeypatch, capsys=capsys)
        assert code == 0, err
    finally:
        if held.is_locked:
            held.release()


@pytest.mark.slow
def test_parallel_notes_all_land(store: Path):
    procs = [
        subprocess.Popen(_cmd("note", REF, "--text", f"Note {n}."), cwd=ROOT, env=_env(store),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    for p in procs:
        for f in (p.stdout, p.stderr):
            if f:
                f.close()
    assert all(code == 0 for code, _ in results), results
