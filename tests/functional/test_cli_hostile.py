"""Hostile text and files at the command line (issue 12): every refusal is one sentence, never a
traceback; what the terminal shows cannot be re-ordered or escaped by stored text."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.cli import Cli

# measured with --durations=30 on two cores: the command line in child processes, 5-60 s a test
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    c = Cli(tmp_path_factory.mktemp("hostile"))
    r = c("init", "--name", "Ann Coordinator", "--agency", "Northshire Council",
          "--role", "coordinator", "--panel", "Northshire panel")
    assert r.returncode == 0, r.stderr
    assert c("demo", "--cases", "3", "--seed", "5").returncode == 0
    return c


def _ref(cli: Cli) -> str:
    return str(json.loads(cli("cases", "--json").stdout)[0]["ref"])


def _refused(r: object, words: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stderr)  # type: ignore[attr-defined]
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr  # type: ignore[attr-defined]
    assert words in r.stderr, r.stderr  # type: ignore[attr-defined]


def test_a_note_that_is_not_utf8_is_refused_in_a_sentence(cli: Cli) -> None:
    ref = _ref(cli)
    before = cli("case", "show", ref, "--json").stdout
    _refused(cli("note", ref, "--text", os.fsdecode(b"caf\xe9 in latin-1")), "not valid text")
    assert cli("case", "show", ref, "--json").stdout == before


@pytest.mark.parametrize("text", ["rubout \x7f", "one-character escape \x9b2J", "bell \x07",
                                  "escape \x1b[2J"])
def test_del_c0_and_c1_controls_are_refused(cli: Cli, text: str) -> None:
    _refused(cli("note", _ref(cli), "--text", text), "control characters")


def test_bidi_controls_are_shown_visibly_on_the_terminal(cli: Cli) -> None:
    ref = _ref(cli)
    r = cli("note", ref, "--text", "invoice \u202egnp.exe and \u2066isolated\u2069")
    assert r.returncode == 0, r.stderr
    shown = cli("case", "show", ref).stdout
    assert "invoice \\u202egnp.exe and \\u2066isolated\\u2069" in shown
    assert not any(ch in shown for ch in "\u202e\u2066\u2069")
    as_json = cli("case", "show", ref, "--json").stdout
    assert not any(ch in as_json for ch in "\u202e\u2066\u2069")
    notes = [c["text"] for c in json.loads(as_json)["contributions"]]
    assert "invoice \u202egnp.exe and \u2066isolated\u2069" in notes  # stored as typed


def test_a_refusal_quoting_hostile_input_shows_it_escaped(cli: Cli) -> None:
    r = cli("meeting", "add", "--date", "\x1b]0;owned\x07\u202e")
    _refused(r, "is not a date")
    assert "\\u001b]0;owned\\u0007\\u202e" in r.stderr
