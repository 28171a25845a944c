"""The staff side of the consultation hour: a day's bookings, attendance, cancelling with a message to the
user, iCalendar export, and (administrators) the weekly schedules and closures. Also the reminder loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot import booking
from bot import booking_dialogue as talk
from bot.booking import KINDS, BookingError
from bot.clock import AMSTERDAM
from bot.dates import format_moment
from bot.language import FALLBACK_LANGUAGE, LANGUAGES
from inbox.rasa_api import RasaUnavailable
from inbox.web import CLOCK, ENGINE, RASA, STORE, audit_in, me_of, now, now_local, render

logger = logging.getLogger(__name__)
REMINDER_INTERVAL = 60.0  # seconds between looks for appointments starting within a day
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def routes() -> list[web.RouteDef]:
    return [
        web.get("/booking", day_page),
        web.get("/booking/{day}.ics", day_calendar),
        web.post("/booking/{id:\\d+}/mark", mark),
        web.post("/booking/{id:\\d+}/cancel", cancel),
        web.get("/admin/availability", availability_page),
        web.post("/admin/availability/schedules", add_schedule),
        web.post("/admin/availability/schedules/{id:\\d+}/remove", remove_schedule),
        web.post("/admin/availability/closures", add_closure),
    ]


def _day(request: web.Request, value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else now_local(request).date()
    except ValueError as error:
        raise web.HTTPBadRequest(text=f"{value!r} is not a date like 2026-12-08") from error


async def day_page(request: web.Request) -> web.Response:
    day = _day(request, request.query.get("day"))
    with request.app[ENGINE].begin() as connection:
        entries = booking.day(connection, day)
        places = {p.id: p.name for p in booking.list_locations(connection)}
    return render(
        request, "booking_day.html", day=day, entries=entries, places=places,
        previous=day - dt.timedelta(days=1), following=day + dt.timedelta(days=1), weekdays=WEEKDAYS,
    )  # fmt: skip


async def day_calendar(request: web.Request) -> web.Response:
    day = _day(request, request.match_info["day"])
    with request.app[ENGINE].begin() as connection:
        entries = booking.day(connection, day)
        places = {p.id: p.name for p in booking.list_locations(connection)}
    return web.Response(
        text=booking.icalendar(entries, places),
        content_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="consultation-hour-{day}.ics"'},
    )


async def mark(request: web.Request) -> web.Response:
    me, booking_id = me_of(request), int(request.match_info["id"])
    form = await request.post()
    status = str(form.get("status", ""))
    with request.app[ENGINE].begin() as connection:
        done = booking.mark(connection, booking_id, status, now(request))
        audit_in(connection, me, f"booking {status}", f"booking:{booking_id}", now(request))
    raise web.HTTPSeeOther(f"/booking?day={done.starts_at.astimezone(AMSTERDAM).date()}")


async def cancel(request: web.Request) -> web.Response:
    """Cancel for the user, and tell them in their language, with the staff member's own words if any."""
    me, booking_id = me_of(request), int(request.match_info["id"])
    note = str((await request.post()).get("message", "")).strip()[:1000]
    with request.app[ENGINE].begin() as connection:
        done = booking.cancel(connection, booking_id, now(request))
        audit_in(connection, me, "booking cancelled", f"booking:{booking_id}", now(request), note or None)
    rasa = request.app[RASA]
    language = await _chat_language(rasa, done.conversation_id)
    said = talk.message(
        request.app[STORE], "booking.cancelled_by_staff", language, reference=done.reference,
        when=format_moment(done.starts_at, language),
    )  # fmt: skip
    metadata = {"reference": f"booking_cancelled:{done.id}", "content_id": said.content_id, "staff": me.name}
    await rasa.send(done.conversation_id, f"{said.text}\n\n{note}" if note else said.text, metadata)
    raise web.HTTPSeeOther(f"/booking?day={done.starts_at.astimezone(AMSTERDAM).date()}")


async def _chat_language(rasa: Any, conversation_id: str) -> str:
    """The language the user chats in (the tracker's slot), which may differ from the one they speak."""
    try:
        language = await rasa.slot(conversation_id, "language")
    except RasaUnavailable:
        language = None
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


