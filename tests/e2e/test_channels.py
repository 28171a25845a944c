"""Telegram and WhatsApp end to end: real provider payloads from the phone simulator to the real webhooks
of the running Rasa server, replies through python-telegram-bot and twilio to the local fakes."""

from __future__ import annotations

import random
import time

import httpx
import pytest

from bot.content import ContentStore
from bot.settings import ROOT

pytestmark = pytest.mark.e2e
STORE = ContentStore.load(ROOT / "content")


def wait_for(
    simulator: httpx.Client, channel: str, user: str, count: int, after: int = 0, timeout: float = 30
) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = simulator.get("/sim/messages", params={"channel": channel, "user": user, "after": after}).json()
        if len(messages) >= count:
            return messages
        time.sleep(0.2)
    raise AssertionError(f"expected {count} message(s) on {channel}, got {messages}")


def send(simulator: httpx.Client, **body: object) -> None:
    result = simulator.post("/sim/send", json=body).json()
    assert result.get("webhook_status") == 200, result


def test_telegram_greeting_menu_and_button(assistant):
    user = str(random.randint(100000, 999999))
    with assistant.simulator() as simulator:
        send(simulator, channel="telegram", user=user, text="ሰላም")
        greeting, menu = wait_for(simulator, "telegram", user, 2)
        assert greeting["text"] == STORE.get("greet", "ti").text
        assert menu["text"] == STORE.get("ui.language_menu", "ti").text
        assert len(menu["buttons"]) == 13
        send(simulator, channel="telegram", user=user, payload=menu["buttons"][0]["payload"])  # العربية
        [chosen] = wait_for(simulator, "telegram", user, 1, after=menu["id"])
        assert chosen["text"] == STORE.get("choose_language", "ar").text
        send(simulator, channel="telegram", user=user, attachment="voice")
        [voice] = wait_for(simulator, "telegram", user, 1, after=chosen["id"])
        assert voice["text"] == STORE.get("ui.attachment_voice", "ar").text


def test_telegram_start_greets_in_the_phones_language(assistant):
    user = str(random.randint(100000, 999999))
    with assistant.simulator() as simulator:
        send(simulator, channel="telegram", user=user, text="/start", language_code="ar")
        greeting, menu = wait_for(simulator, "telegram", user, 2)
        assert greeting["text"] == STORE.get("greet", "ar").text


def test_whatsapp_numbered_options_answered_with_a_digit(assistant):
    user = f"whatsapp:+3161{random.randint(1000000, 9999999)}"
    with assistant.simulator() as simulator:
        send(simulator, channel="whatsapp", user=user, text="مرحبا")
        greeting, menu = wait_for(simulator, "whatsapp", user, 2)
        assert greeting["text"] == STORE.get("greet", "ar").text
        assert menu["text"].startswith(STORE.get("ui.language_menu", "ar").text + "\n\n1. العربية\n2. ትግርኛ")
        assert menu["text"].endswith(STORE.get("ui.reply_with_number", "ar").text)
        send(simulator, channel="whatsapp", user=user, text="2")
        [chosen] = wait_for(simulator, "whatsapp", user, 1, after=menu["id"])
        assert chosen["text"].startswith(STORE.get("choose_language", "ti").text)
