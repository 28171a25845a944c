"""action_reply: answers every topic, in the user's language, from the content records."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import utter
from bot.content import ContentStore
from bot.dialogue import Responder, Turn
from bot.language import Detection
from bot.settings import Settings


@lru_cache(maxsize=1)
def default_responder() -> Responder:
    settings = Settings.from_env()
    return Responder(ContentStore.load(settings.content_dir), settings.content_dir)


def turn_from(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    detected = message.get("language") or {}
    metadata = message.get("metadata") or {}
    attachment = metadata.get("attachment")
    attachment = attachment if isinstance(attachment, dict) else {}
    requested = next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "language"), None)
    return Turn(
        intent=(message.get("intent") or {}).get("name") or "nlu_fallback",
        text=message.get("text") or "",
        detected=Detection(detected["name"], float(detected["confidence"])) if detected.get("name") else None,
        language=tracker.get_slot("language"),
        requested_language=requested,
        offered_language=tracker.get_slot("language_offered"),
        attachment_kind=attachment.get("kind"),
        fallback_streak=int(tracker.get_slot("fallback_streak") or 0),
        hint_language=metadata.get("client_language"),
    )


class ActionReply(Action):
    def __init__(self, responder: Responder | None = None) -> None:
        self._responder = responder

    def name(self) -> str:
        return "action_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        turn = turn_from(tracker)
        reply = (self._responder or default_responder()).respond(turn)
        for message in reply.messages:
            utter(dispatcher, message)
        events = []
        if reply.language != turn.language:
            events.append(SlotSet("language", reply.language))
        if reply.offered_language != turn.offered_language:
            events.append(SlotSet("language_offered", reply.offered_language))
        if reply.fallback_streak != turn.fallback_streak:
            events.append(SlotSet("fallback_streak", float(reply.fallback_streak)))
        if reply.handoff:
            events.append(FollowupAction("action_handoff"))
        return events
