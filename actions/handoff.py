"""action_handoff: opens a case for staff with its packet, tells the user a person will answer, pauses the bot.

While the case is open Rasa predicts nothing for the conversation (ConversationPaused), but keeps
every user message in the tracker, where the inbox reads it. The inbox resumes the conversation.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.content import ContentStore
from bot.handoff import packet, waiting_message
from bot.inbox import open_case
from bot.language import FALLBACK_LANGUAGE
from bot.messaging import attachments_of
from bot.settings import Settings
from bot.storage import shared_engine

EMERGENCY_INTENT = "service_emergency"
REASONS = {
    "human_handoff": "asked for a person",
    EMERGENCY_INTENT: "EMERGENCY: words of danger, violence, suicide or a medical emergency",
    "nlu_fallback": "the assistant did not understand the user several times in a row",
}


@lru_cache(maxsize=1)
def _defaults() -> tuple[Settings, ContentStore, Engine]:
    settings = Settings.from_env()
    return settings, ContentStore.load(settings.content_dir), shared_engine(settings.app_database_url)


class ActionHandoff(Action):
    def __init__(
        self,
        settings: Settings | None = None,
        store: ContentStore | None = None,
        engine: Engine | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._settings, self._store, self._engine = settings, store, engine
        self._clock = clock or SystemClock()

    def name(self) -> str:
        return "action_handoff"

    def _dependencies(self) -> tuple[Settings, ContentStore, Engine]:
        if self._settings and self._store and self._engine:
            return self._settings, self._store, self._engine
        return _defaults()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        settings, store, engine = self._dependencies()
        now = self._clock.now()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "human_handoff"
        language = tracker.get_slot("language") or FALLBACK_LANGUAGE
        channel = tracker.get_latest_input_channel() or "rest"
        reason = REASONS.get(intent, REASONS["human_handoff"])
        with engine.begin() as connection:
            files = attachments_of(connection, tracker.sender_id)
            case = open_case(
                connection, tracker.sender_id, channel, language, reason,
                packet(tracker.events, channel, language, files, reason), now, urgent=intent == EMERGENCY_INTENT,
            )  # fmt: skip
        message = waiting_message(store, language, settings.hours(), now)
        dispatcher.utter_message(
            text=message.text,
            buttons=[{"title": b.title, "payload": b.payload} for b in message.buttons],
            content_id=message.content_id,
            language=message.language,
            direction="rtl" if message.rtl else "ltr",
            case_id=case.id,
        )
        return [SlotSet("handoff_case", case.id), ConversationPaused()]
