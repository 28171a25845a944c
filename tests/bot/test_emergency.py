"""Emergency words in every language: the sentences each file says must and must not match, and no false
alarms on the held-out questions about the procedure."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.emergency import FILE_NAME, EmergencyWords
from bot.language import LANGUAGES
from bot.nludata import read_file
from bot.settings import ROOT

CONTENT = ROOT / "content"
ALL = EmergencyWords.load(CONTENT)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_each_language_has_emergency_words_that_match_what_they_should(language):
    path = CONTENT / language / FILE_NAME
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(data["phrases"]) >= 15
    missed = [s for s in data["matches"] if not ALL.match(s)]
    false_alarms = {s: ALL.match(s) for s in data["does_not_match"] if ALL.match(s)}
    assert (missed, false_alarms) == ([], {})


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "heldout").glob("*.yml")), ids=lambda p: p.stem)
def test_questions_about_the_procedure_rarely_raise_an_alarm(path: Path):
    examples = [e for e in read_file(path, path.stem) if e.intent != "service_emergency"]
    alarms = [(e.text, ALL.match(e.text)) for e in examples if ALL.match(e.text)]
    assert len(alarms) <= 0.01 * len(examples), alarms


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "heldout").glob("*.yml")), ids=lambda p: p.stem)
def test_held_out_emergencies_are_mostly_caught_by_words_or_the_classifier(path: Path):
    emergencies = [e for e in read_file(path, path.stem) if e.intent == "service_emergency"]
    caught = [e for e in emergencies if ALL.match(e.text)]
    # The words are a safety net over the classifier, not a replacement: at least some must catch.
    assert emergencies and caught, [e.text for e in emergencies]


def test_payloads_and_past_stories_are_not_emergencies():
    assert ALL.match("I fled because of violence in my country") is None
    assert ALL.match("I want to kill myself") is not None
