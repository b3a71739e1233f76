"""Loads programme definitions from ``resources/programmes``. Definitions are data, validated once."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from app.config.paths import resources_dir
from app.models.errors import InvalidInput
from app.models.programme import Programme
from app.models.programme_load import programme_from_dict

DEFAULT_PROGRAMME = "extremism"


def programmes_dir() -> Path:
    return resources_dir() / "programmes"


def available_programmes() -> list[str]:
    return sorted(p.stem for p in programmes_dir().glob("*.toml"))


@lru_cache(maxsize=16)
def load_programme(programme_id: str) -> Programme:
    if programme_id not in available_programmes():
        raise InvalidInput(f"There is no programme called “{programme_id}”.")
    path = programmes_dir() / f"{programme_id}.toml"
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    prog = programme_from_dict(data)
    if prog.id != programme_id:
        raise InvalidInput(f"The programme file {path.name} defines “{prog.id}”.")
    return prog
