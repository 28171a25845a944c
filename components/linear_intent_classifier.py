"""The intent classifier of the pipeline: TF-IDF character and word n-grams with a linear SVM."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intents import LinearIntentModel
from components.ranking_intent_classifier import RankingIntentClassifier


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(RankingIntentClassifier[LinearIntentModel]):
    @classmethod
    def load_model(cls, directory: Path) -> LinearIntentModel:
        return LinearIntentModel.load(directory)

    def train(self, training_data: TrainingData) -> Resource:
        examples = ((ex.get(INTENT), ex.get(TEXT)) for ex in training_data.intent_examples)
        return self._persist(LinearIntentModel.train(examples))
