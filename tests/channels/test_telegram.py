"""The Telegram channel with the real python-telegram-bot Bot, against the local fake Bot API."""

from __future__ import annotations

import json

import pytest
from telegram import Bot

from bot.messaging import attachments_of, outbound
from bot.settings import LOCAL_SECRET
from channels.base import ChannelContext
from channels.telegram import SECRET_HEADER, TelegramInput, TelegramOutput
from simulator import payloads
from simulator.fakes import Fault
from tests.channels.conftest import FakeRequest, Heard, body_of

CHAT = 424242


@pytest.fixture
async def channel(fakes, context: ChannelContext) -> TelegramInput:
    _, settings = fakes
    channel = TelegramInput(settings, context, Bot(settings.telegram.token, base_url=settings.telegram.api_url))
    await channel.start()
    return channel


def request(update: dict | bytes, secret: str | None = LOCAL_SECRET) -> FakeRequest:
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    return FakeRequest(body, {SECRET_HEADER: secret} if secret is not None else {})


async def test_start_sets_the_command_list_and_the_webhook_with_its_secret(fakes, channel):
    simulator, settings = fakes
    assert [c["command"] for c in simulator.telegram.commands] == ["start", "language", "menu", "human"]
    assert simulator.telegram.webhook_url == f"{settings.public_url}/webhooks/telegram/webhook"
    assert simulator.telegram.secret_token == LOCAL_SECRET


@pytest.mark.parametrize("secret", [None, "", "guess", LOCAL_SECRET + "x"])
async def test_an_update_without_the_secret_token_is_refused(channel, secret):
    heard = Heard()
    response = await channel.handle(request(payloads.telegram_text(CHAT, "hello"), secret), heard)
    assert response.status == 403
    assert heard.messages == []


@pytest.mark.parametrize("body", [b"\xff\xfe{", b"not json", b"[1, 2]", b'{"update_id": "x", "message": 5}'])
async def test_a_broken_body_gets_a_clear_400(channel, body):
    response = await channel.handle(request(body), Heard())
    assert response.status == 400
    assert "error" in body_of(response)


async def test_a_text_reaches_rasa_with_the_chat_as_sender_and_the_phone_language(channel):
    heard = Heard()
    response = await channel.handle(request(payloads.telegram_text(CHAT, "ሰላም", language_code="ti")), heard)
    assert response.status == 200
    [message] = heard.messages
    assert (message.text, message.sender_id, message.input_channel) == ("ሰላም", f"telegram:{CHAT}", "telegram")
    assert message.metadata["client_language"] == "ti"


async def test_a_retried_update_is_processed_once(channel):
    heard = Heard()
    update = payloads.telegram_text(CHAT, "hello")
    first = await channel.handle(request(update), heard)
    again = await channel.handle(request(update), heard)
    assert (first.status, again.status) == (200, 200)
    assert body_of(again)["status"] == "duplicate"
    assert heard.texts == ["hello"]


async def test_when_rasa_fails_the_update_is_not_lost(channel):
    heard = Heard(fail_next=True)
    update = payloads.telegram_text(CHAT, "hello")
    assert (await channel.handle(request(update), heard)).status == 500
    assert (await channel.handle(request(update), heard)).status == 200  # Telegram's retry
    assert heard.texts == ["hello"]


@pytest.mark.parametrize(
    ("command", "payload"),
    [("/start", "/greet"), ("/language", "/choose_language"), ("/menu", "/menu_help"), ("/human", "/human_handoff")],
)
async def test_commands_become_intent_payloads(channel, command, payload):
    heard = Heard()
    await channel.handle(request(payloads.telegram_text(CHAT, command)), heard)
    assert heard.texts == [payload]


async def test_start_keeps_the_deep_link_location(channel):
    heard = Heard()
    await channel.handle(request(payloads.telegram_text(CHAT, "/start azc-ter-apel")), heard)
    assert heard.messages[0].metadata["start_parameter"] == "azc-ter-apel"


async def test_a_typed_payload_is_treated_as_words_not_as_a_button(channel):
    heard = Heard()
    await channel.handle(request(payloads.telegram_text(CHAT, '/choose_language{"language":"ti"}')), heard)
    assert heard.texts == ['choose_language{"language":"ti"}']


