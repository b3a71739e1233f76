"""Partner panels: another panel's coordinator (or a region's) that this panel's coordinator has
enrolled from its identity card after comparing the fingerprint (docs/sync.md, "Partner panels").

A partner is the coordinator's business: it is kept in the coordinator's store only and never
travels to the agencies' stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PARTNER_KINDS = ("panel", "region")


@dataclass(frozen=True)
class Partner:
    """An enrolled partner: a panel (case transfers) or a region (regional returns)."""

    id: str
    kind: str  # "panel" | "region"
    name: str  # the panel's (or region's) name, from its card
    programme: str  # the programme it runs (a programme id; "" for a region card without one)
    fingerprint: str
    enrolled_at: str  # ISO-8601 UTC
    coordinator: str = ""  # the name on the card
    agency_name: str = ""  # the coordinator's agency, from the card
    device_id: str = ""  # the card's workstation id
    enrolled_by: str = ""  # the member who enrolled it
    sign_pub: bytes = field(default=b"", repr=False)
    enc_pub: bytes = field(default=b"", repr=False)


__all__ = ["PARTNER_KINDS", "Partner"]
