"""The panel registry: the coordinator's signed list of agencies, members and workstations, with
the panel-wide settings, carried in the coordinator's files and applied on member stores.

Invariants: only the coordinator signs and sends it; a member applies a version only if it is
newer than the one it holds and its signature is the coordinator's; settings it does not
understand are refused whole (a programme it does not know keeps the file aside)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from app.config.programmes import load_programme
from app.crypto.identity import PublicIdentity, open_signed_document, sign_document
from app.models.errors import NeedsNewerReader, SecurityAlert
from app.services.context import Session
from app.storage import meta as meta_store
from app.storage.sync import store as sync_store
from app.storage.writer import Writer

REGISTRY_DOMAIN = "roundtable/panel-registry/v1"


# Panel-wide settings that travel in the signed registry and are applied on member stores
# (shown there read-only): the panel's identity, its programme and the auto-lock policy.
PANEL_SETTINGS = ("panel_id", "panel_name", "programme", "auto_lock_minutes")


def panel_settings(conn: Any) -> dict[str, str]:
    return {k: meta_store.get(conn, k) or "" for k in PANEL_SETTINGS}


def signed_registry(session: Session, w: Writer) -> tuple[int, bytes | None]:
    conn = w.conn
    stored = sync_store.registry(conn)
    if not session.workstation.is_hub:
        return (stored[0], None) if stored else (0, None)
    rows: dict[str, Any] = {**sync_store.registry_rows(conn), "panel": panel_settings(conn)}
    body_hash = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    if stored and stored[1] == body_hash:
        return stored[0], stored[2]
    version = (stored[0] if stored else 0) + 1
    body = {"version": version, "coordinator": session.workstation.device_id, **rows}
    doc = sign_document(session.store.device_keys(), REGISTRY_DOMAIN, body)
    sync_store.save_registry(conn, version, body_hash, doc)
    return version, doc


def verify_registry(doc: bytes, coordinator: PublicIdentity, version: int) -> dict[str, object]:
    body = open_signed_document(doc, REGISTRY_DOMAIN, coordinator.sign_pub)
    if body.get("version") != version:
        raise SecurityAlert("The panel registry in the file does not match its header.")
    return body


def apply_registry(session: Session, conn: Any, version: int, doc: bytes | None, sender: str) -> int:
    stored = sync_store.registry(conn)
    have = stored[0] if stored else 0
    if session.workstation.is_hub:
        if doc is not None:
            raise SecurityAlert("Only the coordinator's files carry the panel registry.")
        return have
    if doc is None or version <= have:
        return have  # a lower or equal version is ignored
    coordinator = next(t for t in sync_store.trusted(conn) if t.device_id == sender)
    body = verify_registry(doc, PublicIdentity(coordinator.sign_pub, coordinator.enc_pub), version)
    _apply_panel_settings(conn, body.get("panel"))
    sync_store.save_registry(conn, version, hashlib.sha256(doc).hexdigest(), doc)
    return version


def _apply_panel_settings(conn: Any, panel: object) -> None:
    """The hub's panel-wide settings (name, programme, auto-lock; the panel's id), from the signed
    registry, onto this member store. A registry without them (an older hub) changes nothing."""
    if panel is None:
        return
    if not isinstance(panel, dict) or set(panel) != set(PANEL_SETTINGS) or not all(
        isinstance(v, str) and len(v) <= 200 for v in panel.values()
    ):
        raise SecurityAlert("The panel settings in the exchange file are not valid.")
    mine = meta_store.get(conn, "panel_id")
    if panel["panel_id"] and mine and mine != panel["panel_id"] and meta_store.get(conn, "invitation_id"):
        raise SecurityAlert("The exchange file is from another panel's coordinator.")
    if panel["programme"]:
        try:
            load_programme(panel["programme"])
        except Exception as exc:
            raise NeedsNewerReader(
                "The panel uses a programme this version does not know. Update Roundtable to "
                "import this."
            ) from exc
    minutes = panel["auto_lock_minutes"]
    if minutes and not (minutes.isdigit() and 1 <= int(minutes) <= 240):
        raise SecurityAlert("The panel settings in the exchange file are not valid.")
    for key, value in panel.items():
        if value:
            meta_store.put(conn, key, value)
