"""A supervised fastText intent classifier as a Rasa NLU component (kept for the pipeline comparison)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intents import IntentModel
from components.ranking_intent_classifier import RankingIntentClassifier


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FastTextIntentClassifier(RankingIntentClassifier[IntentModel]):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**RankingIntentClassifier.get_default_config(), "epoch": 50}

    @classmethod
    def load_model(cls, directory: Path) -> IntentModel:
        return IntentModel.load(directory)

    def train(self, training_data: TrainingData) -> Resource:
        pairs = [(ex.get(INTENT), ex.get(TEXT)) for ex in training_data.intent_examples]
        return self._persist(IntentModel.train(pairs, epoch=self._config["epoch"]))
