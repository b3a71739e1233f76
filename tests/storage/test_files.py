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


# --- the streaming writer --------------------------------------------------------------------------
def test_atomic_writer_streams_privately_and_appears_only_at_the_end(tmp_path: Path):
    from app.storage.files import atomic_writer

    target = tmp_path / "big.rtb"
    with atomic_writer(target) as f:
        for i in range(64):
            f.write(bytes([i]) * 65536)
            assert not target.exists()  # nothing half-written is ever visible
            (tmp,) = [p for p in tmp_path.iterdir()]
            assert tmp.name.startswith(".big.rtb.") and tmp.stat().st_mode & 0o777 == 0o600
        f.seek(0)
        assert f.read(3) == b"\x00\x00\x00"  # a writer may read back what it wrote
        f.seek(0, os.SEEK_END)
    assert target.stat().st_size == 64 * 65536
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["big.rtb"]


def test_atomic_writer_error_in_the_block_leaves_nothing(tmp_path: Path):
    from app.storage.files import atomic_writer

    (tmp_path / "a").write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(tmp_path / "a") as f:
        f.write(b"new, half")
        raise RuntimeError("the producer failed")
    assert (tmp_path / "a").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


def test_atomic_writer_full_disk_midway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from app.storage.files import atomic_writer

    real_write = os.write
    calls = [0]

    def filling(fd: int, data: object) -> int:
        calls[0] += 1
        if calls[0] > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "write", filling)
    with pytest.raises(FileWriteError, match="disk is full"), atomic_writer(tmp_path / "b") as f:
        for _ in range(10):
            f.write(b"x" * 1000)
    monkeypatch.setattr(os, "write", real_write)
    assert list(tmp_path.iterdir()) == []


def test_atomic_writer_refuses_missing_folder_and_folder_target(tmp_path: Path):
    from app.storage.files import atomic_writer

    with pytest.raises(FileWriteError, match="does not exist"), atomic_writer(tmp_path / "no" / "a"):
        pass
    (tmp_path / "d").mkdir()
    with pytest.raises(FileWriteError, match="is a folder"), atomic_writer(tmp_path / "d"):
        pass
