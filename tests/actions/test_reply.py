from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply import ActionReply


def tracker(text, intent, language_slot=None, detected=None, entities=()):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": list(entities)}
    if detected:
        latest["language"] = {"name": detected[0], "confidence": detected[1]}
    return Tracker(
        sender_id="telegram:42",
        slots={"language": language_slot, "language_offered": None},
        latest_message=latest,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


async def test_first_greeting_in_tigrinya_sets_the_language_and_shows_the_menu(responder):
    messages, events = await run(ActionReply(responder), tracker("ሰላም", "greet", detected=("ti", 0.95)))
    assert [m["content_id"] for m in messages] == ["greet.ti", "ui.language_menu.ti"]
    assert [m["direction"] for m in messages] == ["ltr", "ltr"]
    assert len(messages[1]["buttons"]) == 13
    assert events == [SlotSet("language", "ti")]


async def test_reply_in_the_slot_language_changes_no_slot(responder):
    messages, events = await run(ActionReply(responder), tracker("شكرا", "thanks", language_slot="ar"))
    assert [(m["content_id"], m["language"], m["direction"]) for m in messages] == [("thanks.ar", "ar", "rtl")]
    assert messages[0]["text"]
    assert events == []


async def test_language_button_payload_switches_language(responder):
    entities = [{"entity": "language", "value": "prs"}]
    messages, events = await run(
        ActionReply(responder),
        tracker('/choose_language{"language":"prs"}', "choose_language", "en", entities=entities),
    )
    assert [m["content_id"] for m in messages] == ["choose_language.prs"]
    assert events == [SlotSet("language", "prs")]


async def test_missing_intent_is_treated_as_not_understood(responder):
    t = tracker("", None, language_slot="so")
    messages, _ = await run(ActionReply(responder), t)
    assert [m["content_id"] for m in messages] == ["ui.fallback.so"]


async def test_switch_offer_is_remembered_in_a_slot(responder):
    t = tracker("are you a real person or a robot", "bot_challenge", language_slot="ar", detected=("en", 0.99))
    messages, events = await run(ActionReply(responder), t)
    assert [m["content_id"] for m in messages] == ["bot_challenge.ar", "ui.switch_offer.en"]
    assert events == [SlotSet("language_offered", "en")]