# --- availability (administrators: the middleware guards /admin/) -----------------------------------


async def availability_page(request: web.Request) -> web.Response:
    with request.app[ENGINE].begin() as connection:
        schedules = booking.list_schedules(connection)
        closures = booking.list_closures(connection)
        places = booking.list_locations(connection)
    names = {p.id: p.name for p in places}
    return render(
        request, "availability.html", schedules=schedules, closures=closures, places=places, names=names,
        weekdays=WEEKDAYS, kinds=KINDS, error=request.query.get("error"),
    )  # fmt: skip


def _optional_date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


async def add_schedule(request: web.Request) -> web.Response:
    me = me_of(request)
    form = await request.post()
    try:
        place = str(form.get("location", ""))
        with request.app[ENGINE].begin() as connection:
            created = booking.add_schedule(
                connection, str(form.get("team", "")), int(place) if place else None, int(str(form.get("weekday", 0))),
                str(form.get("start", "")), str(form.get("end", "")), int(str(form.get("slot_minutes", 30))),
                int(str(form.get("capacity", 1))), [str(k) for k in form.getall("kinds", [])],
                [str(c) for c in form.getall("interpreter_languages", [])],
                _optional_date(str(form.get("valid_from", ""))), _optional_date(str(form.get("valid_until", ""))),
            )  # fmt: skip
            audit_in(connection, me, "add schedule", f"schedule:{created}", now(request))
    except (BookingError, ValueError) as error:
        raise web.HTTPSeeOther(f"/admin/availability?error={error}") from error
    raise web.HTTPSeeOther("/admin/availability")


async def remove_schedule(request: web.Request) -> web.Response:
    me, schedule_id = me_of(request), int(request.match_info["id"])
    with request.app[ENGINE].begin() as connection:
        booking.remove_schedule(connection, schedule_id, now(request))
        audit_in(connection, me, "remove schedule", f"schedule:{schedule_id}", now(request))
    raise web.HTTPSeeOther("/admin/availability")


async def add_closure(request: web.Request) -> web.Response:
    me = me_of(request)
    form = await request.post()
    try:
        place = str(form.get("location", ""))
        with request.app[ENGINE].begin() as connection:
            created = booking.add_closure(
                connection, int(place) if place else None, dt.date.fromisoformat(str(form.get("first_day", ""))),
                dt.date.fromisoformat(str(form.get("last_day", ""))), str(form.get("reason", "")).strip() or "closed",
            )  # fmt: skip
            audit_in(connection, me, "add closure", f"closure:{created}", now(request))
    except (BookingError, ValueError) as error:
        raise web.HTTPSeeOther(f"/admin/availability?error={error}") from error
    raise web.HTTPSeeOther("/admin/availability")


# --- reminders ----------------------------------------------------------------------------------------


async def send_reminders(app: web.Application) -> int:
    """Remind everyone whose appointment starts within a day, once, in the language they chat in."""
    now = app[CLOCK].now()
    with app[ENGINE].begin() as connection:
        due = booking.due_reminders(connection, now)
        places = {entry.id: booking.meeting_place_name(connection, entry.location_id) for entry in due}
    sent = 0
    for entry in due:
        language = await _chat_language(app[RASA], entry.conversation_id)
        kind = talk.kind_text(app[STORE], entry.kind, language, places[entry.id])
        said = talk.message(
            app[STORE], "booking.reminder", language, reference=entry.reference,
            when=format_moment(entry.starts_at, language), kind=kind,
        )  # fmt: skip
        try:
            await app[RASA].send(
                entry.conversation_id, said.text, {"reference": f"reminder:{entry.id}", "content_id": said.content_id}
            )
        except RasaUnavailable as error:
            logger.warning("reminder for booking %d not sent yet: %s", entry.id, error)
            continue
        with app[ENGINE].begin() as connection:
            booking.reminded(connection, entry.id, now)
        sent += 1
    return sent


async def reminder_loop(app: web.Application) -> AsyncIterator[None]:
    async def loop() -> None:
        while True:
            try:
                await send_reminders(app)
            except Exception:  # the loop must outlive one bad round; the next round tries again
                logger.exception("reminder round failed")
            await asyncio.sleep(REMINDER_INTERVAL)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
