"""A supervised fastText intent classifier as a Rasa NLU component."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.intents import IntentModel

MODEL_FILE = "intents.bin"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FastTextIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"ranking_length": 10, "epoch": 50}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: IntentModel | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FastTextIntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FastTextIntentClassifier:
        with model_storage.read_from(resource) as directory:
            return cls(config, model_storage, resource, IntentModel.load(directory / MODEL_FILE))

    def train(self, training_data: TrainingData) -> Resource:
        pairs = [(ex.get(INTENT), ex.get(TEXT)) for ex in training_data.intent_examples]
        self._model = IntentModel.train(pairs, epoch=self._config["epoch"])
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(directory / MODEL_FILE)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = self._model.ranking(text, self._config["ranking_length"]) if self._model and text else []
            if not ranking:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            as_dicts = [{"name": p.intent, "confidence": p.confidence} for p in ranking]
            message.set(INTENT, as_dicts[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, as_dicts, add_to_output=True)
        return messages
