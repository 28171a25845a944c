"""The handoff inbox: the web app where VluchtelingenWerk staff answer conversations the bot handed over.

    python -m inbox                           serve it (started by `make run`)
    python -m inbox create-admin EMAIL NAME   the first administrator, in production

Every page needs a login (argon2-hashed passwords, a session cookie, a CSRF token on every form and
fetch); `admin` pages also need the admin role. Every read of a conversation and every action goes
into the audit log. Live updates come as server-sent events (/events).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from bot import inbox
from bot.clock import AMSTERDAM, Clock, SystemClock
from bot.content import ContentStore
from bot.content_check import CANNED_TOPICS
from bot.handoff import resumed_message
from bot.inbox import InboxError
from bot.language import LANGUAGES
from bot.messaging import attachments_of, get_attachment, outbound
from bot.settings import Settings
from bot.storage import shared_engine
from inbox import booking_views
from inbox.attachments import fetch_attachment
from inbox.rasa_api import RasaApi, RasaUnavailable
from inbox.web import CLOCK, ENGINE, RASA, SETTINGS, STORE, TEMPLATES, Handler, audit, me_of, render

logger = logging.getLogger(__name__)
HERE = Path(__file__).parent
COOKIE = "inbox_session"
PUBLIC = ("/login", "/static/", "/health")
LIVE_INTERVAL = 2.0  # seconds between checks for new cases and messages


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    store: ContentStore | None = None,
    clock: Clock | None = None,
    reminders: bool = False,
) -> web.Application:
    app = web.Application(middlewares=[errors, authenticate], client_max_size=256 * 1024)
    app[SETTINGS] = settings
    app[ENGINE] = engine or shared_engine(settings.app_database_url)
    app[CLOCK] = clock or SystemClock()
    app[STORE] = store or ContentStore.load(settings.content_dir, app[CLOCK])
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    templates.filters["when"] = lambda moment: moment.astimezone(AMSTERDAM).strftime("%a %d %b %H:%M")
    templates.globals.update(languages=LANGUAGES)
    app[TEMPLATES] = templates
    app.cleanup_ctx.append(_rasa_client)
    if reminders:
        app.cleanup_ctx.append(booking_views.reminder_loop)
    app.add_routes(
        [
            web.get("/health", health),
            web.get("/login", login_page),
            web.post("/login", login),
            web.post("/logout", logout),
            web.get("/", queue_page),
            web.post("/cases/next", take_next),
            web.get("/cases/{id:\\d+}", case_page),
            web.get("/cases/{id:\\d+}/messages", case_messages),
            web.post("/cases/{id:\\d+}/assign", assign),
            web.post("/cases/{id:\\d+}/notes", add_note),
            web.post("/cases/{id:\\d+}/reply", reply),
            web.post("/cases/{id:\\d+}/resolve", resolve),
            web.get("/attachments/{id:\\d+}", attachment),
            web.get("/events", live_events),
            web.get("/deliveries", deliveries_page),
            web.get("/admin/staff", staff_page),
            web.post("/admin/staff", create_staff),
            web.post("/admin/staff/{id:\\d+}", update_staff),
            web.get("/admin/audit", audit_page),
            *booking_views.routes(),
            web.static("/static", HERE / "static"),
        ]
    )
    return app


async def _rasa_client(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        app[RASA] = RasaApi(app[SETTINGS], session)
        yield


# --- middleware: errors, login, CSRF, roles ------------------------------------------------------------


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except InboxError as error:
        return _problem(request, 400, str(error))
    except RasaUnavailable as error:
        logger.error("Rasa API: %s", error)
        return _problem(request, 502, f"The assistant did not answer: {error}")


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(PUBLIC):
        return await handler(request)
    token = request.cookies.get(COOKIE, "")
    found = None
    if token:
        with request.app[ENGINE].begin() as connection:
            found = inbox.session_staff(connection, token, request.app[CLOCK].now())
    if found is None:
        if (
            request.method == "GET"
            and not request.path.startswith(("/events", "/attachments"))
            and not _wants_json(request)
        ):
            raise web.HTTPSeeOther(f"/login?next={request.path}")
        return _problem(request, 401, "log in first")
    staff, csrf = found
    if request.method == "POST":
        sent = request.headers.get("X-CSRF-Token") or str((await request.post()).get("csrf", ""))
        if not hmac.compare_digest(sent.encode(), csrf.encode()):
            return _problem(request, 403, "the form is out of date (CSRF check failed): reload the page")
    if request.path.startswith("/admin/") and not staff.is_admin:
        audit(request, staff, "refused", request.path, "not an admin")
        return _problem(request, 403, "only administrators may do this")
    request["staff"], request["csrf"] = staff, csrf
    return await handler(request)


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.path.endswith("/messages")


def _problem(request: web.Request, status: int, message: str) -> web.Response:
    if _wants_json(request) or (request.method == "POST" and request.headers.get("X-CSRF-Token")):
        return web.json_response({"error": message}, status=status)
    return web.Response(text=message, status=status)


# --- login ----------------------------------------------------------------------------------------------


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", error=None, next=request.query.get("next", "/"))


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = str(form.get("next", "/"))
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    with request.app[ENGINE].begin() as connection:
        staff = inbox.authenticate(connection, email, password)
        if staff is None:
            inbox.audit(connection, None, "login failed", f"email:{email[:100]}", request.app[CLOCK].now())
        else:
            token, _ = inbox.open_session(connection, staff.id, request.app[CLOCK].now())
            inbox.audit(connection, staff.id, "login", f"staff:{staff.id}", request.app[CLOCK].now())
    if staff is None:
        await asyncio.sleep(0.5)  # slows password guessing a little; argon2 does the rest
        return render(request, "login.html", error="Wrong e-mail address or password.", next=target)
    response = web.HTTPSeeOther(target)
    secure = request.app[SETTINGS].mode == "production"
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax", secure=secure, max_age=12 * 3600)
    raise response


async def logout(request: web.Request) -> web.Response:
    with request.app[ENGINE].begin() as connection:
        inbox.close_session(connection, request.cookies.get(COOKIE, ""))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE)
    raise response


# --- the queue ------------------------------------------------------------------------------------------


async def queue_page(request: web.Request) -> web.Response:
    me = me_of(request)
    status = request.query.get("status", "pending")
    language = request.query.get("language") or None
    channel = request.query.get("channel") or None
    with request.app[ENGINE].begin() as connection:
        cases = inbox.queue(connection, me, status, language, channel)
        counts = inbox.counts(connection)
        people = {s.id: s.name for s in inbox.list_staff(connection)}
    now = request.app[CLOCK].now()
    return render(
        request, "queue.html", cases=cases, counts=counts, status=status, language=language, channel=channel,
        people=people, now=now,
    )  # fmt: skip


async def take_next(request: web.Request) -> web.Response:
    me = me_of(request)
    with request.app[ENGINE].begin() as connection:
        waiting = inbox.queue(connection, me, "pending", limit=1)
        if not waiting:
            raise web.HTTPSeeOther("/?status=pending")
        case = inbox.assign(connection, waiting[0].id, me.id, request.app[CLOCK].now())
        inbox.audit(connection, me.id, "take", f"case:{case.id}", request.app[CLOCK].now())
    raise web.HTTPSeeOther(f"/cases/{case.id}")


# --- one case -------------------------------------------------------------------------------------------


def _case_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def case_page(request: web.Request) -> web.Response:
    me, case_id = me_of(request), _case_id(request)
    with request.app[ENGINE].begin() as connection:
        case = inbox.get_case(connection, case_id)
        notes = inbox.notes(connection, case_id)
        files = attachments_of(connection, case.conversation_id)
        people = inbox.list_staff(connection)
        inbox.audit(connection, me.id, "view", f"case:{case_id}", request.app[CLOCK].now())
    try:
        history = await request.app[RASA].history(case.conversation_id)
        rasa_error = None
    except RasaUnavailable as error:
        history, rasa_error = [], str(error)
    store = request.app[STORE]
    return render(
        request, "case.html", case=case, notes=notes, attachments=files, people=people, history=history,
        statuses=_delivery(request, case.conversation_id), rasa_error=rasa_error,
        canned=_replies(store, case.language, CANNED_TOPICS), answers=_answers(store, case.language),
    )  # fmt: skip


async def case_messages(request: web.Request) -> web.Response:
    """The conversation as JSON, for the live view: history with delivery statuses."""
    with request.app[ENGINE].begin() as connection:
        case = inbox.get_case(connection, _case_id(request))
    history = await request.app[RASA].history(case.conversation_id)
    statuses = _delivery(request, case.conversation_id)
    return web.json_response(
        {
            "status": case.status,
            "messages": [
                {
                    "from": item.sender,
                    "text": item.text,
                    "at": item.at.astimezone(AMSTERDAM).strftime("%H:%M"),
                    "staff": item.metadata.get("staff"),
                    "attachment": item.attachment,
                    "delivery": statuses.get(str(item.metadata.get("reference"))),
                }
                for item in history
            ],
        }  # fmt: skip
    )


def _delivery(request: web.Request, conversation_id: str) -> dict[str, str]:
    """Delivery status of each staff reply, by its reference."""
    with request.app[ENGINE].begin() as connection:
        rows = outbound(connection, conversation_id)
    found: dict[str, str] = {}
    for row in rows:
        if row.reference:
            found[row.reference] = row.status if row.status != "queued" or not row.error else "waiting (24-hour window)"
    return found


def _replies(store: ContentStore, language: str, topics: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """What the reply picker offers: the text to send, in the user's language, beside its meaning."""
    found = []
    for topic in topics:
        resolved = store.resolve(topic, language)
        if resolved is None:
            continue
        english = store.get(topic, "en")
        dutch = store.get(topic, "nl")
        found.append(
            {
                "topic": topic,
                "text": resolved.record.text,
                "language": resolved.record.language,
                "status": resolved.record.status,
                "english": english.text if english else "",
                "dutch": dutch.text if dutch else "",
            }
        )
    return found


