"""Local fakes of the two provider APIs the channels talk to: Telegram's Bot API and Twilio's Messages API.

They speak the providers' wire formats closely enough for the real client libraries
(python-telegram-bot's Bot, twilio's Client) to work against them unchanged, keep every message the
assistant sent, and can be told to fail (429 with a retry hint, 5xx) so retries are tested for real.
Only for local mode and tests: they check the fixed local credentials and listen on loopback.
"""

from __future__ import annotations

import asyncio
import base64
import html
import itertools
import json
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

# Tiny stand-ins for what users send; enough for staff to see that a file is there.
SAMPLE_BYTES = {
    "image/jpeg": bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9"),
    "audio/ogg": b"OggS" + bytes(24),
}

# Fields of Bot API calls that python-telegram-bot sends JSON-encoded; every other field is a plain string.
_TELEGRAM_JSON_FIELDS = {"chat_id", "reply_markup", "commands", "allowed_updates", "message_id", "show_alert"}


@dataclass
class Sent:
    """One message the assistant sent, as a phone would show it."""

    id: int
    chat: str  # Telegram chat id, or the WhatsApp address "whatsapp:+…"
    text: str
    buttons: list[dict[str, str]]
    at: float
    provider_id: str


@dataclass
class Fault:
    status: int
    retry_after: int | None = None


@dataclass
class FakeTelegram:
    token: str
    webhook_url: str | None = None
    secret_token: str | None = None
    commands: list[dict[str, str]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=lambda: defaultdict(list))
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def routes(self) -> list[web.RouteDef]:
        return [
            web.route("*", "/telegram/bot{token}/{method}", self.handle),
            web.get("/telegram/file/bot{token}/{path:.+}", self.download),
        ]

    async def download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        kind = request.match_info["path"].split("/")[0]
        content_type = {"voice": "audio/ogg", "photos": "image/jpeg"}.get(kind, "application/octet-stream")
        return web.Response(body=SAMPLE_BYTES.get(content_type, b"sample"), content_type=content_type)

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        self.calls.append(method)
        if self.faults[method]:
            fault = self.faults[method].pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": fault.status, "description": f"fault {fault.status}"}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return web.json_response(body, status=fault.status)
        params = await _telegram_params(request)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.json_response({"ok": True, "result": handler(params)})

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "VWN assistant (local)",
            "username": "vwn_local_bot", "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }  # fmt: skip

    def _setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = list(params.get("commands") or [])
        return True

    def _setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url, self.secret_token = params.get("url"), params.get("secret_token")
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = None
        return True

    def _getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        folder = {"voice": "voice", "photo": "photos"}.get(file_id.split("-")[0], "documents")
        return {"file_id": file_id, "file_unique_id": file_id[-8:], "file_size": 6, "file_path": f"{folder}/{file_id}"}

    def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self.answered_callbacks.append(str(params.get("callback_query_id")))
        return True

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        message_id = next(self._ids)
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML":
            text = html.unescape(text)  # what the user's phone shows
        keyboard = (params.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = [{"title": b["text"], "payload": b.get("callback_data", "")} for row in keyboard for b in row]
        chat = str(params["chat_id"])
        self.sent.append(Sent(message_id, chat, text, buttons, time.time(), str(message_id)))
        return {
            "message_id": message_id, "date": int(time.time()), "chat": {"id": int(chat), "type": "private"},
            "text": text, **({"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {}),
        }  # fmt: skip


async def _telegram_params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    form = await request.post() if request.can_read_body else {}
    params: dict[str, Any] = {}
    for key, value in form.items():
        text = str(value)
        if key in _TELEGRAM_JSON_FIELDS:
            try:
                params[key] = json.loads(text)
                continue
            except json.JSONDecodeError:
                pass
        params[key] = text
    return params


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    sent: list[Sent] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    callbacks: list[dict[str, str]] = field(default_factory=list)
    deliver_callbacks: bool = True
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/twilio/2010-04-01/Accounts/{sid}/Messages.json", self.create_message)]

    async def create_message(self, request: web.Request) -> web.Response:
        if request.match_info["sid"] != self.account_sid or not self._authorised(request):
            return _twilio_error(401, 20003, "Authenticate")
        if self.faults:
            fault = self.faults.pop(0)
            return _twilio_error(fault.status, 20429 if fault.status == 429 else 20500, f"fault {fault.status}")
        form = {k: str(v) for k, v in (await request.post()).items()}
        if not form.get("To", "").startswith("whatsapp:") or not form.get("From", "").startswith("whatsapp:"):
            return _twilio_error(400, 21211, "Invalid 'To' or 'From' WhatsApp address")
        if not form.get("Body") and not form.get("ContentSid"):
            return _twilio_error(400, 21602, "Message body is required")
        sid = "SM" + uuid.uuid4().hex
        body = form.get("Body") or f"[template {form.get('ContentSid')}]"
        self.sent.append(Sent(next(self._ids), form["To"], body, [], time.time(), sid))
        if form.get("StatusCallback") and self.deliver_callbacks:
            task = asyncio.ensure_future(self._status_callback(form["StatusCallback"], sid, form))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.json_response(
            {
                "sid": sid, "account_sid": self.account_sid, "to": form["To"], "from": form["From"], "body": body,
                "status": "queued", "direction": "outbound-api", "num_segments": "1", "num_media": "0",
                "api_version": "2010-04-01", "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status=201,
        )  # fmt: skip

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == (self.account_sid, self.auth_token)

    async def _status_callback(self, url: str, sid: str, sent: dict[str, str]) -> None:
        """Tell the channel the message was delivered, signed as Twilio signs it."""
        await asyncio.sleep(0.2)
        params = {
            "MessageSid": sid, "MessageStatus": "delivered", "AccountSid": self.account_sid,
            "To": sent["To"], "From": sent["From"],
        }  # fmt: skip
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        try:
            headers = {"X-Twilio-Signature": signature}
            async with aiohttp.ClientSession() as session, session.post(url, data=params, headers=headers) as response:
                self.callbacks.append({**params, "response": str(response.status)})
        except aiohttp.ClientError as error:
            self.callbacks.append({**params, "response": f"error: {error}"})


def _twilio_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
        status=status,
    )


def parse_form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
