"""What the inbox's pages share: the application's parts, rendering, the logged-in staff member, auditing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import jinja2
from aiohttp import web
from sqlalchemy.engine import Connection, Engine

from bot import inbox
from bot.clock import AMSTERDAM, Clock
from bot.content import ContentStore
from bot.inbox import Staff
from bot.settings import Settings
from inbox.rasa_api import RasaApi

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
ENGINE: web.AppKey[Engine] = web.AppKey("engine")
STORE: web.AppKey[ContentStore] = web.AppKey("store")
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
RASA: web.AppKey[RasaApi] = web.AppKey("rasa")
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates")


def now(request: web.Request) -> dt.datetime:
    return request.app[CLOCK].now()


def now_local(request: web.Request) -> dt.datetime:
    return now(request).astimezone(AMSTERDAM)


def me_of(request: web.Request) -> Staff:
    staff = request["staff"]
    assert isinstance(staff, Staff)
    return staff


def audit(request: web.Request, staff: Staff | None, action: str, target: str, detail: str | None = None) -> None:
    with request.app[ENGINE].begin() as connection:
        inbox.audit(connection, staff.id if staff else None, action, target, request.app[CLOCK].now(), detail)


def audit_in(
    connection: Connection, staff: Staff, action: str, target: str, at: dt.datetime, detail: str | None = None
) -> None:
    inbox.audit(connection, staff.id, action, target, at, detail)


def render(request: web.Request, template: str, **context: Any) -> web.Response:
    page = (
        request.app[TEMPLATES]
        .get_template(template)
        .render(me=request.get("staff"), csrf=request.get("csrf", ""), **context)
    )
    return web.Response(text=page, content_type="text/html")
