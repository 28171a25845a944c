"""Every answer topic, asked in every language through the REST channel, is answered in that language."""

from __future__ import annotations

import uuid

import pytest

from bot.content import ContentStore
from bot.language import LANGUAGES
from bot.nludata import read_examples
from bot.settings import ROOT

pytestmark = pytest.mark.e2e
STORE = ContentStore.load(ROOT / "content")
ANSWER_TOPICS = sorted(
    t for t in STORE.topics() if t.split("_")[0] in ("procedure", "nareis", "service") and t != "service_emergency"
)
EXAMPLES = read_examples(ROOT / "data" / "nlu")


def first_example(topic: str, language: str) -> str:
    return next(e.text for e in EXAMPLES if e.intent == topic and e.language == language)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_each_topic_payload_gets_its_answer_in_the_language(assistant, language):
    user = f"topics-{language}-{uuid.uuid4().hex[:6]}"
    assistant.say(user, f'/choose_language{{"language":"{language}"}}')
    for topic in ANSWER_TOPICS:
        messages = assistant.say(user, f"/{topic}")
        assert messages[-1]["text"] == STORE.get(topic, language).text, topic
        assert assistant.bot_events(user)[-1]["metadata"]["content_id"] == f"{topic}.{language}"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_each_topic_asked_in_words_gets_its_answer_in_the_language(assistant, language):
    user = f"words-{language}-{uuid.uuid4().hex[:6]}"
    assistant.say(user, f'/choose_language{{"language":"{language}"}}')
    answered = {}
    for topic in ANSWER_TOPICS:
        assistant.say(user, first_example(topic, language))
        answered[topic] = assistant.bot_events(user)[-1]["metadata"]["content_id"]
    wrong = {topic: got for topic, got in answered.items() if got != f"{topic}.{language}"}
    assert not wrong