async def test_a_button_tap_sends_its_payload_and_answers_the_callback_query(fakes, channel):
    simulator, _ = fakes
    heard = Heard()
    update = payloads.telegram_callback(CHAT, "/nareis_deadline")
    await channel.handle(request(update), heard)
    assert heard.texts == ["/nareis_deadline"]
    assert heard.messages[0].metadata["button"] is True
    for _ in range(50):
        if simulator.telegram.answered_callbacks:
            break
        await __import__("asyncio").sleep(0.02)
    assert simulator.telegram.answered_callbacks == [update["callback_query"]["id"]]


async def test_an_edited_message_is_answered_as_a_new_one(channel):
    heard = Heard()
    await channel.handle(request(payloads.telegram_edited(CHAT, "nareis deadline?")), heard)
    assert heard.texts == ["nareis deadline?"]
    assert heard.messages[0].metadata["edited"] is True


@pytest.mark.parametrize("kind", ["voice", "photo", "document", "sticker", "location"])
async def test_attachments_are_kept_for_staff_and_answered(channel, context, kind):
    heard = Heard()
    await channel.handle(request(payloads.telegram_attachment(CHAT, kind)), heard)
    [message] = heard.messages
    assert message.text == "/nlu_fallback"
    assert message.metadata["attachment"]["kind"] == kind
    with context.engine.connect() as connection:
        [kept] = attachments_of(connection, f"telegram:{CHAT}")
    assert (kept.kind, kept.id) == (kind, message.metadata["attachment"]["id"])


async def test_a_photo_with_a_caption_answers_the_caption(channel):
    heard = Heard()
    update = payloads.telegram_attachment(CHAT, "photo", caption="wat betekent deze brief?")
    await channel.handle(request(update), heard)
    assert heard.texts == ["wat betekent deze brief?"]
    assert heard.messages[0].metadata["attachment"]["kind"] == "photo"


async def test_replies_carry_inline_buttons_and_escaped_html(fakes, channel, context):
    simulator, _ = fakes
    output = channel.get_output_channel()
    assert isinstance(output, TelegramOutput)
    buttons = [
        {"title": "ትግርኛ", "payload": '/choose_language{"language":"ti"}'},
        {"title": "Menu", "payload": "/menu_help"},
    ]
    await output.send_text_with_buttons(f"telegram:{CHAT}", "Choose <b>one</b> & go", buttons)
    [sent] = simulator.telegram.sent
    assert sent.text == "Choose <b>one</b> & go"  # shown literally, not as markup
    assert sent.buttons == buttons
    with context.engine.connect() as connection:
        [row] = outbound(connection, f"telegram:{CHAT}")
    assert (row.status, row.provider_id, row.attempts) == ("sent", str(sent.id), 1)


async def test_a_long_answer_is_split_at_telegrams_limit(fakes, channel):
    simulator, _ = fakes
    text = "\n".join(f"{i}. " + "ዓ" * 90 for i in range(60))  # about 5,600 characters
    ok = [{"title": "OK", "payload": "/affirm"}]
    await channel.get_output_channel().send_text_with_buttons(f"telegram:{CHAT}", text, ok)
    parts = simulator.telegram.sent
    assert len(parts) == 2 and all(len(p.text) <= 4096 for p in parts)
    assert "\n".join(p.text for p in parts) == text
    assert (parts[0].buttons, len(parts[1].buttons)) == ([], 1)


async def test_a_429_is_retried_after_the_hint_and_then_succeeds(fakes, channel, context):
    simulator, _ = fakes
    simulator.telegram.faults["sendMessage"].append(Fault(429, retry_after=0))
    await channel.get_output_channel().send_text_message(f"telegram:{CHAT}", "hello")
    assert [s.text for s in simulator.telegram.sent] == ["hello"]
    with context.engine.connect() as connection:
        [row] = outbound(connection, f"telegram:{CHAT}")
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_send_that_keeps_failing_is_recorded_as_failed(fakes, channel, context):
    simulator, _ = fakes
    simulator.telegram.faults["sendMessage"].extend([Fault(502)] * 3)
    await channel.get_output_channel().send_text_message(f"telegram:{CHAT}", "hello")
    assert simulator.telegram.sent == []
    with context.engine.connect() as connection:
        [row] = outbound(connection, f"telegram:{CHAT}")
    assert row.status == "failed" and "3 attempts" in (row.error or "")
