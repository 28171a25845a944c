"""Emergency words win over everything else the NLU thinks.

A message with words of danger, violence, suicide or a medical emergency (bot/emergency.py, per
language in content/<lang>/emergency_words.yml) becomes the service_emergency intent with full
confidence: the user gets the 112 answer and staff an urgent case, even when the classifier heard a
question about the procedure. The words are read from content/ when the model loads, so staff can
add words without retraining.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.emergency import EmergencyWords
from bot.settings import Settings

EMERGENCY_INTENT = "service_emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class EmergencyDetector(GraphComponent):
    def __init__(self, words: EmergencyWords) -> None:
        self._words = words

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencyDetector:
        return cls(EmergencyWords.load(Path(Settings.from_env().content_dir)))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            phrase = self._words.match(text) if text and not text.startswith("/") else None
            if phrase is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY_INTENT]
            top = {"name": EMERGENCY_INTENT, "confidence": 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
            message.set("emergency", {"phrase": phrase}, add_to_output=True)
        return messages
