"""Adapter over the operating-system keyring for "remember on this workstation".

Job: keep one 32-byte secret per store (the keyring slot of the key file opens with it) in the OS
keyring, and say plainly when no usable keyring exists.

Invariants:
- Only a real, protected OS keyring is used: the "fail" and "null" backends, a chainer with no
  backends, and the plain-file backends of ``keyrings.alt`` are reported unavailable (a secret in
  a plain file beside the store would defeat the passphrase).
- Every backend error becomes ``KeyringUnavailable`` with a message safe to show; the secret is
  never part of a message, a log line or a ``repr``.
- Every call into the keyring runs on a daemon thread and is given up after ``timeout`` seconds
  (10 by default) with "the keyring is locked or not answering": a locked GNOME Keyring waits for
  its own unlock prompt for ever, and the caller (the unlock dialog's worker, the command line)
  must not. A call given up on is left to finish on its thread; its result is dropped.
- Tests pass an in-memory backend; nothing here touches the real keyring unless ``backend`` is
  ``None``.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable
from typing import TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from app.models.errors import KeyringUnavailable

SECRET_BYTES = 32
_USER_PREFIX = "store:"
DEFAULT_TIMEOUT = 10.0
NOT_ANSWERING = (
    "The keyring is locked or not answering: unlock your login keyring (or use the passphrase) "
    "and try again."
)

T = TypeVar("T")


def _with_timeout(fn: Callable[[], T], timeout: float) -> T:
    """``fn()`` on a daemon thread; its result or its exception, or ``KeyringUnavailable`` when it
    has not finished after ``timeout`` seconds (the thread is abandoned, never joined)."""
    box: list[tuple[bool, object]] = []
    done = threading.Event()

    def work() -> None:
        try:
            box.append((True, fn()))
        except BaseException as exc:  # handed to the caller's thread below
            box.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=work, name="roundtable-keyring", daemon=True).start()
    if not done.wait(timeout):
        raise KeyringUnavailable(NOT_ANSWERING, details="timeout")
    ok, value = box[0]
    if not ok:
        assert isinstance(value, BaseException)
        raise value
    return value  # type: ignore[return-value]


def _username(store_id: str) -> str:
    if not isinstance(store_id, str) or not store_id or len(store_id) > 128:
        raise ValueError("store id must be 1-128 characters")
    return _USER_PREFIX + store_id


_NO_KEYRING = (
    "No operating system keyring was found on this workstation (on Linux, install and unlock a "
    "Secret Service keyring such as GNOME Keyring or KWallet)."
)
_NOT_USABLE = "The operating system keyring is not usable on this workstation."


def _refusal(backend: keyring.backend.KeyringBackend, depth: int = 0) -> str | None:
    """Why ``backend`` must not hold a store secret, or None when it may."""
    if isinstance(backend, fail.Keyring):
        return _NO_KEYRING
    if isinstance(backend, null.Keyring):
        return "The operating system keyring is switched off for this user."
    if type(backend).__module__.startswith("keyrings.alt"):
        return (
            "The only keyring available keeps secrets in a file, which is not protected enough "
            "for this store."
        )
    if isinstance(backend, chainer.ChainerBackend):
        try:
            chained = list(backend.backends)
        except Exception:
            return _NOT_USABLE
        if not chained or depth > 2:
            return _NO_KEYRING
        for inner in chained:  # reads consult every chained backend, so judge them all
            reason = _refusal(inner, depth + 1)
            if reason is not None:
                return reason
        return None
    try:
        priority = float(backend.priority)
    except Exception:  # a backend may raise from priority when it is not viable
        return _NOT_USABLE
    return _NOT_USABLE if priority <= 0 else None


class KeyringSlot:
    """One service name in the OS keyring; one entry per store id."""

    def __init__(
        self,
        service: str = "Roundtable",
        *,
        backend: keyring.backend.KeyringBackend | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._service = service
        self._backend = backend
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"KeyringSlot(service={self._service!r})"

    def _active(self) -> keyring.backend.KeyringBackend:
        if self._backend is not None:
            return self._backend
        try:
            return keyring.get_keyring()
        except Exception as exc:  # a broken keyring configuration
            raise KeyringUnavailable(
                "The operating system keyring could not be loaded.", details=type(exc).__name__
            ) from exc

    def availability(self) -> tuple[bool, str]:
        """``(True, backend name)`` or ``(False, a reason a person can act on)``; ``(False, "the
        keyring is locked or not answering")`` after ``timeout`` seconds without an answer."""
        try:
            return _with_timeout(self._availability_now, self.timeout)
        except KeyringUnavailable as exc:
            return False, exc.user_message

    def _availability_now(self) -> tuple[bool, str]:
        try:
            backend = self._active()
        except KeyringUnavailable as exc:
            return False, exc.user_message
        reason = _refusal(backend)
        if reason is not None:
            return False, reason
        return True, str(getattr(backend, "name", type(backend).__name__))

    def _usable(self) -> keyring.backend.KeyringBackend:
        ok, reason = self._availability_now()
        if not ok:
            raise KeyringUnavailable(reason)
        return self._active()

    def store(self, store_id: str, secret: bytes) -> None:
        """Remember ``secret`` (32 bytes) for ``store_id``; replaces any earlier one."""
        if not isinstance(secret, bytes) or len(secret) != SECRET_BYTES:
            raise ValueError("the keyring secret must be 32 bytes")
        _username(store_id)
        _with_timeout(lambda: self._store_now(store_id, secret), self.timeout)

    def _store_now(self, store_id: str, secret: bytes) -> None:
        backend = self._usable()
        try:
            backend.set_password(
                self._service, _username(store_id), base64.b64encode(secret).decode("ascii")
            )
        except Exception as exc:
            raise KeyringUnavailable(
                "The key could not be saved in the operating system keyring.",
                details=type(exc).__name__,
            ) from exc

    def fetch(self, store_id: str) -> bytes | None:
        """The remembered secret, or ``None`` when this store is not remembered here."""
        _username(store_id)
        return _with_timeout(lambda: self._fetch_now(store_id), self.timeout)

    def _fetch_now(self, store_id: str) -> bytes | None:
        backend = self._usable()
        try:
            value = backend.get_password(self._service, _username(store_id))
        except Exception as exc:
            raise KeyringUnavailable(
                "The operating system keyring could not be read.", details=type(exc).__name__
            ) from exc
        if value is None:
            return None
        try:
            secret = base64.b64decode(value.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError, AttributeError) as exc:
            raise KeyringUnavailable(
                "The key remembered on this workstation is damaged. Unlock with the passphrase."
            ) from exc
        if len(secret) != SECRET_BYTES:
            raise KeyringUnavailable(
                "The key remembered on this workstation is damaged. Unlock with the passphrase."
            )
        return secret

    def delete(self, store_id: str) -> None:
        """Forget the secret for ``store_id``; forgetting what is not there is not an error."""
        _username(store_id)
        _with_timeout(lambda: self._delete_now(store_id), self.timeout)

    def _delete_now(self, store_id: str) -> None:
        backend = self._usable()
        try:
            backend.delete_password(self._service, _username(store_id))
        except keyring.errors.PasswordDeleteError:
            return
        except Exception as exc:
            raise KeyringUnavailable(
                "The key could not be removed from the operating system keyring.",
                details=type(exc).__name__,
            ) from exc
