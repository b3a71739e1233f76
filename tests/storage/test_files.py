from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from app.models.errors import FileWriteError
from app.storage.files import write_file_atomic


def test_atomic_write_is_private_and_complete(tmp_path: Path):
    p = write_file_atomic(tmp_path / "a.pdf", b"x" * 100_000)
    assert p.read_bytes() == b"x" * 100_000
    assert p.stat().st_mode & 0o777 == 0o600
    assert [f.name for f in tmp_path.iterdir()] == ["a.pdf"]


def test_replaces_existing_file_atomically(tmp_path: Path):
    (tmp_path / "a").write_bytes(b"old")
    write_file_atomic(tmp_path / "a", b"new")
    assert (tmp_path / "a").read_bytes() == b"new"


def test_missing_folder_and_folder_target(tmp_path: Path):
    with pytest.raises(FileWriteError, match="does not exist"):
        write_file_atomic(tmp_path / "nope" / "a", b"x")
    (tmp_path / "dir").mkdir()
    with pytest.raises(FileWriteError, match="is a folder"):
        write_file_atomic(tmp_path / "dir", b"x")


def test_full_disk_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    real_write = os.write

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(FileWriteError, match="disk is full"):
        write_file_atomic(tmp_path / "a.pdf", b"data")
    monkeypatch.setattr(os, "write", real_write)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder(tmp_path: Path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(FileWriteError, match="may not write"):
        write_file_atomic(ro / "a", b"x")
