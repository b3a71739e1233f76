"""Audit entries of a store that could only be read here, kept until it can be written.

A store on a read-only disk, folder or file cannot append to its audit log, yet viewing a case,
printing and disclosing are audited (docs/store.md). Such events are written instead to a small
journal in this user's data folder, ``<data dir>/deferred-audit/<store id>.jsonl`` (folder 0700,
file 0600, written through the safe-file helper), and added to the store's own audit log — each as
the event it was, marked ``read-only-at:<time>`` — by the next unlock that can write the store on
this workstation (``services/setup.unlock``).

The journal holds what an audit entry holds and nothing more: time, member id, device id, action,
entity, record id (random ids) and field names — no names, no case content. It is outside the
encrypted store and not chained: whoever can write this user's files can delete it; the
command line and the desktop say that what is shown is recorded here, not in the store.
Capped at ``MAX_ENTRIES`` (older entries are kept; beyond the cap one ``deferred-audit-overflow``
entry counts what was dropped).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from app.config.paths import data_dir
from app.storage.files import ensure_private_dir, write_file_atomic

MAX_ENTRIES = 10_000
_FIELDS = ("at", "actor", "device", "action", "entity", "record_id", "fields")
_STORE_ID = re.compile(r"^[0-9a-fA-F-]{8,64}$")


def journal_path(store_id: str) -> Path | None:
    if not _STORE_ID.match(store_id or ""):
        return None
    return data_dir() / "deferred-audit" / f"{store_id}.jsonl"


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    out = []
    for line in raw.splitlines()[: MAX_ENTRIES + 1]:
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if not isinstance(doc, dict) or set(doc) != set(_FIELDS):
            continue
        if not all(isinstance(doc[k], str) and len(doc[k]) <= 200 for k in _FIELDS[:-1]):
            continue
        if not isinstance(doc["fields"], list) or not all(
            isinstance(f, str) and len(f) <= 200 for f in doc["fields"][:32]
        ):
            continue
        out.append({**doc, "fields": doc["fields"][:32]})
    return out


def defer(store_id: str, entry: dict[str, Any]) -> bool:
    """Keep one event for the store's audit log; False when it could not be kept (no data
    folder, a full disk): it is then lost, as before this journal existed."""
    path = journal_path(store_id)
    if path is None:
        return False
    try:
        ensure_private_dir(path.parent)
        entries = _read(path)
        if len(entries) >= MAX_ENTRIES:
            last = entries[-1]
            if last["action"] == "deferred-audit-overflow":
                n = int(last["fields"][0].split(":", 1)[1]) + 1 if last["fields"] else 1
                entries[-1] = {**last, "fields": [f"dropped:{n}"], "at": entry["at"]}
            else:
                entries[-1] = {**entry, "action": "deferred-audit-overflow", "entity": "store",
                               "record_id": store_id, "fields": ["dropped:2"]}
        else:
            entries.append({k: entry[k] for k in _FIELDS})
        data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries).encode("utf-8")
        write_file_atomic(path, data)
    except Exception:  # a journal that cannot be written must not stop the reading
        return False
    return True


def pending(store_id: str) -> list[dict[str, Any]]:
    path = journal_path(store_id)
    return _read(path) if path is not None else []


def clear(store_id: str) -> None:
    path = journal_path(store_id)
    if path is not None:
        path.unlink(missing_ok=True)


__all__ = ["MAX_ENTRIES", "clear", "defer", "journal_path", "pending"]
