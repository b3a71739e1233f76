"""``partners`` and ``partner enrol`` through the command line: the other coordinator's
``identity --out`` card, the fingerprint it prints, JSON output, a refusal in one sentence."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli_inprocess import make_run, one_sentence
from tests.support.partner_stores import SOUTH_PANEL
from tests.support.stores import copy_store


def test_partner_enrol_round_trip(monkeypatch, capfd, tmp_path: Path, template_store,
                                  south_template):
    run = make_run(monkeypatch, capfd, tmp_path)
    north = copy_store(template_store, tmp_path / "north")
    south = copy_store(south_template, tmp_path / "south")
    card = tmp_path / "south-card.json"
    code, out, err = run(south, "identity", "--out", str(card))
    assert code == 0, err
    fpr = out.split("Fingerprint: ")[1].strip()
    code, out, err = run(north, "partners")
    assert (code, out.strip()) == (0, "No partner panels enrolled.")
    code, out, err = run(north, "partner", "enrol", str(card), "--fingerprint", "1" * 40)
    assert code == 1 and "fingerprint does not match" in one_sentence(err)
    code, out, err = run(north, "partner", "enrol", str(card), "--fingerprint", fpr)
    assert code == 0, err
    assert f"Enrolled {SOUTH_PANEL} as a partner panel" in out
    code, out, err = run(north, "partners", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["kind"], r["name"], r["fingerprint"]) for r in rows] == [("panel", SOUTH_PANEL, fpr)]
    code, out, err = run(north, "partners")
    assert SOUTH_PANEL in out
    # the programme by the name people know it by, not its id
    from app.config.programmes import load_programme

    prog = load_programme(rows[0]["programme"])
    assert prog.name in out and f" {prog.id} " not in out
    code, out, err = run(north, "partner", "enrol", str(card), "--fingerprint", fpr, "--region")
    assert code == 1 and "already enrolled" in one_sentence(err)
