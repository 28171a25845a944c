"""WhatsApp channel through Twilio: RequestValidator on the way in, the REST Client on the way out.

Webhooks (form-encoded, signed by Twilio with X-Twilio-Signature over the public URL):
- POST /webhooks/whatsapp/webhook  incoming messages (From=whatsapp:+…)
- POST /webhooks/whatsapp/status   delivery-status callbacks for what we sent
Unsigned or forged requests get 403. The conversation id is the From address ("whatsapp:+31…").

WhatsApp has no buttons for free-form messages: options are numbered, and the user answers with the
digit (any script) or the option's words. Media (voice notes, photos, PDFs of IND letters) is kept in
`attachments` for staff.

The 24-hour window: free text may only go out within 24 hours of the user's last message. Outside
it, a message is queued (status "queued", visible to staff) and, when a template is configured,
the user gets that pre-approved template asking them to write back; every queued message goes out
as soon as they do.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List
from urllib.parse import parse_qsl

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.delivery import Failed, Retry
from bot.messaging import (
    chosen_option,
    first_delivery,
    outbound,
    record_outbound,
    remember_options,
    save_attachment,
    touch_contact,
    update_outbound,
    update_outbound_by_provider_id,
    window_open,
)
from bot.settings import Settings
from channels.base import MAX_BODY, MAX_TEXT, ChannelContext, hand_over, log_id, split_text

logger = logging.getLogger(__name__)
# Twilio's HTTP clients log every request at INFO; their details (phone numbers) stay out of our logs.
logging.getLogger("twilio").setLevel(logging.WARNING)

CHANNEL = "whatsapp"
MAX_MESSAGE = 1600  # characters in one WhatsApp message sent through Twilio
TWILIO_STATUSES = {
    "queued": "sent", "accepted": "sent", "sending": "sent", "sent": "sent",
    "delivered": "delivered", "read": "read", "failed": "failed", "undelivered": "failed",
}  # fmt: skip
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def media_kind(content_type: str) -> str:
    major = content_type.split("/")[0]
    if major == "audio":
        return "voice"
    if major == "image":
        return "photo"
    if major == "video":
        return "video"
    return "document"


class WhatsAppOutput(OutputChannel):
    def __init__(self, channel: WhatsAppInput) -> None:
        self.channel = channel
        self.context = channel.context

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.channel.send_text(recipient_id, text, reference=kwargs.get("reference"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        options = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons]
        with self.context.engine.begin() as connection:
            remember_options(connection, recipient_id, options, self.context.clock.now())
        numbered = "\n".join(f"{number}. {option['title']}" for number, option in enumerate(options, 1))
        hint = self.context.ui_text("ui.reply_with_number", kwargs.get("language"))
        message = f"{text}\n\n{numbered}\n{hint}".rstrip()
        await self.channel.send_text(recipient_id, message, reference=kwargs.get("reference"))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.channel.send_text(recipient_id, image)


class WhatsAppInput(InputChannel):
    """Registered in credentials.yml as `channels.whatsapp.WhatsAppInput`."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return cls(Settings.from_env())

    def __init__(self, settings: Settings, context: ChannelContext | None = None) -> None:
        self.settings = settings
        self.config = settings.twilio
        self.context = context or ChannelContext.from_settings(settings)
        self.validator = RequestValidator(self.config.auth_token)
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        # Created on first use, inside the running event loop (its aiohttp session needs one).
        if self._client is None:
            client = Client(self.config.account_sid, self.config.auth_token, http_client=AsyncTwilioHttpClient())
            if self.config.api_url:
                client.api.base_url = self.config.api_url
            self._client = client
        return self._client

    def get_output_channel(self) -> OutputChannel | None:
        return WhatsAppOutput(self)

    async def close(self) -> None:
        if self._client is not None:
            http_client = self._client.http_client
            assert isinstance(http_client, AsyncTwilioHttpClient)
            await http_client.close()
            self._client = None

    @property
    def status_callback(self) -> str:
        return f"{self.settings.public_url}/webhooks/whatsapp/status"

    # --- sending ---------------------------------------------------------------------------------

    async def send_text(
        self, recipient_id: str, text: str, held_id: int | None = None, reference: str | None = None
    ) -> None:
        now = self.context.clock.now()
        with self.context.engine.begin() as connection:
            is_open = window_open(connection, recipient_id, now)
        if not is_open:
            if held_id is None:
                await self._hold(recipient_id, text, reference)
            return
        for number, part in enumerate(split_text(text, MAX_MESSAGE)):
            await self.context.send(
                recipient_id, CHANNEL, part, partial(self._create, recipient_id, body=part),
                outbound_id=held_id if number == 0 else None, reference=reference,
            )  # fmt: skip

    async def _hold(self, recipient_id: str, text: str, reference: str | None = None) -> None:
        """Outside the 24-hour window: keep the message, and ask the user to write back if we may."""
        with self.context.engine.begin() as connection:
            held = record_outbound(
                connection, recipient_id, CHANNEL, text, "queued", self.context.clock.now(), reference
            )
            update_outbound(
                connection, held, self.context.clock.now(),
                error="WhatsApp 24-hour window closed: sent when the user writes again",
            )  # fmt: skip
        logger.info("%s: 24-hour window closed; message %d queued", log_id(recipient_id), held)
        if self.config.template_sid:
            template = self.config.template_sid
            await self.context.send(
                recipient_id, CHANNEL, f"[template {template}]",
                partial(self._create, recipient_id, content_sid=template, content_variables=json.dumps({})),
            )  # fmt: skip

    async def flush_queued(self, recipient_id: str) -> None:
        """The user wrote: the window is open again, so everything held for them goes out now."""
        with self.context.engine.begin() as connection:
            held = [m for m in outbound(connection, recipient_id, status="queued") if m.provider_id is None]
        for message in held:
            await self.send_text(recipient_id, message.text, held_id=message.id, reference=message.reference)

    async def _create(self, recipient_id: str, **fields: str) -> str:
        try:
            message = await self.client.messages.create_async(
                to=recipient_id, from_=self.config.whatsapp_from, status_callback=self.status_callback, **fields
            )
        except TwilioRestException as error:
            if error.status == 429 or error.status >= 500:
                raise Retry(f"Twilio answered {error.status}") from error
            raise Failed(f"Twilio refused the message ({error.status}, code {error.code})") from error
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Retry(f"Twilio unreachable: {error.__class__.__name__}") from error
        return str(message.sid)

    # --- receiving -------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        whatsapp = Blueprint("whatsapp_webhook", __name__)

        @whatsapp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "local": self.config.local})

        @whatsapp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self._receive_request(request, on_new_message)

        @whatsapp.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            return await self._status_request(request)

        return whatsapp

    async def _receive_request(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        form = self._signed_form(request)
        if isinstance(form, HTTPResponse):
            return form
        return await self.receive(form, on_new_message)

    async def _status_request(self, request: Request) -> HTTPResponse:
        form = self._signed_form(request)
        if isinstance(form, HTTPResponse):
            return form
        sid, state = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if not sid or state not in TWILIO_STATUSES:
            return response.json({"error": "MessageSid and a known MessageStatus are needed"}, status=400)
        error = f"Twilio error {form['ErrorCode']}" if form.get("ErrorCode") else None
        with self.context.engine.begin() as connection:
            now = self.context.clock.now()
            known = update_outbound_by_provider_id(connection, sid, TWILIO_STATUSES[state], now, error)
        return response.json({"status": "recorded" if known else "unknown message"})

    def _signed_form(self, request: Request) -> dict[str, str] | HTTPResponse:
        body = request.body or b""
        if len(body) > MAX_BODY:
            return response.json({"error": "request too large"}, status=413)
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except UnicodeDecodeError:
            return response.json({"error": "the form is not valid UTF-8"}, status=400)
        url = f"{self.settings.public_url}{request.path}"
        if request.query_string:
            url += f"?{request.query_string}"
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.validator.validate(url, form, signature):
            logger.warning("WhatsApp webhook refused: missing or invalid X-Twilio-Signature")
            return response.json({"error": "forbidden"}, status=403)
        return form

    async def receive(
        self, form: dict[str, str], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        sender, sid = form.get("From", ""), form.get("MessageSid", "")
        if not sender.startswith("whatsapp:") or not sid:
            return response.json({"error": "From (whatsapp:+…) and MessageSid are needed"}, status=400)
        now = self.context.clock.now()
        with self.context.engine.begin() as connection:
            if not first_delivery(connection, CHANNEL, sid, sender, now):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            touch_contact(connection, sender, CHANNEL, now)
        await self.flush_queued(sender)
        messages = partial(self.user_messages, form, sender)
        if not await hand_over(
            on_new_message, messages, self.get_output_channel(), sender, CHANNEL, self.context.engine, sid
        ):
            return response.json({"error": "processing failed; retry"}, status=500)
        # Replies go out through the REST API (with retries and status callbacks), not as TwiML.
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def user_messages(self, form: dict[str, str], sender: str) -> list[tuple[str, dict[str, Any]]]:
        metadata: dict[str, Any] = {"channel": CHANNEL}
        body = form.get("Body", "")[:MAX_TEXT]
        attachments = self._attachments(form, sender)
        if attachments:
            metadata["attachment"] = attachments[0]
            if len(attachments) > 1:
                metadata["attachments"] = attachments
            caption = body.strip().lstrip("/")
            return [(caption or "/nlu_fallback", metadata)]
        button = form.get("ButtonPayload", "")
        if button.startswith("/"):
            return [(button, {**metadata, "button": True})]
        with self.context.engine.begin() as connection:
            payload = chosen_option(connection, sender, body)
        if payload:
            return [(payload, {**metadata, "button": True})]
        text = body.strip().lstrip("/")
        return [(text, metadata)] if text else []

    def _attachments(self, form: dict[str, str], sender: str) -> list[dict[str, Any]]:
        found: list[tuple[str, str, str | None]] = []
        try:
            count = min(int(form.get("NumMedia", "0") or 0), 10)
        except ValueError:
            count = 0
        for index in range(count):
            url, mime = form.get(f"MediaUrl{index}"), form.get(f"MediaContentType{index}", "")
            if url:
                found.append((media_kind(mime), url, mime or None))
        if form.get("Latitude") and form.get("Longitude"):
            found.append(("location", f"{form['Latitude']},{form['Longitude']}", None))
        saved = []
        with self.context.engine.begin() as connection:
            for kind, reference, content_type in found:
                attachment_id = save_attachment(
                    connection,
                    sender,
                    CHANNEL,
                    kind,
                    reference,
                    self.context.clock.now(),
                    content_type,
                    form.get("Body"),
                )
                saved.append({"id": attachment_id, "kind": kind})
        return saved
