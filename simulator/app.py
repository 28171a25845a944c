"""The phone simulator: a page that looks like a phone chat, and the local fakes of the provider APIs.

    python -m simulator          (started by `make run` in local mode)

The page sends real provider payloads to the real webhooks of the Rasa server: Telegram updates
with the secret token the bot registered through setWebhook, and Twilio forms signed with
RequestValidator. What the channels send back arrives at the fakes (simulator/fakes.py) and the
page shows it, buttons included.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.settings import Settings, SettingsError
from simulator import payloads
from simulator.fakes import SAMPLE_BYTES, FakeTelegram, FakeTwilio, Fault, Sent

STATIC = Path(__file__).parent / "static"
logger = logging.getLogger(__name__)

# A tiny valid PDF and OGG header are enough for the assistant: it keeps the link for staff.
SAMPLE_MEDIA = {"photo": ("sample.jpg", "image/jpeg"), "voice": ("sample.ogg", "audio/ogg")}


class Simulator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.telegram = FakeTelegram(settings.telegram.token)
        self.twilio = FakeTwilio(settings.twilio.account_sid, settings.twilio.auth_token)

    def app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.add_routes(self.telegram.routes())
        app.add_routes(self.twilio.routes())
        app.add_routes(
            [
                web.get("/", self.page),
                web.get("/health", self.health),
                web.post("/sim/send", self.send),
                web.get("/sim/messages", self.messages),
                web.get("/sim/media/{name}", self.media),
                web.post("/_control/faults", self.faults),
                web.post("/_control/reset", self.reset),
            ]
        )
        return app

    async def page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "telegram_webhook": self.telegram.webhook_url})

    async def media(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        content_type = next((t for n, t in SAMPLE_MEDIA.values() if n == name), None)
        if content_type is None:
            raise web.HTTPNotFound()
        return web.Response(body=SAMPLE_BYTES.get(content_type, b"sample"), content_type=content_type)

    async def send(self, request: web.Request) -> web.Response:
        """What the user does on the phone: type, tap a button, or send a voice note or a photo."""
        try:
            data = await request.json()
            channel, user = str(data["channel"]), str(data["user"])
        except (ValueError, KeyError):
            return web.json_response({"error": "channel and user are needed"}, status=400)
        if channel == "telegram":
            return await self._telegram(user, data)
        if channel == "whatsapp":
            return await self._whatsapp(user, data)
        return web.json_response({"error": f"unknown channel {channel!r}"}, status=400)

    async def _telegram(self, user: str, data: dict[str, Any]) -> web.Response:
        if not self.telegram.webhook_url or not self.telegram.secret_token:
            return web.json_response({"error": "the assistant has not registered its Telegram webhook yet"}, status=503)
        chat_id = int(user)
        language = data.get("language_code")
        if data.get("payload"):
            update = payloads.telegram_callback(chat_id, str(data["payload"]), language)
        elif data.get("attachment"):
            update = payloads.telegram_attachment(chat_id, str(data["attachment"]), data.get("text") or None)
        else:
            update = payloads.telegram_text(chat_id, str(data.get("text", "")), language)
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.telegram.secret_token}
        return await self._post(self.telegram.webhook_url, json=update, headers=headers)

    async def _whatsapp(self, user: str, data: dict[str, Any]) -> web.Response:
        twilio = self.settings.twilio
        media = []
        if data.get("attachment") in SAMPLE_MEDIA:
            name, content_type = SAMPLE_MEDIA[str(data["attachment"])]
            media.append((f"{self.settings.simulator_url}/sim/media/{name}", content_type))
        form = payloads.twilio_message(user, str(data.get("text", "")), twilio.account_sid, twilio.whatsapp_from, media)
        url = f"{self.settings.public_url}/webhooks/whatsapp/webhook"
        headers = {"X-Twilio-Signature": payloads.twilio_signature(twilio.auth_token, url, form)}
        return await self._post(url, data=form, headers=headers)

    async def _post(self, url: str, **kwargs: Any) -> web.Response:
        try:
            timeout = aiohttp.ClientTimeout(total=60)
            async with aiohttp.ClientSession(timeout=timeout) as session, session.post(url, **kwargs) as response:
                return web.json_response({"webhook_status": response.status})
        except aiohttp.ClientError as error:
            return web.json_response({"error": f"the assistant is not reachable: {error}"}, status=502)

    async def messages(self, request: web.Request) -> web.Response:
        """Everything the assistant sent to one phone, after message number `after`."""
        channel, user = request.query.get("channel", ""), request.query.get("user", "")
        after = int(request.query.get("after", "0") or 0)
        sent: list[Sent] = self.telegram.sent if channel == "telegram" else self.twilio.sent
        return web.json_response(
            [
                {"id": s.id, "text": s.text, "buttons": s.buttons, "at": s.at}
                for s in sent
                if s.chat == user and s.id > after
            ]
        )

    async def faults(self, request: web.Request) -> web.Response:
        """For tests: the next calls of a fake fail, e.g. {"api": "telegram", "status": 429, "retry_after": 1}."""
        data = await request.json()
        fault = Fault(int(data["status"]), data.get("retry_after"))
        for _ in range(int(data.get("times", 1))):
            if data["api"] == "telegram":
                self.telegram.faults[str(data.get("method", "sendMessage"))].append(fault)
            else:
                self.twilio.faults.append(fault)
        return web.json_response({"status": "ok"})

    async def reset(self, request: web.Request) -> web.Response:
        self.telegram.sent.clear()
        self.twilio.sent.clear()
        return web.json_response({"status": "ok"})


async def serve(settings: Settings, port: int | None = None) -> web.AppRunner:
    runner = web.AppRunner(Simulator(settings).app(), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, port or settings.simulator_port).start()
    return runner


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not (settings.telegram.local and settings.twilio.local):
        print("note: a channel has real credentials; the simulator only talks to channels in local mode")
    web.run_app(Simulator(settings).app(), host=settings.host, port=settings.simulator_port, access_log=None)
    return 0


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    sys.exit(main())
