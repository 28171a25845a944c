"""What the project's intent classifiers share: turning a model's ranking into Rasa's intent fields."""

from __future__ import annotations

from typing import Any, Dict, List, Protocol, TypeVar

from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.intents import Prediction
from components.stored_model import SavedModel, StoredModelComponent


class RankingModel(SavedModel, Protocol):
    def ranking(self, text: str, k: int = 10) -> list[Prediction]: ...


R = TypeVar("R", bound=RankingModel)


class RankingIntentClassifier(StoredModelComponent[R], IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"ranking_length": 10}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = self._model.ranking(text, self._config["ranking_length"]) if self._model and text else []
            # Written the way Rasa's own classifiers do, so the FallbackClassifier can read it.
            if not ranking:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            as_dicts = [{"name": p.intent, "confidence": p.confidence} for p in ranking]
            message.set(INTENT, as_dicts[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, as_dicts, add_to_output=True)
        return messages
