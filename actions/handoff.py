"""action_handoff: opens a case for staff with its packet, tells the user a person will answer, pauses the bot.

While the case is open Rasa predicts nothing for the conversation (ConversationPaused), but keeps
every user message in the tracker, where the inbox reads it. The inbox resumes the conversation.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import Dependencies, default_dependencies, utter
from bot.booking import upcoming
from bot.handoff import closed_offer, packet, waiting_message
from bot.inbox import open_case
from bot.language import FALLBACK_LANGUAGE
from bot.messaging import attachments_of

EMERGENCY_INTENT = "service_emergency"
REASONS = {
    "human_handoff": "asked for a person",
    EMERGENCY_INTENT: "EMERGENCY: words of danger, violence, suicide or a medical emergency",
    "nlu_fallback": "the assistant did not understand the user several times in a row",
}


class ActionHandoff(Action):
    def __init__(self, dependencies: Dependencies | None = None) -> None:
        self._dependencies = dependencies

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        deps = self._dependencies or default_dependencies()
        settings, store, engine = deps.settings, deps.store, deps.engine
        now = deps.clock.now()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "human_handoff"
        language = tracker.get_slot("language") or FALLBACK_LANGUAGE
        channel = tracker.get_latest_input_channel() or "rest"
        reason = REASONS.get(intent, REASONS["human_handoff"])
        with engine.begin() as connection:
            files = attachments_of(connection, tracker.sender_id)
            planned = [
                {"reference": b.reference, "starts_at": b.starts_at.isoformat(), "kind": b.kind, "language": b.language}
                for b in upcoming(connection, tracker.sender_id, now)
            ]
            summary = packet(tracker.events, channel, language, files, reason, planned or None)
            case = open_case(
                connection, tracker.sender_id, channel, language, reason, summary, now,
                urgent=intent == EMERGENCY_INTENT,
            )  # fmt: skip
        hours = settings.hours()
        if not case.urgent and not hours.is_open(now) and not tracker.get_slot("handoff_offered"):
            # Nobody answers before the next opening: the user may rather book the consultation hour. The
            # case is open already (staff see it first thing); the bot pauses once they choose to wait.
            utter(dispatcher, closed_offer(store, language, hours, now), case_id=case.id)
            return [SlotSet("handoff_case", case.id), SlotSet("handoff_offered", True)]
        utter(dispatcher, waiting_message(store, language, hours, now), case_id=case.id)
        return [SlotSet("handoff_case", case.id), SlotSet("handoff_offered", None), ConversationPaused()]
