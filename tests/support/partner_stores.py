"""Two panels' coordinator stores for partner and transfer tests: Northshire (the suite's usual
template) and Southshire, a second panel of the same programme with its own keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tests.support.stores import PASSPHRASE, build_store, copy_store, today

SOUTH_PANEL = "Southshire Extremism Risk Panel"


def build_south(path: Path) -> Path:
    return build_store(path, panel=SOUTH_PANEL)


def unlock_copy(template: Path, dest: Path) -> Iterator[object]:
    from app.services.setup import unlock

    s = unlock(copy_store(template, dest), passphrase=PASSPHRASE, today_fn=today)
    yield s
    if s.store.is_open:
        s.close()


def card_of(session: object) -> tuple[bytes, str]:
    """A coordinator's card and its fingerprint."""
    from app.services import exchange

    return exchange.identity_card(session), session.workstation.fingerprint  # type: ignore[attr-defined]


def enrol_each_other(a: object, b: object) -> tuple[object, object]:
    """``a`` enrols ``b``'s card and ``b`` enrols ``a``'s: (b as a's partner, a as b's)."""
    from app.services import partners

    ca, fa = card_of(a)
    cb, fb = card_of(b)
    return partners.enrol_partner(a, cb, fb), partners.enrol_partner(b, ca, fa)  # type: ignore[arg-type]


def open_case_id(session: object, n: int = 0) -> str:
    """The ``n``-th open case of a store (by ref)."""
    from app.services import cases

    prog = session.programme  # type: ignore[attr-defined]
    rows = [c for c in cases.list_cases(session) if not prog.status(c.status).terminal]
    return str(sorted(rows, key=lambda c: c.ref)[n].id)
