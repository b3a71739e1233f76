"""People and identifiers: the one home for how names and identifiers are compared.

Used by the store's search (``case_list.search_condition``), the duplicate check
(``cases.find_matching_subjects``) and referral intake (two rows of one file that are the same
person): both decide "the same person" by :func:`person_keys`. Pure functions, no I/O.

- **Names** fold case, accents and punctuation alike: "Zoë O'Brien-Smith", "zoe obrien smith" and
  "ZOE OBRIENSMITH" have the same ``name_key``. For search, ``search_words`` splits on punctuation
  and the stored search key is compared with its spaces removed, so "OBrien" finds "O'Brien" and
  "O Brien" finds "OBrien".
- **Identifiers** (NHS, PNC numbers) compare without spaces, hyphens, slashes and dots, upper-cased:
  ``identifier_key("430 981 3641") == identifier_key("430-981-3641") == "4309813641"``. The
  ``subject_identifier`` triggers (migration 0003) compute exactly this in SQL.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable

_IDENT_DROP = str.maketrans("", "", " /-.")


def _fold(text: str) -> str:
    """Case and accents folded (NFKD, combining marks dropped)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def normalise_search(text: str) -> str:
    """Case and accents folded, every run of punctuation or space one space: "O'Brien" is
    "o brien". The form the stored search key is written in."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in _fold(text)).split())


def search_words(text: str) -> list[str]:
    """The words of a search, each to be found in the search key with its spaces removed."""
    return normalise_search(text).split()


def compact(text: str) -> str:
    """Folded with every space and punctuation mark removed: how a search key is compared."""
    return "".join(search_words(text))


def name_key(text: str) -> str:
    """A name or alias as the duplicate check compares it: case, accents, spaces and punctuation
    folded away ("O'Brien" = "OBrien" = "o brien")."""
    return compact(text)


def identifier_key(value: str) -> str:
    """An identifier with spaces, ``/``, ``-`` and ``.`` removed and ASCII letters upper-cased
    (as SQLite's ``upper`` in the ``subject_identifier`` triggers)."""
    return "".join(c.upper() if "a" <= c <= "z" else c for c in value.translate(_IDENT_DROP))


def subject_search_key(
    forenames: str, surname: str, aliases: Iterable[str], identifiers: Iterable[str]
) -> str:
    """The stored search key of a subject: names, aliases and identifiers, normalised."""
    return " " + normalise_search(" ".join([forenames, surname, *aliases, *identifiers])) + " "


# --- the same person ------------------------------------------------------------------------------
# Two records are the same person when they share an identifier (kind and key), or a date of
# birth and either the surname or a name (full name or alias, either side). One rule for the
# duplicate check against the store and for two rows of one referral file.

PersonKey = tuple[str, ...]


def person_keys(
    forenames: str,
    surname: str,
    aliases: Iterable[str],
    date_of_birth: dt.date | None,
    identifiers: Iterable[tuple[str, str]],
) -> set[PersonKey]:
    """The keys under which a record is the same person as another sharing any one of them;
    ``identifiers`` are (kind, value) pairs."""
    keys: set[PersonKey] = {
        ("id", kind, key) for kind, value in identifiers if (key := identifier_key(value))
    }
    if date_of_birth:
        dob = date_of_birth.isoformat()
        keys.add(("surname", name_key(surname), dob))
        for name in (f"{forenames} {surname}", *aliases):
            if name.strip():
                keys.add(("name", name_key(name), dob))
    return keys


def same_person_reason(mine: set[PersonKey], theirs: set[PersonKey]) -> str:
    """Why two records are the same person ("identifier", "name and date of birth"), or ""."""
    shared = mine & theirs
    if any(k[0] == "id" for k in shared):
        return "identifier"
    return "name and date of birth" if shared else ""
