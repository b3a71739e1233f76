"""Adapter over the operating-system keyring for "remember on this workstation".

Job: keep one 32-byte secret per store (the keyring slot of the key file opens with it) in the OS
keyring, and say plainly when no usable keyring exists.

Invariants:
- Only a real, protected OS keyring is used: the "fail" and "null" backends, a chainer with no
  backends, and the plain-file backends of ``keyrings.alt`` are reported unavailable (a secret in
  a plain file beside the store would defeat the passphrase).
- Every backend error becomes ``KeyringUnavailable`` with a message safe to show; the secret is
  never part of a message, a log line or a ``repr``.
- Tests pass an in-memory backend; nothing here touches the real keyring unless ``backend`` is
  ``None``.
"""

from __future__ import annotations

import base64
import binascii

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from app.models.errors import KeyringUnavailable

SECRET_BYTES = 32
_USER_PREFIX = "store:"


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
        self, service: str = "Roundtable", *, backend: keyring.backend.KeyringBackend | None = None
    ) -> None:
        self._service = service
        self._backend = backend

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
        """``(True, backend name)`` or ``(False, a reason a person can act on)``."""
        try:
            backend = self._active()
        except KeyringUnavailable as exc:
            return False, exc.user_message
        reason = _refusal(backend)
        if reason is not None:
            return False, reason
        return True, str(getattr(backend, "name", type(backend).__name__))

    def _usable(self) -> keyring.backend.KeyringBackend:
        ok, reason = self.availability()
        if not ok:
            raise KeyringUnavailable(reason)
        return self._active()

    def store(self, store_id: str, secret: bytes) -> None:
        """Remember ``secret`` (32 bytes) for ``store_id``; replaces any earlier one."""
        if not isinstance(secret, bytes) or len(secret) != SECRET_BYTES:
            raise ValueError("the keyring secret must be 32 bytes")
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
