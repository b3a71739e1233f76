"""A coordinator store of a named programme with a small demo panel, for the tests of what a
programme adds (MAPPA's case fields). Built once per test module and copied per test, as the
template stores in ``tests/conftest.py`` are."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PASSPHRASE, today


def build_programme_store(path: Path, programme: str, *, demo_cases: int = 24, seed: int = 5) -> Path:
    from app.crypto.keyfile import KdfParams
    from app.models.enums import Role
    from app.services import demo, setup

    created = setup.create_store(
        path,
        passphrase=PASSPHRASE,
        name="Ann Coordinator",
        agency="Northshire County Council",
        role=Role.COORDINATOR,
        panel=f"Northshire {programme.upper()} panel",
        programme=programme,
        kdf=KdfParams.cheap(),
        today_fn=today,
    )
    demo.build_demo(created.session, cases=demo_cases, seed=seed)
    created.session.close()
    return path
