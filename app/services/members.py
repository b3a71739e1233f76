"""Naming a member of the panel: the one rule every command and screen uses.

Job: turn what a person typed (``pack --recipient``, ``export --to``, ``invite``) into a member, or
refuse in one sentence. Before this module there were three copies that accepted different strings
(a fingerprint with hyphens worked for ``pack`` but not ``export``; a device id for ``export`` but not
``pack``).

The rule (docs/cli.md, "Naming things"):
- a member is named by its member id, one of its devices' ids, a device's fingerprint (spaces,
  ``:`` and ``-`` ignored), or its name (case and extra spaces ignored);
- an exact match wins; otherwise ids and fingerprints may be shortened to an unambiguous prefix of
  at least 8 characters;
- text matching more than one member is refused (``Ambiguous``) and names none of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from app.models.domain import Member
from app.models.errors import Ambiguous, InvalidInput, NotFound
from app.services.context import Session
from app.storage import repo

T = TypeVar("T")
MIN_PREFIX = 8
_SEPARATORS = re.compile(r"[\s:\-]")


@dataclass(frozen=True)
class MemberKeys:
    """What a member (or one of its devices) may be named by."""

    member_id: str
    device_id: str = ""
    fingerprint: str = ""
    name: str = ""


def _id(text: str) -> str:
    return "".join(text.split()).casefold()


def _fingerprint(text: str) -> str:
    return _SEPARATORS.sub("", text).casefold()


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _exact(keys: MemberKeys, text: str) -> bool:
    ids = {_id(k) for k in (keys.member_id, keys.device_id) if k}
    return (
        _id(text) in ids
        or (bool(keys.fingerprint) and _fingerprint(text) == _fingerprint(keys.fingerprint))
        or (bool(keys.name) and _words(text) == _words(keys.name))
    )


def _prefix(keys: MemberKeys, text: str) -> bool:
    wanted, digits = _id(text), _fingerprint(text)
    ids = [_id(k) for k in (keys.member_id, keys.device_id) if k]
    by_id = len(wanted) >= MIN_PREFIX and any(i.startswith(wanted) for i in ids)
    fpr = _fingerprint(keys.fingerprint)
    return by_id or (bool(fpr) and len(digits) >= MIN_PREFIX and fpr.startswith(digits))


def match_members(text: str, entries: Sequence[tuple[MemberKeys, T]]) -> list[T]:
    """The values of the entries ``text`` names: the exact matches if any, else the prefix
    matches (in entry order, each value once). Pure; callers decide what ambiguity means."""
    if not text.strip():
        raise InvalidInput("Name a member by id, fingerprint or name.")
    for test in (_exact, _prefix):
        found: list[T] = []
        for keys, value in entries:
            if test(keys, text) and value not in found:
                found.append(value)
        if found:
            return found
    return []


def one_member(
    text: str, entries: Sequence[tuple[MemberKeys, T]], *, among: str = "on this panel"
) -> T:
    """The one value ``text`` names, or ``NotFound`` / ``Ambiguous`` in one sentence."""
    found = match_members(text, entries)
    if not found:
        raise NotFound(
            f"There is no such member {among} (name one by id, fingerprint or name; ids and fingerprints may be shortened to {MIN_PREFIX} or more characters)."
        )
    if len(found) > 1:
        raise Ambiguous("That matches more than one member; give more of the id or fingerprint.")
    return found[0]


def member_entries(
    members: Iterable[Member], devices: Iterable[tuple[str, str, str]]
) -> list[tuple[MemberKeys, Member]]:
    """Entries for :func:`one_member`: each member, and each (device id, member id, fingerprint)."""
    by_id = {m.id: m for m in members}
    entries = [(MemberKeys(m.id, name=m.name), m) for m in by_id.values()]
    for device_id, member_id, fingerprint in devices:
        if (m := by_id.get(member_id)) is not None:  # type: ignore[call-overload]
            entries.append((MemberKeys(m.id, device_id, fingerprint, m.name), m))
    return entries


def resolve_member(session: Session, text: str) -> Member:
    """A member the panel lists (any status), named as the module says."""
    with session.view() as conn:
        members = repo.members(conn)
        devices = [(d.id, d.member_id, d.fingerprint) for d in repo.devices(conn)]
    return one_member(text, member_entries(members, devices))


__all__ = ["MemberKeys", "match_members", "member_entries", "one_member", "resolve_member"]