def _answers(store: ContentStore, language: str) -> list[dict[str, Any]]:
    topics = sorted(t for t in store.topics() if t.split("_")[0] in ("procedure", "nareis", "service"))
    return _replies(store, language, topics)


async def assign(request: web.Request) -> web.Response:
    me, case_id = me_of(request), _case_id(request)
    form = await request.post()
    target = str(form.get("staff", "me"))
    staff_id = me.id if target == "me" else (None if target == "nobody" else int(target))
    with request.app[ENGINE].begin() as connection:
        inbox.assign(connection, case_id, staff_id, request.app[CLOCK].now())
        inbox.audit(connection, me.id, "assign", f"case:{case_id}", request.app[CLOCK].now(), f"to {target}")
    raise web.HTTPSeeOther(f"/cases/{case_id}")


async def add_note(request: web.Request) -> web.Response:
    me, case_id = me_of(request), _case_id(request)
    form = await request.post()
    with request.app[ENGINE].begin() as connection:
        inbox.add_note(connection, case_id, me.id, str(form.get("text", "")), request.app[CLOCK].now())
        inbox.audit(connection, me.id, "note", f"case:{case_id}", request.app[CLOCK].now())
    raise web.HTTPSeeOther(f"/cases/{case_id}#notes")


async def reply(request: web.Request) -> web.Response:
    """Send a staff reply through the user's channel; the case becomes this staff member's."""
    me, case_id = me_of(request), _case_id(request)
    form = await request.post()
    text, topic = str(form.get("text", "")).strip(), str(form.get("topic", ""))
    with request.app[ENGINE].begin() as connection:
        case = inbox.get_case(connection, case_id)
    if case.status == "resolved":
        raise InboxError("this case is resolved: the assistant answers again")
    if not text:
        raise InboxError("an empty reply")
    if len(text) > 4000:
        raise InboxError("a reply of at most 4,000 characters")
    reference = f"staff_reply:{uuid.uuid4().hex[:12]}"
    metadata = {"reference": reference, "staff": me.name, "language": case.language, "case_id": case.id}
    if topic:
        metadata["content_id"] = f"{topic}.{case.language}"
    await request.app[RASA].send(case.conversation_id, text, metadata)
    with request.app[ENGINE].begin() as connection:
        if case.assigned_to is None:
            inbox.assign(connection, case_id, me.id, request.app[CLOCK].now())
        inbox.touch(connection, case_id, request.app[CLOCK].now())
        inbox.audit(connection, me.id, "reply", f"case:{case_id}", request.app[CLOCK].now(), topic or "typed")
    if request.headers.get("X-CSRF-Token"):
        return web.json_response({"status": "sent", "reference": reference})
    raise web.HTTPSeeOther(f"/cases/{case_id}")


