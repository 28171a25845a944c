"""Adds `"language": {"name", "confidence"}` to every parsed message (see shared/spec/topics.yml)."""

from __future__ import annotations

from pathlib import Path
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.langid import LanguageIdentifier as Model
from components.stored_model import StoredModelComponent

LANGUAGE = "language"
UNKNOWN = {"name": None, "confidence": 0.0}


def example_language(message: Message) -> str | None:
    """The language an NLU example was written in, from its intent block's `metadata: {language: …}`."""
    metadata = message.get("metadata") or {}
    intent_metadata = metadata.get("intent") or {}
    return intent_metadata.get(LANGUAGE) if isinstance(intent_metadata, dict) else None


# Registered as an intent classifier only so that the recipe places it in the prediction chain
# without running it over the training data, which a featurizer would.
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LanguageIdentifier(StoredModelComponent[Model]):
    @classmethod
    def load_model(cls, directory: Path) -> Model:
        return Model.load(directory)

    def train(self, training_data: TrainingData) -> Resource:
        pairs = [(lang, ex.get("text")) for ex in training_data.intent_examples if (lang := example_language(ex))]
        if not pairs:
            raise ValueError("no NLU example carries `metadata: {language: …}`; language ID cannot be trained")
        return self._persist(Model.train(pairs))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            detection = self._model.detect(message.get("text") or "") if self._model else None
            # Always present in the parse output (Rasa drops None values): name null = too short to tell.
            value = {"name": detection.language, "confidence": detection.confidence} if detection else UNKNOWN
            message.set(LANGUAGE, value, add_to_output=True)
        return messages
