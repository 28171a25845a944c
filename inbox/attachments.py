"""Fetching what a user sent (voice note, photo, document) from the provider, so staff can open it.

Telegram keeps files behind the Bot API (getFile, then a download with the bot token); Twilio
keeps WhatsApp media behind HTTP basic auth with the account's credentials. Either way the browser
never sees a token: the inbox fetches and passes the bytes on.
"""

from __future__ import annotations

import aiohttp
from aiohttp import web
from telegram import Bot
from telegram.error import TelegramError

from bot.messaging import Attachment
from bot.settings import Settings

MAX_BYTES = 25 * 1024 * 1024


async def fetch_attachment(settings: Settings, attachment: Attachment) -> tuple[bytes, str]:
    if attachment.kind in ("location", "contact"):
        raise web.HTTPNotFound(text=f"a {attachment.kind} has no file: {attachment.provider_ref}")
    if attachment.channel == "telegram":
        config = settings.telegram
        try:
            async with Bot(config.token, base_url=config.api_url, base_file_url=config.file_url) as bot:
                file = await bot.get_file(attachment.provider_ref)
                data = bytes(await file.download_as_bytearray())
        except TelegramError as error:
            raise web.HTTPBadGateway(text=f"Telegram did not hand over the file: {error}") from error
        return data, attachment.mime_type or "application/octet-stream"
    if attachment.channel == "whatsapp":
        twilio = settings.twilio
        auth = aiohttp.BasicAuth(twilio.account_sid, twilio.auth_token)
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
                session.get(attachment.provider_ref, auth=auth) as response,
            ):
                if response.status != 200:
                    raise web.HTTPBadGateway(text=f"Twilio answered {response.status} for the media")
                data = await response.content.read(MAX_BYTES)
                return data, response.headers.get("Content-Type", attachment.mime_type or "application/octet-stream")
        except aiohttp.ClientError as error:
            raise web.HTTPBadGateway(text=f"Twilio media not reachable: {error}") from error
    raise web.HTTPNotFound(text=f"no file for the {attachment.channel} channel")
