"""The keyring slot against a real Secret Service: GNOME Keyring in a private D-Bus session
(``dbus-run-session``, ``gnome-keyring-daemon --unlock``), with its own HOME so no user keyring is
touched. Remembering, unlocking and forgetting through the command line and the services; and a
keyring daemon that stops answering (SIGSTOP, by its own process id) given up on after the
timeout with "the keyring is locked or not answering".

Optional and fast (about two seconds). Where dbus-run-session or gnome-keyring-daemon is missing,
the set-up installs them with apt-get when it runs as root on a Debian-like system, else the test
is skipped with the reason (set ROUNDTABLE_NO_INSTALL=1 to never install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("dbus-run-session", "gnome-keyring-daemon")


def _missing() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


@pytest.fixture(scope="module")
def secret_service_tools() -> None:
    missing = _missing()
    if missing and not os.environ.get("ROUNDTABLE_NO_INSTALL") and shutil.which("apt-get") \
            and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "dbus", "gnome-keyring"],
                       capture_output=True, timeout=300, check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        missing = _missing()
    if missing:
        pytest.skip(f"no Secret Service to test against: {', '.join(missing)} not installed "
                    "(apt-get install dbus gnome-keyring)")


SCRIPT = r"""
import contextlib, io, os, signal, sys, time
from pathlib import Path
from tests.support.kdf import cheap_for_this_process
cheap_for_this_process()
from app.cli.main import main
from tests.support.kdf import CHEAP
from app.crypto.keyring_slot import KeyringSlot
from app.models.enums import Role
from app.models.errors import KeyringUnavailable, UnlockError
from app.services import setup

store = Path(sys.argv[1])
os.environ.update(ROUNDTABLE_PASSPHRASE="correct horse battery", ROUNDTABLE_NO_LOG="1")
setup.create_store(store, passphrase="correct horse battery", name="Ann", agency="Council",
                   role=Role.COORDINATOR, kdf=CHEAP).session.close()

def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--store", str(store), *args])
    return code, out.getvalue(), err.getvalue()

slot = setup.workstation_keyring()
ok, backend = slot.availability()
assert ok and "SecretService" in backend, backend
code, out, err = cli("keyring", "status")
assert code == 0 and "not remembered" in out, (code, out, err)
code, out, err = cli("keyring", "remember")
assert code == 0 and "Remembered" in out, (code, out, err)
code, out, err = cli("keyring", "status")
assert code == 0 and "unlocks with the login keyring" in out, (code, out, err)
s = setup.unlock(store, keyring=slot)      # the real keyring opens the store
assert s.me.name == "Ann"
s.close()
code, out, err = cli("keyring", "forget")
assert code == 0 and "Forgotten" in out, (code, out, err)
from app.storage.store import Store
store_id = Store.read_keyfile(store).store_id
assert slot.fetch(store_id) is None
try:
    setup.unlock(store, keyring=slot)
    raise AssertionError("a forgotten store still unlocked with the keyring")
except UnlockError:
    pass

# A keyring daemon that stops answering: paused by its own process id, then resumed.
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
bus = open_dbus_connection(bus="SESSION")
dbus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                   interface="org.freedesktop.DBus")
pid = bus.send_and_get_reply(new_method_call(dbus, "GetConnectionUnixProcessID", "s",
                                             ("org.freedesktop.secrets",))).body[0]
bus.close()
os.kill(pid, signal.SIGSTOP)
try:
    t = time.monotonic()
    try:
        KeyringSlot(timeout=1.5).fetch(store_id)
        raise AssertionError("a paused keyring answered")
    except KeyringUnavailable as exc:
        assert "locked or not answering" in exc.user_message, exc.user_message
    assert time.monotonic() - t < 5
finally:
    os.kill(pid, signal.SIGCONT)
print("OK")
"""


@pytest.mark.slow
def test_remember_unlock_forget_against_gnome_keyring(secret_service_tools: None, tmp_path: Path) -> None:
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    for d in (home, runtime, tmp_path / "store"):
        d.mkdir(mode=0o700)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_RUNTIME_DIR": str(runtime),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    script = tmp_path / "keyring_round.py"
    script.write_text(SCRIPT, encoding="utf-8")
    shell = ('echo test-login-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null '
             '&& exec "$0" "$1" "$2"')
    p = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell, sys.executable, str(script),
         str(tmp_path / "store" / "panel.rtdb")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert p.returncode == 0 and p.stdout.strip().endswith("OK"), p.stdout + p.stderr
