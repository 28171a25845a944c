"""action_handoff with a real CollectingDispatcher: the case, its packet, the waiting message, the pause."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import Dependencies
from actions.handoff import ActionHandoff
from actions.reply import ActionReply
from bot import inbox
from bot.clock import FixedClock
from bot.messaging import save_attachment
from bot.settings import Settings
from bot.storage import migrated_engine

SENDER = "telegram:4242"
MONDAY_MORNING = dt.datetime(2026, 12, 7, 10, 30)  # Amsterdam time, office hours
SATURDAY = dt.datetime(2026, 12, 12, 14, 0)


def tracker(
    intent: str, language: str = "ti", fallback_streak: float | None = None, offered: bool | None = None
) -> Tracker:
    events = [
        {"event": "user", "text": "ሰላም", "timestamp": 1_796_000_000, "parse_data": {"intent": {"name": "greet"}},
         "input_channel": "telegram"},
        {"event": "bot", "text": "ሰላም! …", "timestamp": 1_796_000_001},
        {"event": "user", "text": "ናይ herstelverzuim ደብዳቤ", "timestamp": 1_796_000_010,
         "parse_data": {"intent": {"name": "nareis_incomplete_letter"}}, "input_channel": "telegram"},
        {"event": "user", "text": "ምስ ሰብ", "timestamp": 1_796_000_020, "parse_data": {"intent": {"name": intent}},
         "input_channel": "telegram"},
    ]  # fmt: skip
    return Tracker(
        sender_id=SENDER,
        slots={
            "language": language,
            "language_offered": None,
            "fallback_streak": fallback_streak,
            "handoff_offered": offered,
        },  # fmt: skip
        latest_message={"text": "ምስ ሰብ", "intent": {"name": intent, "confidence": 0.9}, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"BOT_STATE_DIR": str(tmp_path)})


async def handoff(
    settings: Settings, store, at: dt.datetime, intent: str = "human_handoff", offered: bool | None = None
):
    engine = migrated_engine(settings.app_database_url)
    with engine.begin() as connection:
        save_attachment(connection, SENDER, "telegram", "photo", "file-1", FixedClock(at).now(), "image/jpeg")
    dispatcher = CollectingDispatcher()
    action = ActionHandoff(Dependencies(settings, store, engine, FixedClock(at)))
    events = await action.run(dispatcher, tracker(intent, offered=offered), {})
    with engine.begin() as connection:
        [case] = inbox.queue(connection, inbox.Staff(0, "x", "x", "agent", (), True))
    return dispatcher.messages, events, case


async def test_a_case_with_its_packet_is_opened_and_the_bot_pauses(settings, store):
    messages, events, case = await handoff(settings, store, MONDAY_MORNING)
    assert events == [SlotSet("handoff_case", case.id), SlotSet("handoff_offered", None), ConversationPaused()]
    assert (case.conversation_id, case.channel, case.language, case.status, case.urgent) == (
        SENDER, "telegram", "ti", "pending", False,
    )  # fmt: skip
    assert case.packet["topics"] == ["nareis_incomplete_letter", "human_handoff"]
    assert [m["text"] for m in case.packet["last_messages"]][:2] == ["ሰላም", "ሰላም! …"]
    assert [(a["kind"]) for a in case.packet["attachments"]] == ["photo"]
    [message] = messages
    assert message["text"] == store.get("ui.handoff_open", "ti").text
    assert message["content_id"] == "ui.handoff_open.ti"


async def test_outside_office_hours_the_user_hears_when_and_may_book_instead(settings, store):
    messages, events, case = await handoff(settings, store, SATURDAY)
    [message] = messages
    assert message["content_id"] == "ui.handoff_closed.ti"
    assert "{next_opening}" not in message["text"]
    assert "ሰኑይ 14 ታሕሳስ 09:00" in message["text"]  # Monday 14 December, in Tigrinya (CLDR)
    assert [b["payload"] for b in message["buttons"]] == ["/human_handoff", "/book_appointment"]
    assert events == [SlotSet("handoff_case", case.id), SlotSet("handoff_offered", True)]  # not paused yet
    messages, events, _ = await handoff(settings, store, SATURDAY, offered=True)  # "wait for a person"
    assert messages[0]["content_id"] == "ui.handoff_queued.ti" and "ሰኑይ 14 ታሕሳስ 09:00" in messages[0]["text"]
    assert ConversationPaused() in events


async def test_an_emergency_at_night_pauses_at_once(settings, store):
    messages, events, case = await handoff(settings, store, SATURDAY, intent="service_emergency")
    assert case.urgent and ConversationPaused() in events
    assert messages[0]["content_id"] == "ui.handoff_queued.ti"


async def test_an_emergency_opens_an_urgent_case(settings, store):
    _, _, case = await handoff(settings, store, MONDAY_MORNING, intent="service_emergency")
    assert case.urgent and case.reason.startswith("EMERGENCY")


async def test_the_third_misunderstanding_in_a_row_hands_over(responder):
    dispatcher = CollectingDispatcher()
    events = await ActionReply(responder).run(dispatcher, tracker("nlu_fallback", fallback_streak=2.0), {})
    assert FollowupAction("action_handoff") in events
    assert SlotSet("fallback_streak", 0.0) in events
    events = await ActionReply(responder).run(CollectingDispatcher(), tracker("nlu_fallback", fallback_streak=1.0), {})
    assert FollowupAction("action_handoff") not in events and SlotSet("fallback_streak", 2.0) in events
