"""The WhatsApp channel with twilio's real RequestValidator and Client, against the local fake Twilio API."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import pytest

from bot.messaging import attachments_of, outbound
from bot.settings import LOCAL_SECRET, Settings
from channels.base import ChannelContext
from channels.whatsapp import WhatsAppInput
from simulator import payloads
from simulator.fakes import Fault
from tests.channels.conftest import FakeRequest, Heard, body_of

USER = "whatsapp:+31612345678"
WEBHOOK = "/webhooks/whatsapp/webhook"


@pytest.fixture
async def channel(fakes, context: ChannelContext) -> AsyncIterator[WhatsAppInput]:
    _, settings = fakes
    channel = WhatsAppInput(settings, context)
    yield channel
    await channel.close()


def signed(settings: Settings, form: dict[str, str], path: str = WEBHOOK, signature: str | None = None) -> FakeRequest:
    url = f"{settings.public_url}{path}"
    signature = signature if signature is not None else payloads.twilio_signature(settings.twilio.auth_token, url, form)
    return FakeRequest(urlencode(form).encode(), {"X-Twilio-Signature": signature}, path)


def message(settings: Settings, body: str, media: list[tuple[str, str]] | None = None) -> dict[str, str]:
    twilio = settings.twilio
    return payloads.twilio_message(USER, body, twilio.account_sid, twilio.whatsapp_from, media)


async def receive(channel: WhatsAppInput, settings: Settings, body: str, heard: Heard, **kwargs) -> int:
    form = message(settings, body, **kwargs)
    response = await channel._receive_request(signed(settings, form), heard)
    return response.status


@pytest.mark.parametrize(
    "signature", ["", "forged", payloads.twilio_signature("another-token", "http://127.0.0.1:5005" + WEBHOOK, {})]
)
async def test_an_unsigned_or_forged_request_is_refused(fakes, channel, signature):
    _, settings = fakes
    heard = Heard()
    response = await channel._receive_request(signed(settings, message(settings, "hi"), signature=signature), heard)
    assert response.status == 403
    assert heard.messages == []


async def test_a_signature_for_another_url_is_refused(fakes, channel):
    _, settings = fakes
    form = message(settings, "hi")
    signature = payloads.twilio_signature(LOCAL_SECRET, "https://elsewhere.example/webhook", form)
    response = await channel._receive_request(signed(settings, form, signature=signature), Heard())
    assert response.status == 403


async def test_a_message_reaches_rasa_with_the_whatsapp_address_as_sender(fakes, channel):
    _, settings = fakes
    heard = Heard()
    assert await receive(channel, settings, "مرحبا", heard) == 200
    [heard_message] = heard.messages
    assert (heard_message.text, heard_message.sender_id, heard_message.input_channel) == ("مرحبا", USER, "whatsapp")


async def test_broken_utf8_gets_a_clear_400(fakes, channel):
    _, settings = fakes
    request = FakeRequest(b"Body=\xff\xfe&From=whatsapp%3A%2B31", {"X-Twilio-Signature": "x"}, WEBHOOK)
    response = await channel._receive_request(request, Heard())
    assert response.status == 400 and "UTF-8" in body_of(response)["error"]


async def test_a_retried_message_is_processed_once(fakes, channel):
    _, settings = fakes
    heard = Heard()
    form = message(settings, "hello")
    for _ in range(2):
        assert (await channel._receive_request(signed(settings, form), heard)).status == 200
    assert heard.texts == ["hello"]


async def test_options_are_numbered_and_answered_by_number_or_words(fakes, channel):
    simulator, settings = fakes
    heard = Heard()
    await receive(channel, settings, "hi", heard)  # opens the 24-hour window
    buttons = [{"title": "የቤተሰብ ውህደት", "payload": "/nareis_overview"}, {"title": "Menu", "payload": "/menu_help"}]
    await channel.get_output_channel().send_text_with_buttons(USER, "ምን ማወቅ ይፈልጋሉ?", buttons, language="am")
    [sent] = simulator.twilio.sent
    assert sent.text.startswith("ምን ማወቅ ይፈልጋሉ?\n\n1. የቤተሰብ ውህደት\n2. Menu\n")
    for answer, payload in [("2", "/menu_help"), ("١", "/nareis_overview"), (" menu ", "/menu_help")]:
        await receive(channel, settings, answer, heard)
        assert heard.texts[-1] == payload
    await receive(channel, settings, "3", heard)
    assert heard.texts[-1] == "3"  # no such option: the words go to NLU


async def test_media_is_kept_for_staff_and_answered(fakes, channel, context):
    _, settings = fakes
    heard = Heard()
    media = [
        ("https://api.twilio.example/Media/ME1", "audio/ogg"),
        ("https://api.twilio.example/Media/ME2", "application/pdf"),
    ]
    await receive(channel, settings, "", heard, media=media)
    [heard_message] = heard.messages
    assert heard_message.text == "/nlu_fallback"
    assert heard_message.metadata["attachment"]["kind"] == "voice"
    with context.engine.connect() as connection:
        kept = attachments_of(connection, USER)
    assert [(a.kind, a.provider_ref) for a in kept] == [("voice", media[0][0]), ("document", media[1][0])]


async def test_replies_go_out_through_the_twilio_client_and_delivery_is_recorded(fakes, channel, context):
    simulator, settings = fakes
    await receive(channel, settings, "hi", Heard())
    await channel.get_output_channel().send_text_message(USER, "مرحبًا")
    [sent] = simulator.twilio.sent
    assert (sent.chat, sent.text) == (USER, "مرحبًا")
    # The fake calls our status webhook as Twilio would; hand its signed form to the channel.
    form = {"MessageSid": sent.provider_id, "MessageStatus": "delivered", "AccountSid": settings.twilio.account_sid}
    response = await channel._status_request(signed(settings, form, "/webhooks/whatsapp/status"))
    assert body_of(response)["status"] == "recorded"
    with context.engine.connect() as connection:
        [row] = outbound(connection, USER)
    assert (row.status, row.provider_id) == ("delivered", sent.provider_id)


async def test_an_unsigned_status_callback_is_refused(fakes, channel):
    _, settings = fakes
    form = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    response = await channel._status_request(signed(settings, form, "/webhooks/whatsapp/status", signature="x"))
    assert response.status == 403


async def test_a_long_answer_is_split_at_1600_characters(fakes, channel):
    simulator, settings = fakes
    await receive(channel, settings, "hi", Heard())
    text = "\n".join(f"Sentence number {i} of a long answer about nareis." for i in range(80))
    await channel.get_output_channel().send_text_message(USER, text)
    assert len(simulator.twilio.sent) >= 3 and all(len(s.text) <= 1600 for s in simulator.twilio.sent)
    assert "\n".join(s.text for s in simulator.twilio.sent) == text


async def test_429_then_success_and_a_final_failure_is_visible(fakes, channel, context):
    simulator, settings = fakes
    await receive(channel, settings, "hi", Heard())
    simulator.twilio.faults.append(Fault(429))
    await channel.get_output_channel().send_text_message(USER, "first")
    simulator.twilio.faults.extend([Fault(503)] * 3)
    await channel.get_output_channel().send_text_message(USER, "second")
    with context.engine.connect() as connection:
        rows = outbound(connection, USER)
    assert [(r.text, r.status, r.attempts) for r in rows] == [("first", "sent", 2), ("second", "failed", 3)]


async def test_outside_the_24_hour_window_a_message_waits_until_the_user_writes(fakes, channel, context, clock):
    simulator, settings = fakes
    await receive(channel, settings, "hi", Heard())
    clock.advance(dt.timedelta(hours=25))
    await channel.get_output_channel().send_text_message(USER, "A staff member answered your question.")
    assert simulator.twilio.sent == []
    with context.engine.connect() as connection:
        [held] = outbound(connection, USER)
    assert held.status == "queued" and "24-hour window" in (held.error or "")
    await receive(channel, settings, "hello again", Heard())
    assert [s.text for s in simulator.twilio.sent] == ["A staff member answered your question."]
    with context.engine.connect() as connection:
        [sent] = outbound(connection, USER)
    assert (sent.id, sent.status) == (held.id, "sent")


async def test_with_a_template_the_user_is_asked_to_write_back(fakes, context, clock):
    simulator, settings = fakes
    from dataclasses import replace

    templated = replace(
        settings, twilio_account_sid=settings.twilio.account_sid, twilio_auth_token=settings.twilio.auth_token,
        twilio_whatsapp_from=settings.twilio.whatsapp_from, twilio_api_url=settings.twilio.api_url,
        twilio_template_sid="HX" + "1" * 32,
    )  # fmt: skip
    channel = WhatsAppInput(templated, context)
    await channel.send_text(USER, "Your appointment is tomorrow.")  # never wrote: window closed
    await channel.close()
    assert [s.text for s in simulator.twilio.sent] == ["[template HX" + "1" * 32 + "]"]


async def test_phone_numbers_stay_out_of_the_logs(fakes, channel, caplog):
    simulator, settings = fakes
    caplog.set_level(logging.DEBUG)
    heard = Heard(fail_next=True)
    await receive(channel, settings, "hi", heard)
    await channel.get_output_channel().send_text_message(USER, "hello")
    await asyncio.sleep(0.3)  # the fake's status callback
    assert caplog.records and USER.removeprefix("whatsapp:+") not in caplog.text
