"""Programme texts in both languages (issue 17): a programme file carries ``X_cy`` beside each
English ``X`` (label, short, guidance, section, item); the loader gathers them, refuses a Welsh text
with no English beside it or two Welsh texts for one English one, and documents print the Welsh,
falling back to the English where none is written."""

from __future__ import annotations

import copy
import tomllib

import pytest

from app.config.i18n import Language, using_language
from app.config.paths import resources_dir
from app.config.programmes import load_programme
from app.models.errors import InvalidInput
from app.models.programme_load import programme_from_dict
from app.reports.parts import DEFAULT_AGENDA_WORDS, programme_text


def _definition() -> dict:
    with (resources_dir() / "programmes" / "extremism.toml").open("rb") as f:
        return tomllib.load(f)


def test_welsh_labels_load_beside_the_english() -> None:
    prog = load_programme("extremism")
    assert prog.welsh["Support plan in place"] == "Cynllun cymorth ar waith"
    assert prog.welsh["With police"] == "Gyda’r heddlu"  # a short label
    assert prog.welsh["Health and wellbeing"] == "Iechyd a llesiant"  # a plan heading
    assert prog.welsh["Very high"] == "Uchel iawn"  # a risk level
    assert prog.status_label("support-plan") == "Support plan in place"  # English unchanged


def test_a_programme_text_in_each_language_with_english_as_the_fallback() -> None:
    prog = load_programme("extremism")
    with using_language(Language.CY):
        assert programme_text(prog, "Support plan in place") == "Cynllun cymorth ar waith"
        assert programme_text(prog, "Reviews") == "Adolygiadau"  # built-in agenda word
        assert programme_text(prog, "Check against the threshold") == "Check against the threshold"  # none
    with using_language(Language.BILINGUAL):
        assert programme_text(prog, "High") == "Uchel / High"
    assert programme_text(prog, "High") == "High"


def test_welsh_without_english_beside_it_is_refused() -> None:
    d = copy.deepcopy(_definition())
    d["statuses"][0] = {**d["statuses"][0], "title_cy": "Teitl"}
    with pytest.raises(InvalidInput, match=r"statuses\[0\]\.title_cy with no English title"):
        programme_from_dict(d)


def test_two_welsh_texts_for_one_english_one_are_refused() -> None:
    d = copy.deepcopy(_definition())
    closed = next(s for s in d["statuses"] if s["label"] == "Closed")
    closed["label_cy"] = "Wedi cau"
    d["sectors"][0] = {**d["sectors"][0], "label": "Closed", "label_cy": "Ar gau"}
    with pytest.raises(InvalidInput, match="two Welsh texts"):
        programme_from_dict(d)


def test_every_programme_file_still_loads() -> None:
    for name in ("extremism", "mappa", "marac"):
        assert load_programme(name).id == name


def test_the_built_in_agenda_words_are_the_models_words() -> None:
    from app.models.programme import DEFAULT_AGENDA_LABELS

    assert sorted(DEFAULT_AGENDA_WORDS) == sorted(w for pair in DEFAULT_AGENDA_LABELS.values() for w in pair)
