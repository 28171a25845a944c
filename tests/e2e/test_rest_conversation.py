"""Whole turns through the REST channel: NLU, language ID, rules, action server, tracker store."""

from __future__ import annotations

import uuid

import pytest

from bot.content import ContentStore
from bot.settings import ROOT

pytestmark = pytest.mark.e2e
STORE = ContentStore.load(ROOT / "content")


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("greeting, language", [("مرحبا", "ar"), ("ሰላም", "ti")])
def test_greeting_is_answered_in_its_language_with_the_language_menu(assistant, greeting, language):
    user = sender()
    messages = assistant.say(user, greeting)
    assert messages[0]["text"] == STORE.get("greet", language).text
    assert messages[1]["text"] == STORE.get("ui.language_menu", language).text
    assert len(messages[1]["buttons"]) == 13
    metadata = [e["metadata"] for e in assistant.bot_events(user)]
    assert [m["content_id"] for m in metadata] == [f"greet.{language}", f"ui.language_menu.{language}"]
    assert assistant.slot(user, "language") == language


def test_parse_reports_the_language(assistant):
    parsed = assistant.http.post("/model/parse", json={"text": "ሰላም ከመይ ኣለኹም"}).json()
    assert parsed["language"]["name"] == "ti"
    assert 0 < parsed["language"]["confidence"] <= 1
    assert parsed["intent"]["name"] == "greet"


def test_language_button_switches_and_later_answers_follow_it(assistant):
    user = sender()
    assistant.say(user, "مرحبا")
    assistant.say(user, '/choose_language{"language":"fr"}')
    assert assistant.slot(user, "language") == "fr"
    assistant.say(user, "/thanks")
    assert assistant.bot_events(user)[-1]["metadata"]["content_id"] == "thanks.fr"


def test_every_reply_carries_a_content_id(assistant):
    user = sender()
    for text in ["hello", "what can you do", "asdfgh qwerty", "/goodbye"]:
        assistant.say(user, text)
    events = assistant.bot_events(user)
    assert events and all("." in e["metadata"]["content_id"] for e in events)


def test_a_50_kb_message_gets_an_answer(assistant):
    messages = assistant.say(sender(), "مرحبا " * 8_000)
    assert messages and messages[0]["text"]


def test_broken_utf8_is_refused_and_the_server_keeps_working(assistant):
    response = assistant.http.post(
        "/webhooks/rest/webhook",
        content=b'{"sender": "x", "message": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert assistant.say(sender(), "hello")
