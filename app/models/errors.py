"""Typed errors. Each carries a user message that is safe to show: it never contains case data.

Layers below the UI raise these; the UI shows ``user_message`` in one dialog and the CLI prints it
on one line of standard error with the exit status in ``exit_code``.
"""

from __future__ import annotations


class AppError(Exception):
    """Base of every error the user may see. ``user_message`` must hold no case data."""

    exit_code: int = 1
    default_message = "The operation could not be completed."

    def __init__(self, user_message: str | None = None, *, details: str | None = None) -> None:
        self.user_message = user_message or self.default_message
        self.details = details
        super().__init__(self.user_message)


class UsageError(AppError):
    exit_code = 2
    default_message = "The command was not used correctly."


# --- unlocking ---------------------------------------------------------------------------------
class UnlockError(AppError):
    exit_code = 3
    default_message = "The store could not be unlocked."


class WrongPassphrase(UnlockError):
    default_message = "The passphrase is not right for this store."


class WrongRecoveryKey(UnlockError):
    default_message = "The recovery key is not right for this store."


class KeyFileDamaged(UnlockError):
    default_message = "The key file beside the store is missing or damaged."


class KeyFileTooWeak(UnlockError):
    """The key file's Argon2id settings are below the floor in docs/crypto.md (only a test suite
    makes such a file): the passphrase could be guessed too cheaply, so the store is not opened."""

    default_message = (
        "This store's key file uses key-derivation settings below Roundtable's minimum, so it is "
        "not opened: its passphrase could be guessed too cheaply. No released Roundtable makes "
        "such a file; use a store that one made."
    )


class StoreDamaged(UnlockError):
    default_message = "The store file is damaged or is not a Roundtable store."


class StoreCorrupt(AppError):
    """The store file is damaged where a command read or wrote it (a page that fails its HMAC or
    SQLite's checks); the transaction was rolled back. ``user_message`` says which part."""

    default_message = "The store file is damaged: nothing was changed. Restore the latest backup (roundtable restore, or File › Restore in the desktop client)."


class StoreMissing(UnlockError):
    default_message = "There is no store at that location."


class StoreInUse(UnlockError):
    """Another process holds the store's lock (after waiting for it): a refusal, not a failed
    unlock, so exit 1."""

    exit_code = 1
    default_message = "The store is in use by another Roundtable window or command: nothing was changed. Try again when it has finished."


class StoreUnreachable(UnlockError):
    """The store's file or folder cannot be opened at all (permissions, a missing disk)."""

    default_message = "The store file cannot be opened."


class StoreReadOnly(AppError):
    """A change asked of a store that can only be read here (read-only disk, file or folder)."""

    default_message = "The store can only be read here (its disk, folder or file is read-only): nothing was changed."


class StoreTooNew(UnlockError):
    default_message = "This store was written by a newer version of Roundtable. Update Roundtable to open it."


class KeyringUnavailable(AppError):
    default_message = "The operating system keyring is not available on this workstation."


# --- domain refusals -------------------------------------------------------------------------
class Refused(AppError):
    """A valid request that the rules do not allow."""

    default_message = "That is not allowed."


class PermissionDenied(Refused):
    default_message = "Your role or agency may not do that."


class TransitionNotAllowed(Refused):
    default_message = "That status change is not allowed by the programme."


class NotFound(AppError):
    default_message = "The record was not found."


class Ambiguous(AppError):
    default_message = "That matches more than one record; give more of it."


class InvalidInput(AppError):
    default_message = "The input is not valid."


class StoreExists(AppError):
    default_message = "A store already exists at that location."


class FileWriteError(AppError):
    default_message = "The file could not be written."


class StoreWriteFailed(AppError):
    """The store itself could not be written (a full disk, a failing drive); nothing was saved."""

    default_message = "The store could not be saved to the disk: nothing was changed. Try again; if it happens again, tell your administrator."


class StoreFull(StoreWriteFailed):
    default_message = "The disk that holds the store is full: nothing was saved. Free some space and try again."


# --- exchange ----------------------------------------------------------------------------------
class BundleRejected(AppError):
    default_message = "The exchange file was rejected."


class SecurityAlert(BundleRejected):
    default_message = "The exchange file was rejected as a possible security problem."


class NeedsNewerReader(BundleRejected):
    default_message = "This file needs a newer Roundtable. Update Roundtable to import this."


class SpreadsheetError(AppError):
    default_message = "The spreadsheet could not be read."