async def resolve(request: web.Request) -> web.Response:
    """Close the case: the bot resumes and tells the user so, in their language."""
    me, case_id = me_of(request), _case_id(request)
    with request.app[ENGINE].begin() as connection:
        case = inbox.get_case(connection, case_id)
    if case.status == "resolved":
        raise InboxError("this case is resolved already")
    message = resumed_message(request.app[STORE], case.language)
    metadata = {"content_id": message.content_id, "language": message.language, "case_id": case.id}
    await request.app[RASA].resume(case.conversation_id, message.text, metadata)
    with request.app[ENGINE].begin() as connection:
        inbox.resolve(connection, case_id, request.app[CLOCK].now())
        inbox.audit(connection, me.id, "resolve", f"case:{case_id}", request.app[CLOCK].now())
    raise web.HTTPSeeOther("/")


async def attachment(request: web.Request) -> web.StreamResponse:
    """A voice note, photo or document the user sent, fetched from the provider with our credentials."""
    me, attachment_id = me_of(request), int(request.match_info["id"])
    with request.app[ENGINE].begin() as connection:
        found = get_attachment(connection, attachment_id)
        if found is None:
            raise web.HTTPNotFound(text="no such attachment")
        inbox.audit(connection, me.id, "view attachment", f"attachment:{attachment_id}", request.app[CLOCK].now())
    body, content_type = await fetch_attachment(request.app[SETTINGS], found)
    return web.Response(body=body, content_type=content_type.split(";")[0])


