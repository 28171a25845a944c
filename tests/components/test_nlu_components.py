"""The Rasa adapters, trained, persisted and loaded through Rasa's own model storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.fasttext_intent_classifier import FastTextIntentClassifier
from components.language_identifier import LanguageIdentifier
from components.linear_intent_classifier import LinearIntentClassifier

EXAMPLES = [
    ("ti", "greet", "ሰላም ከመይ ኣለኹም"), ("ti", "thanks", "የቐንየለይ ሓወይ"), ("ti", "greet", "ሰላም ደሓን ዲኹም"),
    ("am", "greet", "ሰላም እንዴት ነህ"), ("am", "thanks", "አመሰግናለሁ በጣም"), ("am", "greet", "ሰላም ነው ወንድሜ"),
    ("ar", "greet", "مرحبا كيف الحال"), ("ar", "thanks", "شكرا كتير الك"), ("ar", "thanks", "شكرا جزيلا"),
]  # fmt: skip


@pytest.fixture
def training_data() -> TrainingData:
    return TrainingData(
        [Message.build(text, intent, intent_metadata={"language": lang}) for lang, intent, text in EXAMPLES * 4]
    )


def train_and_load(component_class, config, training_data: TrainingData, tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource(component_class.__name__)
    context = ExecutionContext(GraphSchema({}), "test")
    full_config = {**component_class.get_default_config(), **config}
    component_class.create(full_config, storage, resource, context).train(training_data)
    return component_class.load(full_config, storage, resource, context)


def test_language_identifier_adds_language_to_the_parse_output(training_data, tmp_path):
    identifier = train_and_load(LanguageIdentifier, {}, training_data, tmp_path)
    messages = identifier.process([Message.build("ሰላም ከመይ ኣለኹም"), Message.build("ok")])
    first = messages[0].as_dict(only_output_properties=True)
    assert first["language"]["name"] == "ti"
    assert 0 < first["language"]["confidence"] <= 1
    assert messages[1].as_dict(only_output_properties=True)["language"] == {"name": None, "confidence": 0.0}


def test_language_identifier_refuses_data_without_languages(tmp_path):
    untagged = TrainingData([Message.build("hello", "greet")])
    with pytest.raises(ValueError, match="metadata"):
        train_and_load(LanguageIdentifier, {}, untagged, tmp_path)


@pytest.mark.parametrize("component, config", [(LinearIntentClassifier, {}), (FastTextIntentClassifier, {"epoch": 30})])
def test_intent_classifiers_rank_intents(component, config, training_data, tmp_path):
    classifier = train_and_load(component, config, training_data, tmp_path)
    (message,) = classifier.process([Message.build("شكرا كتير")])
    output = message.as_dict(only_output_properties=True)
    assert output["intent"]["name"] == "thanks"
    assert [r["name"] for r in output["intent_ranking"]][:1] == ["thanks"]
    assert sum(r["confidence"] for r in output["intent_ranking"]) == pytest.approx(1, abs=0.01)


@pytest.mark.parametrize("component", [LinearIntentClassifier, FastTextIntentClassifier])
def test_intent_classifiers_on_empty_text(component, training_data, tmp_path):
    classifier = train_and_load(component, {}, training_data, tmp_path)
    (message,) = classifier.process([Message.build("")])
    assert message.get("intent") == {"name": None, "confidence": 0.0}
