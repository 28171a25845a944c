"""A supervised fastText intent classifier as a Rasa NLU component (kept for the pipeline comparison)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intents import IntentModel, Prediction
from components.stored_model import StoredModelComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FastTextIntentClassifier(StoredModelComponent[IntentModel], IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"ranking_length": 10, "epoch": 50}

    @classmethod
    def load_model(cls, directory: Path) -> IntentModel:
        return IntentModel.load(directory)

    def train(self, training_data: TrainingData) -> Resource:
        pairs = [(ex.get(INTENT), ex.get(TEXT)) for ex in training_data.intent_examples]
        return self._persist(IntentModel.train(pairs, epoch=self._config["epoch"]))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = self._model.ranking(text, self._config["ranking_length"]) if self._model and text else []
            set_ranking(message, ranking)
        return messages


def set_ranking(message: Message, ranking: List[Prediction]) -> None:
    """Write a ranking the way Rasa's own classifiers do, so the FallbackClassifier can read it."""
    if not ranking:
        message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return
    as_dicts = [{"name": p.intent, "confidence": p.confidence} for p in ranking]
    message.set(INTENT, as_dicts[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, as_dicts, add_to_output=True)