# --- live updates ---------------------------------------------------------------------------------------


async def live_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: "cases" when any case changed, "messages" when the watched conversation grew."""
    case_id = int(request.query["case"]) if request.query.get("case", "").isdigit() else None
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    since = request.app[CLOCK].now()
    seen_messages = -1
    try:
        while True:
            with request.app[ENGINE].begin() as connection:
                changed = inbox.changed_since(connection, since)
                conversation = inbox.get_case(connection, case_id).conversation_id if case_id else None
            if changed:
                since = request.app[CLOCK].now()
                await response.write(b"event: cases\ndata: {}\n\n")
            if conversation is not None:
                try:
                    count = len(await request.app[RASA].history(conversation))
                except RasaUnavailable:
                    count = seen_messages
                if seen_messages not in (-1, count):
                    await response.write(f"event: messages\ndata: {json.dumps({'count': count})}\n\n".encode())
                seen_messages = count
            await response.write(b": keep-alive\n\n")
            await asyncio.sleep(LIVE_INTERVAL)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


async def deliveries_page(request: web.Request) -> web.Response:
    """Messages that did not reach the user: failed after every retry, or waiting (WhatsApp's 24-hour window)."""
    with request.app[ENGINE].begin() as connection:
        failed = outbound(connection, status="failed")
        waiting = [m for m in outbound(connection, status="queued") if m.error]
        cases = {
            c.conversation_id: c.id
            for status in ("pending", "open")
            for c in inbox.queue(connection, me_of(request), status)
        }
    rows = sorted([*failed, *waiting], key=lambda m: m.updated_at, reverse=True)[:300]
    return render(request, "deliveries.html", rows=rows, cases=cases)


# --- administration ---------------------------------------------------------------------------------


async def staff_page(request: web.Request) -> web.Response:
    with request.app[ENGINE].begin() as connection:
        people = inbox.list_staff(connection)
    return render(request, "staff.html", people=people, error=request.query.get("error"))


async def create_staff(request: web.Request) -> web.Response:
    me = me_of(request)
    form = await request.post()
    try:
        with request.app[ENGINE].begin() as connection:
            created = inbox.create_staff(
                connection, str(form.get("email", "")), str(form.get("name", "")), str(form.get("password", "")),
                str(form.get("role", "agent")), [str(code) for code in form.getall("languages", [])],
                request.app[CLOCK].now(),
            )  # fmt: skip
            inbox.audit(connection, me.id, "create staff", f"staff:{created.id}", request.app[CLOCK].now())
    except InboxError as error:
        raise web.HTTPSeeOther(f"/admin/staff?error={error}") from error
    raise web.HTTPSeeOther("/admin/staff")


async def update_staff(request: web.Request) -> web.Response:
    me, staff_id = me_of(request), int(request.match_info["id"])
    form = await request.post()
    password = str(form.get("password", "")) or None
    try:
        with request.app[ENGINE].begin() as connection:
            inbox.update_staff(
                connection, staff_id, role=str(form.get("role", "")) or None,
                languages=[str(code) for code in form.getall("languages", [])],
                active=form.get("active") == "on", password=password,
            )  # fmt: skip
            inbox.audit(connection, me.id, "update staff", f"staff:{staff_id}", request.app[CLOCK].now())
    except InboxError as error:
        raise web.HTTPSeeOther(f"/admin/staff?error={error}") from error
    raise web.HTTPSeeOther("/admin/staff")


async def audit_page(request: web.Request) -> web.Response:
    with request.app[ENGINE].begin() as connection:
        entries = inbox.audit_entries(connection, target=request.query.get("target") or None)
    return render(request, "audit.html", entries=entries)


def first_admin(settings: Settings, engine: Engine, clock: Clock | None = None) -> tuple[str, str] | None:
    """Local mode: an administrator to log in with, created on the first run and kept in the state folder."""
    import secrets

    path = settings.state_dir / "first-admin.txt"
    with engine.begin() as connection:
        if inbox.list_staff(connection):
            if path.exists():
                email, password = path.read_text().split()
                return email, password
            return None
        email, password = "admin@vwn.local", secrets.token_urlsafe(12)
        inbox.create_staff(
            connection, email, "Administrator", password, "admin", list(LANGUAGES), (clock or SystemClock()).now()
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{email} {password}\n")
    path.chmod(0o600)
    return email, password
