"""The spec (shared/spec/topics.yml) against the domain, the rules and the NLU data."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from bot.language import LANGUAGES
from bot.nludata import read_examples
from bot.settings import ROOT
from tests.conftest import SPEC

TOPICS = list(yaml.safe_load(SPEC.read_text())["topics"])
NLU_DIR = ROOT / "data" / "nlu"


def domain_intents() -> list[str]:
    intents: list[str] = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        intents += yaml.safe_load(path.read_text()).get("intents") or []
    return intents


def test_spec_languages_are_the_supported_languages():
    assert yaml.safe_load(SPEC.read_text())["languages"]["required"] == list(LANGUAGES)


def test_every_spec_topic_is_an_intent_of_the_domain():
    assert sorted(domain_intents()) == sorted(TOPICS)


def test_every_intent_has_a_rule_to_an_answer():
    rules = [
        rule
        for path in sorted((ROOT / "data" / "rules").glob("*.yml"))
        for rule in yaml.safe_load(path.read_text())["rules"]
        if "intent" in rule["steps"][0]
    ]
    first_action = {r["steps"][0]["intent"]: r["steps"][1]["action"] for r in rules}
    assert set(first_action) == set(TOPICS) | {"nlu_fallback"}
    assert first_action.pop("human_handoff") == "action_handoff"
    assert first_action.pop("book_appointment") == "booking_form"
    for intent in ("my_appointments", "cancel_appointment", "reschedule_appointment"):
        assert first_action.pop(intent) == f"action_{intent}"
    assert set(first_action.values()) == {"action_reply"}


def test_an_emergency_is_answered_and_handed_to_a_person():
    rules = yaml.safe_load((ROOT / "data" / "rules" / "answers.yml").read_text())["rules"]
    [rule] = [r for r in rules if r["steps"][0] == {"intent": "service_emergency"}]
    assert rule["steps"][1:] == [{"action": "action_reply"}, {"action": "action_handoff"}]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_topic_has_training_examples_in_every_language(language):
    counts = Counter(e.intent for e in read_examples(NLU_DIR) if e.language == language)
    assert sorted(set(TOPICS) - set(counts)) == []
    assert set(counts) <= set(TOPICS)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_intent_block_says_its_language(language):
    # Language identification trains on this metadata; the folder is where the language is decided.
    for path in sorted((NLU_DIR / language).glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            assert (block.get("metadata") or {}).get("language") == language, f"{path}: {block['intent']}"


def test_no_example_is_given_for_two_intents():
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for example in read_examples(NLU_DIR):
        key = (example.language, example.text.casefold())
        if seen.setdefault(key, example.intent) != example.intent:
            clashes.append((example.language, example.text, seen[key], example.intent))
    assert clashes == []
