"""The intent classifier of the pipeline: TF-IDF character and word n-grams with a linear SVM."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intents import LinearIntentModel
from components.fasttext_intent_classifier import set_ranking
from components.stored_model import StoredModelComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(StoredModelComponent[LinearIntentModel], IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"ranking_length": 10}

    @classmethod
    def load_model(cls, directory: Path) -> LinearIntentModel:
        return LinearIntentModel.load(directory)

    def train(self, training_data: TrainingData) -> Resource:
        return self._persist(
            LinearIntentModel.train((ex.get(INTENT), ex.get(TEXT)) for ex in training_data.intent_examples)
        )

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = self._model.ranking(text, self._config["ranking_length"]) if self._model and text else []
            set_ranking(message, ranking)
        return messages
