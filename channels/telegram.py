"""Telegram channel: python-telegram-bot's Update.de_json in, its Bot out.

Webhook: POST /webhooks/telegram/webhook. Telegram sends the secret token we gave it with setWebhook
in the X-Telegram-Bot-Api-Secret-Token header; anything without it is refused. The conversation id
is "telegram:<chat id>".

What arrives, and what Rasa gets:
- text → the text (a leading "/" typed by the user is dropped: only our buttons send payloads);
- /start [location], /language, /menu, /human, /help → the matching intent payload;
- a button tap (callback query) → its payload; the query is answered so the spinner stops;
- an edited message → its new text, answered like a new message;
- voice notes, photos, documents, stickers, locations, … → kept in `attachments` for staff, and
  "/nlu_fallback" with the attachment in the metadata, so the assistant says what it can do with it
  in the user's language (the caption, if any, is answered as text).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.delivery import Failed, Retry
from bot.language import LANGUAGES
from bot.messaging import chosen_option, first_delivery, remember_options, save_attachment
from bot.settings import Settings
from channels.base import MAX_BODY, MAX_TEXT, ChannelContext, hand_over, split_text

logger = logging.getLogger(__name__)
# httpx logs each request URL at INFO, and a Bot API URL contains the bot token.
logging.getLogger("httpx").setLevel(logging.WARNING)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_MESSAGE = 4096  # Telegram's limit for one text message
MAX_CALLBACK_DATA = 64  # bytes
COMMANDS = {
    "start": "/greet",
    "language": "/choose_language",
    "menu": "/menu_help",
    "help": "/menu_help",
    "human": "/human_handoff",
}
# Shown in Telegram's command menu; English because the menu is set once for everyone.
COMMAND_LIST = [
    BotCommand("start", "Start / Begin"),
    BotCommand("language", "Change language"),
    BotCommand("menu", "Topics"),
    BotCommand("human", "Talk to a person"),
]
UPDATES = ["message", "edited_message", "callback_query"]


def conversation_id(chat_id: int | str) -> str:
    return f"{CHANNEL}:{chat_id}"


def chat_of(conversation: str) -> str:
    return conversation.partition(":")[2]


class TelegramOutput(OutputChannel):
    def __init__(self, bot: Bot, context: ChannelContext) -> None:
        self.bot = bot
        self.context = context

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send(recipient_id, text, None, kwargs.get("reference"))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        options = [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons]
        with self.context.engine.begin() as connection:
            remember_options(connection, recipient_id, options, self.context.clock.now())
        rows = [
            # One button a row: titles in Ge'ez or Arabic script are long, and a row of two cuts them.
            [InlineKeyboardButton(option["title"], callback_data=_callback_data(option["payload"], index))]
            for index, option in enumerate(options)
        ]
        await self._send(recipient_id, text, InlineKeyboardMarkup(rows), kwargs.get("reference"))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, image, None)

    async def _send(
        self, recipient_id: str, text: str, markup: InlineKeyboardMarkup | None, reference: str | None = None
    ) -> None:
        parts = split_text(text, MAX_MESSAGE)
        for number, part in enumerate(parts, 1):
            # Buttons go with the last part, where the user's eye is.
            keyboard = markup if number == len(parts) else None
            await self.context.send(
                recipient_id, CHANNEL, part, partial(self._call, recipient_id, part, keyboard), reference=reference
            )

    async def _call(self, recipient_id: str, text: str, markup: InlineKeyboardMarkup | None) -> str:
        try:
            # HTML with every character escaped: the answers are plain text, and unescaped "<" or "&"
            # in a user-facing answer would make Telegram refuse the whole message.
            message = await self.bot.send_message(
                chat_id=chat_of(recipient_id), text=html.escape(text, quote=False), parse_mode="HTML",
                reply_markup=markup,
            )  # fmt: skip
        except RetryAfter as error:
            retry_after = error.retry_after
            seconds = retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else float(retry_after)
            raise Retry("Telegram rate limit (429)", after=seconds) from error
        except (BadRequest, Forbidden, InvalidToken) as error:
            raise Failed(f"Telegram refused the message: {error}") from error
        except NetworkError as error:  # 5xx, time-outs, connection errors
            raise Retry(f"Telegram unreachable or failing: {error}") from error
        return str(message.message_id)


def _callback_data(payload: str, index: int) -> str:
    # Telegram carries at most 64 bytes of callback data; a longer payload goes by its option number.
    return payload if len(payload.encode()) <= MAX_CALLBACK_DATA else f"#{index + 1}"


class TelegramInput(InputChannel):
    """Registered in credentials.yml as `channels.telegram.TelegramInput`."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        return cls(Settings.from_env())

    def __init__(self, settings: Settings, context: ChannelContext | None = None, bot: Bot | None = None) -> None:
        self.settings = settings
        self.config = settings.telegram
        self.context = context or ChannelContext.from_settings(settings)
        self.bot = bot or Bot(self.config.token, base_url=self.config.api_url)
        self._ready = asyncio.Lock()
        self._initialised = False
        self._background: set[asyncio.Future[None]] = set()

    def get_output_channel(self) -> OutputChannel | None:
        return TelegramOutput(self.bot, self.context)

    async def start(self) -> None:
        """Initialise the bot, set its command list and register the webhook with the secret token."""
        async with self._ready:
            if self._initialised:
                return
            await self.bot.initialize()
            await self.bot.set_my_commands(COMMAND_LIST)
            await self.bot.set_webhook(
                f"{self.settings.public_url}/webhooks/telegram/webhook",
                secret_token=self.config.secret,
                allowed_updates=UPDATES,
            )
            self._initialised = True
            mode = "local (phone simulator)" if self.config.local else "Telegram"
            logger.info(
                "Telegram channel ready: %s, webhook %s/webhooks/telegram/webhook", mode, self.settings.public_url
            )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram = Blueprint("telegram_webhook", __name__)

        @telegram.listener("after_server_start")
        async def start_bot(app: Any, loop: Any) -> None:
            try:
                await self.start()
            except TelegramError as error:
                # The server keeps serving REST and WhatsApp; Telegram is retried on its first message.
                logger.error("Telegram channel could not start (%s); retrying on the first update", error)

        @telegram.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "local": self.config.local})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        return telegram

    async def handle(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), self.config.secret.encode()):
            logger.warning("Telegram webhook refused: missing or wrong secret token")
            return response.json({"error": "forbidden"}, status=403)
        if len(request.body or b"") > MAX_BODY:
            return response.json({"error": "request too large"}, status=413)
        try:
            data = json.loads((request.body or b"").decode("utf-8"))
            if not isinstance(data, dict) or "update_id" not in data:
                raise ValueError("a Telegram update is a JSON object with an update_id")
            update = Update.de_json(data, self.bot)
        except (UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError, ValueError, AttributeError) as error:
            return response.json({"error": f"not a Telegram update: {error.__class__.__name__}"}, status=400)
        if update is None or update.effective_chat is None:
            return response.json({"status": "ignored"})  # e.g. a poll or a channel post: nothing to answer
        if not self._initialised:
            try:
                await self.start()
            except TelegramError as error:
                logger.error("Telegram channel still not started: %s", error)
        conversation = conversation_id(update.effective_chat.id)
        with self.context.engine.begin() as connection:
            first = first_delivery(connection, CHANNEL, str(update.update_id), conversation, self.context.clock.now())
        if not first:
            return response.json({"status": "duplicate"})
        messages = partial(self.user_messages, update, conversation)
        if not await hand_over(
            on_new_message, messages, self.get_output_channel(), conversation, CHANNEL, self.context.engine,
            str(update.update_id),
        ):  # fmt: skip
            return response.json({"error": "processing failed; retry"}, status=500)
        return response.json({"status": "ok"})

    def user_messages(self, update: Update, conversation: str) -> list[tuple[str, dict[str, Any]]]:
        """What Rasa should hear for one update: (text, metadata) pairs, usually one."""
        user = update.effective_user
        metadata: dict[str, Any] = {"channel": CHANNEL}
        if user and user.language_code and user.language_code.split("-")[0] in LANGUAGES:
            metadata["client_language"] = user.language_code.split("-")[0]
        if update.callback_query is not None:
            query = update.callback_query
            # Answered at once and in the background: the spinner on the user's button stops while
            # the assistant is still thinking.
            task = asyncio.ensure_future(self._answer_callback(query.id))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            payload = query.data or ""
            if payload.startswith("#"):
                with self.context.engine.begin() as connection:
                    payload = chosen_option(connection, conversation, payload[1:]) or ""
            return [(payload, {**metadata, "button": True})] if payload.startswith("/") else []
        message: Message | None = update.message or update.edited_message
        if message is None:
            return []
        if update.edited_message is not None:
            metadata["edited"] = True
        text = (message.text or "")[:MAX_TEXT]
        if text.startswith("/"):
            command, _, argument = text[1:].partition(" ")
            command = command.split("@")[0].lower()
            if command in COMMANDS:
                if command == "start" and argument.strip():
                    metadata["start_parameter"] = argument.strip()[:64]
                return [(COMMANDS[command], metadata)]
            text = text.lstrip("/")
        attachment = self._attachment(message, conversation)
        if attachment is not None:
            metadata["attachment"] = attachment
            caption = (message.caption or "")[:MAX_TEXT].lstrip("/")
            return [(caption or "/nlu_fallback", metadata)]
        if not text.strip():
            return []
        return [(text, metadata)]

    def _attachment(self, message: Message, conversation: str) -> dict[str, Any] | None:
        found: tuple[str, str, str | None] | None = None
        if message.voice:
            found = ("voice", message.voice.file_id, message.voice.mime_type)
        elif message.audio:
            found = ("voice", message.audio.file_id, message.audio.mime_type)
        elif message.video_note:
            found = ("voice", message.video_note.file_id, "video/mp4")
        elif message.photo:
            found = ("photo", message.photo[-1].file_id, "image/jpeg")
        elif message.document:
            found = ("document", message.document.file_id, message.document.mime_type)
        elif message.video:
            found = ("video", message.video.file_id, message.video.mime_type)
        elif message.sticker:
            found = ("sticker", message.sticker.file_id, None)
        elif message.location:
            found = ("location", f"{message.location.latitude},{message.location.longitude}", None)
        elif message.contact:
            found = ("contact", message.contact.phone_number or "", None)
        if found is None:
            return None
        kind, reference, mime = found
        with self.context.engine.begin() as connection:
            attachment_id = save_attachment(
                connection, conversation, CHANNEL, kind, reference, self.context.clock.now(), mime, message.caption
            )
        return {"id": attachment_id, "kind": kind}

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:
            logger.warning("could not answer a callback query: %s", error)
