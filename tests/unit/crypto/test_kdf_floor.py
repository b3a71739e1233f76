"""The Argon2id floor (docs/crypto.md): a key file cheaper than the floor is neither made nor
unlocked by the product, and no environment variable of the shipped command line changes that.

The suite itself lowers the floor in its own process (``tests/support/kdf.py``); these tests put
the shipped floor back first."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.crypto import kdf as kdf_module
from app.crypto.kdf import KdfParams
from app.crypto.keyfile import KeyFile, generate_data_key, generate_keyring_secret
from app.models.enums import Role
from app.models.errors import InvalidInput, KeyFileTooWeak, UnlockError
from app.services import setup
from app.storage.store_files import key_path
from tests.support.crypto_support import PASSPHRASE, STORE_ID
from tests.support.kdf import CHEAP, restore_shipped_floor
from tests.support.stores import copy_store

ROOT = Path(__file__).resolve().parents[3]
WEAK_MESSAGE = "below Roundtable's minimum"
# Just under the floor: each setting alone is enough to refuse.
JUST_UNDER = [
    KdfParams(time_cost=kdf_module.KDF_FLOOR_TIME_COST - 1, memory_kib=kdf_module.KDF_FLOOR_MEMORY_KIB,
              parallelism=1),
    KdfParams(time_cost=kdf_module.KDF_FLOOR_TIME_COST, memory_kib=kdf_module.KDF_FLOOR_MEMORY_KIB - 1,
              parallelism=1),
]
AT_FLOOR = KdfParams(time_cost=kdf_module.KDF_FLOOR_TIME_COST, memory_kib=kdf_module.KDF_FLOOR_MEMORY_KIB,
                     parallelism=1)


def _weak_key_file(recovery: str, data_key: bytes, kdf: KdfParams = CHEAP) -> KeyFile:
    """Made while the suite's lowered floor still holds, as an old test build would have."""
    return KeyFile.create(data_key=data_key, passphrase=PASSPHRASE, recovery_key=recovery,
                          store_id=STORE_ID, kdf=kdf)


def test_the_floor_is_below_the_default_and_above_cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    restore_shipped_floor(monkeypatch)
    assert (kdf_module.KDF_FLOOR_TIME_COST, kdf_module.KDF_FLOOR_MEMORY_KIB) == (2, 19 * 1024)  # docs
    assert KdfParams.default().meets_floor() and AT_FLOOR.meets_floor()
    assert not any(kdf.meets_floor() for kdf in (CHEAP, *JUST_UNDER))


@pytest.mark.parametrize("kdf", [CHEAP, *JUST_UNDER], ids=["cheap", "time", "memory"])
def test_a_weak_key_file_is_not_unlocked(kdf: KdfParams, recovery_key: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    data_key = generate_data_key()
    secret = generate_keyring_secret()
    weak = _weak_key_file(recovery_key, data_key, kdf).with_keyring_slot(data_key, secret)
    weak = KeyFile.from_bytes(weak.to_bytes())  # read back from its bytes, as from disk
    restore_shipped_floor(monkeypatch)
    for attempt in (lambda: weak.unlock_with_passphrase(PASSPHRASE),
                    lambda: weak.unlock_with_recovery(recovery_key),
                    lambda: weak.unlock_with_keyring_secret(secret)):
        with pytest.raises(KeyFileTooWeak) as info:
            attempt()
        assert WEAK_MESSAGE in info.value.user_message
        assert isinstance(info.value, UnlockError) and info.value.exit_code == 3


def test_a_key_file_at_the_floor_unlocks(recovery_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    restore_shipped_floor(monkeypatch)
    data_key = generate_data_key()
    kf = KeyFile.create(data_key=data_key, passphrase=PASSPHRASE, recovery_key=recovery_key,
                        store_id=STORE_ID, kdf=AT_FLOOR)
    assert KeyFile.from_bytes(kf.to_bytes()).unlock_with_passphrase(PASSPHRASE) == data_key


def test_a_weak_key_file_is_not_made(recovery_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data_key = generate_data_key()
    strong_enough = KeyFile.create(data_key=data_key, passphrase=PASSPHRASE,
                                   recovery_key=recovery_key, store_id=STORE_ID, kdf=CHEAP)
    restore_shipped_floor(monkeypatch)
    with pytest.raises(InvalidInput, match="below Roundtable's minimum"):
        KeyFile.create(data_key=data_key, passphrase=PASSPHRASE, recovery_key=recovery_key,
                       store_id=STORE_ID, kdf=CHEAP)
    with pytest.raises(InvalidInput, match="below Roundtable's minimum"):
        strong_enough.with_passphrase(data_key, "another passphrase", JUST_UNDER[1])


# --- the shipped command line, in a process of its own ------------------------------------------


def _shipped(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``python -m app`` as shipped, with the variable the old code read for cheap stores."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "ROUNDTABLE_NO_LOG": "1",
           "ROUNDTABLE_PASSPHRASE": "correct horse battery", "ROUNDTABLE_TEST_CHEAP_KDF": "1",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
           "ROUNDTABLE_DATA_DIR": str(home / "data"), "QT_QPA_PLATFORM": "offscreen",
           "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)


def test_the_shipped_command_line_refuses_a_weak_store(empty_template: Path, tmp_path: Path) -> None:
    """The suite's template is a weak store made by hand (cheap Argon2id): the shipped program
    will not open it, whatever the environment says."""
    store = copy_store(empty_template, tmp_path / "weak")
    before = key_path(store).read_bytes(), store.read_bytes()
    r = _shipped("--store", str(store), "status", home=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "key-derivation settings below Roundtable's minimum" in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert (key_path(store).read_bytes(), store.read_bytes()) == before


def test_a_store_just_under_the_floor_is_refused_too(tmp_path: Path) -> None:
    store = tmp_path / "under" / "panel.rtdb"
    setup.create_store(store, passphrase="correct horse battery", name="Ann", agency="Council",
                       role=Role.COORDINATOR, kdf=JUST_UNDER[1]).session.close()
    r = _shipped("--store", str(store), "status", home=tmp_path)
    assert r.returncode == 3 and WEAK_MESSAGE in r.stderr, r.stderr


@pytest.mark.slow
def test_the_cheap_kdf_variable_does_nothing(tmp_path: Path) -> None:
    """``ROUNDTABLE_TEST_CHEAP_KDF=1`` used to make ``init`` write a cheap key file."""
    store = tmp_path / "new" / "panel.rtdb"
    r = _shipped("--store", str(store), "init", "--name", "Ann", "--agency", "Council",
                 "--role", "coordinator", "--panel", "Panel", home=tmp_path)
    assert r.returncode == 0, r.stderr
    kdf = json.loads(key_path(store).read_bytes())["kdf"]
    default = KdfParams.default()
    assert (kdf["time_cost"], kdf["memory_kib"], kdf["parallelism"]) == (
        default.time_cost, default.memory_kib, default.parallelism)
    assert _shipped("--store", str(store), "status", home=tmp_path).returncode == 0
