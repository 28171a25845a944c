"""The digital consultation hour: who may book, which slots are free, and booking without double-booking.

Staff define weekly schedules per team (the digital team for video and phone calls, or a VWN location
for meetings in person), with a slot length, a capacity per slot and the languages an interpreter can be
arranged for; closures (the year-end closure, a holiday) remove days. Slots are materialised for the
coming weeks, so that taking a seat is one conditional UPDATE: two users taking the last seat at once
cannot both win, on SQLite or PostgreSQL.

Every function takes the connection; times go in and out as aware datetimes (stored in UTC), and
schedules are read in Amsterdam time.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from bot.clock import AMSTERDAM
from bot.language import LANGUAGES, fold
from bot.storage import aware, bookings, closures, locations, schedules, slots, utc

KINDS = ("video", "phone", "in_person")
TOPICS = ("interview", "letter", "decision", "lawyer", "documents", "nareis", "other")
# Who the consultation hour is for (seed 000): questions about the ongoing asylum procedure, and
# nareis applications submitted before December 2025; the others are told where to go instead.
ELIGIBILITY = {
    "procedure": True, "nareis_old": True,
    "dublin": False, "minor": False, "permit": False, "nareis_new": False,
}  # fmt: skip
# Languages VluchtelingenWerk staff speak themselves: no interpreter needed.
STAFF_LANGUAGES = ("nl", "en")
BOOKABLE_AHEAD = dt.timedelta(hours=2)  # no slot closer than this: staff need time to prepare
SLOT_WEEKS = 4
REMINDER_AHEAD = dt.timedelta(hours=24)
_REFERENCE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud on the phone


class BookingError(ValueError):
    """Something the user or staff asked for cannot be done; `code` picks the message shown."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class Location:
    id: int
    code: str
    name: str
    aliases: tuple[str, ...]
    vwn_on_site: bool
    nearby_vwn_id: int | None


@dataclass(frozen=True)
class Schedule:
    id: int
    team: str
    location_id: int | None
    weekday: int
    start_time: str
    end_time: str
    slot_minutes: int
    capacity: int
    kinds: tuple[str, ...]
    interpreter_languages: tuple[str, ...]
    valid_from: dt.date | None
    valid_until: dt.date | None
    active: bool


@dataclass(frozen=True)
class Slot:
    id: int
    schedule_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int
    cancelled: bool
    team: str
    location_id: int | None
    kinds: tuple[str, ...]
    interpreter_languages: tuple[str, ...]

    @property
    def free(self) -> int:
        return self.capacity - self.booked


@dataclass(frozen=True)
class Booking:
    id: int
    reference: str
    conversation_id: str
    channel: str
    slot_id: int
    location_id: int | None
    language: str
    topic: str
    kind: str
    interpreter: bool
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    team: str
    reminder_sent_at: dt.datetime | None


# --- locations ------------------------------------------------------------------------------------


def _location(row: Row[Any]) -> Location:
    return Location(row.id, row.code, row.name, tuple(row.aliases or ()), bool(row.vwn_on_site), row.nearby_vwn_id)


def list_locations(connection: Connection) -> list[Location]:
    rows = connection.execute(sa.select(locations).where(locations.c.active == sa.true()).order_by(locations.c.name))
    return [_location(row) for row in rows]


def get_location(connection: Connection, location_id: int) -> Location | None:
    row = connection.execute(sa.select(locations).where(locations.c.id == location_id)).first()
    return _location(row) if row else None


def match_location(connection: Connection, text: str) -> Location | None:
    """The location a user typed ("ter apel", "AZC Budel-Cranendonck", "تير أبل"), if exactly one fits."""
    words = f" {fold(text)} "
    found = []
    for location in list_locations(connection):
        names = {fold(location.name), fold(location.code.replace("-", " ")), *(fold(a) for a in location.aliases)}
        if any((name and f" {name} " in words) or words.strip() == name for name in names):
            found.append(location)
    return found[0] if len(found) == 1 else None


def seed(connection: Connection, path: Path) -> bool:
    """Fill an empty booking setup from a YAML file (local mode's sample data); False when there was one."""
    if connection.execute(sa.select(sa.func.count()).select_from(locations)).scalar():
        return False
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes: dict[str, int] = {}
    for entry in data["locations"]:
        result = connection.execute(
            locations.insert().values(
                code=entry["code"],
                name=entry["name"],
                aliases=list(entry.get("aliases") or []),
                vwn_on_site=bool(entry.get("vwn_on_site")),
                active=True,
            )  # fmt: skip
        )
        codes[entry["code"]] = int(result.inserted_primary_key[0])
    for entry in data["locations"]:
        if entry.get("nearby_vwn"):
            connection.execute(
                locations.update()
                .where(locations.c.id == codes[entry["code"]])
                .values(nearby_vwn_id=codes[entry["nearby_vwn"]])
            )
    for entry in data["schedules"]:
        for weekday in entry["weekdays"]:
            add_schedule(
                connection, entry["team"], codes.get(entry.get("location", "")), weekday, entry["start"], entry["end"],
                entry["slot_minutes"], entry["capacity"], entry["kinds"], entry.get("interpreter_languages") or [],
            )  # fmt: skip
    for entry in data.get("closures") or []:
        add_closure(
            connection, codes.get(entry.get("location", "")), entry["first_day"], entry["last_day"], entry["reason"]
        )
    return True


# --- schedules and closures (staff) --------------------------------------------------------------


def _schedule(row: Row[Any]) -> Schedule:
    return Schedule(
        row.id, row.team, row.location_id, row.weekday, row.start_time, row.end_time, row.slot_minutes, row.capacity,
        tuple(row.kinds), tuple(row.interpreter_languages), row.valid_from, row.valid_until, bool(row.active),
    )  # fmt: skip


def add_schedule(
    connection: Connection,
    team: str,
    location_id: int | None,
    weekday: int,
    start: str,
    end: str,
    slot_minutes: int,
    capacity: int,
    kinds: list[str],
    interpreter_languages: list[str],
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> int:
    if not 0 <= weekday <= 6:
        raise BookingError("bad_schedule", "weekday must be 0 (Monday) to 6 (Sunday)")
    opens, closes = _time(start), _time(end)
    if opens >= closes:
        raise BookingError("bad_schedule", "the hour must end after it starts")
    if not 5 <= slot_minutes <= 240 or capacity < 1:
        raise BookingError("bad_schedule", "slots of 5 to 240 minutes, capacity at least 1")
    if not kinds or any(k not in KINDS for k in kinds):
        raise BookingError("bad_schedule", f"kinds must be some of {', '.join(KINDS)}")
    if "in_person" in kinds and location_id is None:
        raise BookingError("bad_schedule", "meetings in person need a location")
    if any(code not in LANGUAGES for code in interpreter_languages):
        raise BookingError("bad_schedule", "interpreter languages must be supported language codes")
    result = connection.execute(
        schedules.insert().values(
            team=team.strip() or "VluchtelingenWerk",
            location_id=location_id,
            weekday=weekday,
            start_time=start,
            end_time=end,
            slot_minutes=slot_minutes,
            capacity=capacity,
            kinds=list(kinds),
            interpreter_languages=list(interpreter_languages),
            valid_from=valid_from,
            valid_until=valid_until,
            active=True,
        )  # fmt: skip
    )
    return int(result.inserted_primary_key[0])


def list_schedules(connection: Connection) -> list[Schedule]:
    rows = connection.execute(
        sa.select(schedules)
        .where(schedules.c.active == sa.true())
        .order_by(schedules.c.weekday, schedules.c.start_time)
    )
    return [_schedule(row) for row in rows]


def remove_schedule(connection: Connection, schedule_id: int, now: dt.datetime) -> None:
    """Stop a schedule: its future slots without bookings go; booked ones stay for staff to handle."""
    connection.execute(schedules.update().where(schedules.c.id == schedule_id).values(active=False))
    connection.execute(
        slots.update()
        .where(slots.c.schedule_id == schedule_id, slots.c.starts_at > utc(now), slots.c.booked == 0)
        .values(cancelled=True)
    )


def add_closure(
    connection: Connection, location_id: int | None, first_day: dt.date, last_day: dt.date, reason: str
) -> int:
    """Close days (everywhere, or at one location): free slots in them are cancelled at once."""
    if last_day < first_day:
        raise BookingError("bad_closure", "the last day comes before the first")
    result = connection.execute(
        closures.insert().values(location_id=location_id, first_day=first_day, last_day=last_day, reason=reason)
    )
    starts = dt.datetime.combine(first_day, dt.time(0), tzinfo=AMSTERDAM)
    ends = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=AMSTERDAM)
    affected = sa.select(schedules.c.id)
    if location_id is not None:
        affected = affected.where(schedules.c.location_id == location_id)
    connection.execute(
        slots.update()
        .where(
            slots.c.schedule_id.in_(affected),
            slots.c.starts_at >= utc(starts),
            slots.c.starts_at < utc(ends),
            slots.c.booked == 0,
        )  # fmt: skip
        .values(cancelled=True)
    )
    return int(result.inserted_primary_key[0])


def list_closures(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(sa.select(closures).order_by(closures.c.first_day))
    return [dict(row._mapping) for row in rows]


def _time(value: str) -> dt.time:
    if not re.fullmatch(r"\d{2}:\d{2}", value):
        raise BookingError("bad_schedule", f"{value!r} is not a time like 09:00")
    return dt.time.fromisoformat(value)


def _closed(day: dt.date, location_id: int | None, closed: list[dict[str, Any]]) -> bool:
    return any(
        c["first_day"] <= day <= c["last_day"] and (c["location_id"] is None or c["location_id"] == location_id)
        for c in closed
    )


def ensure_slots(connection: Connection, now: dt.datetime, weeks: int = SLOT_WEEKS) -> int:
    """Materialise the slots of the coming weeks from the schedules (idempotent); returns how many were made."""
    today = now.astimezone(AMSTERDAM).date()
    closed = list_closures(connection)
    made = 0
    for schedule in list_schedules(connection):
        existing = {
            aware(value)
            for value in connection.execute(
                sa.select(slots.c.starts_at).where(slots.c.schedule_id == schedule.id, slots.c.starts_at >= utc(now))
            ).scalars()
        }
        for offset in range(weeks * 7):
            day = today + dt.timedelta(days=offset)
            if day.weekday() != schedule.weekday or _closed(day, schedule.location_id, closed):
                continue
            if (schedule.valid_from and day < schedule.valid_from) or (
                schedule.valid_until and day > schedule.valid_until
            ):
                continue
            start = dt.datetime.combine(day, _time(schedule.start_time), tzinfo=AMSTERDAM)
            end_of_hour = dt.datetime.combine(day, _time(schedule.end_time), tzinfo=AMSTERDAM)
            length = dt.timedelta(minutes=schedule.slot_minutes)
            while start + length <= end_of_hour:
                if start > now and start not in existing:
                    made += _insert_slot(connection, schedule, start, start + length)
                start += length
    return made


def _insert_slot(connection: Connection, schedule: Schedule, starts: dt.datetime, ends: dt.datetime) -> int:
    try:
        with connection.begin_nested():  # another process may have made it a moment ago
            connection.execute(
                slots.insert().values(
                    schedule_id=schedule.id,
                    starts_at=utc(starts),
                    ends_at=utc(ends),
                    capacity=schedule.capacity,
                    booked=0,
                    cancelled=False,
                )  # fmt: skip
            )
    except IntegrityError:
        return 0
    return 1


# --- slots for users ------------------------------------------------------------------------------------


def _slot(row: Row[Any]) -> Slot:
    return Slot(
        row.id, row.schedule_id, aware(row.starts_at), aware(row.ends_at), row.capacity, row.booked,
        bool(row.cancelled), row.team, row.location_id, tuple(row.kinds), tuple(row.interpreter_languages),
    )  # fmt: skip


_SLOT_QUERY = sa.select(
    slots, schedules.c.team, schedules.c.location_id, schedules.c.kinds, schedules.c.interpreter_languages
).join(schedules, schedules.c.id == slots.c.schedule_id)


def needs_interpreter(language: str) -> bool:
    return language not in STAFF_LANGUAGES


def kinds_for(connection: Connection, location: Location | None) -> list[str]:
    """What a user at this location can choose: calls always; in person where a VWN location is near."""
    kinds = ["video", "phone"]
    if location is not None and (location.vwn_on_site or location.nearby_vwn_id):
        kinds.append("in_person")
    return kinds


def meeting_place(location: Location | None) -> int | None:
    if location is None:
        return None
    return location.id if location.vwn_on_site else location.nearby_vwn_id


def meeting_place_name(connection: Connection, lives_at: int | None) -> str:
    """Where someone living at `lives_at` meets VluchtelingenWerk in person ("" when nowhere near)."""
    place_id = meeting_place(get_location(connection, lives_at)) if lives_at else None
    place = get_location(connection, place_id) if place_id else None
    return place.name if place else ""


def free_slots(
    connection: Connection,
    now: dt.datetime,
    kind: str,
    language: str,
    location: Location | None,
    limit: int = 4,
    exclude: int | None = None,
) -> list[Slot]:
    """The next free slots that fit: the kind of meeting, an interpreter for the language, the place."""
    ensure_slots(connection, now)
    query = _SLOT_QUERY.where(
        slots.c.cancelled == sa.false(),
        slots.c.booked < slots.c.capacity,
        slots.c.starts_at > utc(now + BOOKABLE_AHEAD),
    ).order_by(slots.c.starts_at, slots.c.id)
    if kind == "in_person":
        query = query.where(schedules.c.location_id == meeting_place(location))
    found = []
    for row in connection.execute(query):
        slot = _slot(row)
        if kind not in slot.kinds or slot.id == exclude:
            continue
        if needs_interpreter(language) and language not in slot.interpreter_languages:
            continue
        found.append(slot)
        if len(found) == limit:
            break
    return found


def get_slot(connection: Connection, slot_id: int) -> Slot | None:
    row = connection.execute(_SLOT_QUERY.where(slots.c.id == slot_id)).first()
    return _slot(row) if row else None


# --- bookings ------------------------------------------------------------------------------------------


_BOOKING_QUERY = (
    sa.select(bookings, slots.c.starts_at, slots.c.ends_at, schedules.c.team)
    .join(slots, slots.c.id == bookings.c.slot_id)
    .join(schedules, schedules.c.id == slots.c.schedule_id)
)


def _booking(row: Row[Any]) -> Booking:
    return Booking(
        row.id, row.reference, row.conversation_id, row.channel, row.slot_id, row.location_id, row.language, row.topic,
        row.kind, bool(row.interpreter), row.status, aware(row.starts_at), aware(row.ends_at), row.team,
        aware(row.reminder_sent_at) if row.reminder_sent_at else None,
    )  # fmt: skip


def book(
    connection: Connection,
    slot_id: int,
    conversation_id: str,
    channel: str,
    language: str,
    topic: str,
    kind: str,
    location_id: int | None,
    now: dt.datetime,
    max_future: int,
) -> Booking:
    """Take a seat; BookingError("slot_taken") when it is gone, passed or cancelled, or ("too_many")."""
    if topic not in TOPICS or kind not in KINDS:
        raise BookingError("bad_request", f"topic {topic!r} / kind {kind!r}")
    if len(upcoming(connection, conversation_id, now)) >= max_future:
        raise BookingError("too_many")
    slot = get_slot(connection, slot_id)
    if slot is None or kind not in slot.kinds:
        raise BookingError("slot_taken")
    if needs_interpreter(language) and language not in slot.interpreter_languages:
        raise BookingError("slot_taken")
    _take_seat(connection, slot_id, now)
    result = connection.execute(
        bookings.insert().values(
            reference=_new_reference(connection),
            conversation_id=conversation_id,
            channel=channel,
            slot_id=slot_id,
            location_id=location_id,
            language=language,
            topic=topic,
            kind=kind,
            interpreter=needs_interpreter(language),
            status="booked",
            created_at=utc(now),
            updated_at=utc(now),
        )  # fmt: skip
    )
    return get_booking(connection, int(result.inserted_primary_key[0]))


def _take_seat(connection: Connection, slot_id: int, now: dt.datetime) -> None:
    """One conditional UPDATE takes a seat: concurrent bookings of the last seat serialise on the row (its
    lock in PostgreSQL, the database lock in SQLite), and only the first still finds room."""
    taken = connection.execute(
        slots.update()
        .where(
            slots.c.id == slot_id,
            slots.c.booked < slots.c.capacity,
            slots.c.cancelled == sa.false(),
            slots.c.starts_at > utc(now),
        )
        .values(booked=slots.c.booked + 1)
    )
    if taken.rowcount != 1:
        raise BookingError("slot_taken")


def _new_reference(connection: Connection) -> str:
    while True:
        reference = "VWN-" + "".join(secrets.choice(_REFERENCE_LETTERS) for _ in range(5))
        if not connection.execute(sa.select(bookings.c.id).where(bookings.c.reference == reference)).first():
            return reference


def get_booking(connection: Connection, booking_id: int) -> Booking:
    row = connection.execute(_BOOKING_QUERY.where(bookings.c.id == booking_id)).first()
    if row is None:
        raise BookingError("unknown_booking")
    return _booking(row)


def find_booking(connection: Connection, conversation_id: str, reference: str) -> Booking | None:
    """A user's own booking by its reference (case and spacing as typed)."""
    wanted = re.sub(r"\s+", "", reference.upper())
    row = connection.execute(
        _BOOKING_QUERY.where(bookings.c.reference == wanted, bookings.c.conversation_id == conversation_id)
    ).first()
    return _booking(row) if row else None


def upcoming(connection: Connection, conversation_id: str, now: dt.datetime) -> list[Booking]:
    rows = connection.execute(
        _BOOKING_QUERY.where(
            bookings.c.conversation_id == conversation_id, bookings.c.status == "booked", slots.c.starts_at > utc(now)
        ).order_by(slots.c.starts_at)
    )
    return [_booking(row) for row in rows]


def cancel(connection: Connection, booking_id: int, now: dt.datetime) -> Booking:
    booking = get_booking(connection, booking_id)
    if booking.status != "booked":
        raise BookingError("not_booked")
    connection.execute(
        bookings.update().where(bookings.c.id == booking_id).values(status="cancelled", updated_at=utc(now))
    )
    connection.execute(slots.update().where(slots.c.id == booking.slot_id).values(booked=slots.c.booked - 1))
    return get_booking(connection, booking_id)


def move(connection: Connection, booking_id: int, slot_id: int, now: dt.datetime) -> Booking:
    """Move a booking to another slot: the new seat is taken first, so a failed move changes nothing."""
    booking = get_booking(connection, booking_id)
    if booking.status != "booked" or booking.starts_at <= now:
        raise BookingError("not_booked")
    if slot_id == booking.slot_id:
        raise BookingError("slot_taken")
    _take_seat(connection, slot_id, now)
    connection.execute(slots.update().where(slots.c.id == booking.slot_id).values(booked=slots.c.booked - 1))
    connection.execute(
        bookings.update()
        .where(bookings.c.id == booking_id)
        .values(slot_id=slot_id, updated_at=utc(now), reminder_sent_at=None)
    )
    return get_booking(connection, booking_id)


def mark(connection: Connection, booking_id: int, status: str, now: dt.datetime) -> Booking:
    """Staff after the appointment: attended or no_show."""
    if status not in ("attended", "no_show"):
        raise BookingError("bad_request", "attended or no_show")
    connection.execute(bookings.update().where(bookings.c.id == booking_id).values(status=status, updated_at=utc(now)))
    return get_booking(connection, booking_id)


def day(connection: Connection, date: dt.date) -> list[Booking]:
    """Every booking on a day (Amsterdam), for the staff day view and its iCalendar export."""
    starts = dt.datetime.combine(date, dt.time(0), tzinfo=AMSTERDAM)
    ends = starts + dt.timedelta(days=1)
    rows = connection.execute(
        _BOOKING_QUERY.where(slots.c.starts_at >= utc(starts), slots.c.starts_at < utc(ends)).order_by(
            slots.c.starts_at, bookings.c.id
        )
    )
    return [_booking(row) for row in rows]


def due_reminders(connection: Connection, now: dt.datetime) -> list[Booking]:
    rows = connection.execute(
        _BOOKING_QUERY.where(
            bookings.c.status == "booked",
            bookings.c.reminder_sent_at.is_(None),
            slots.c.starts_at > utc(now),
            slots.c.starts_at <= utc(now + REMINDER_AHEAD),
        )
    )
    return [_booking(row) for row in rows]


def reminded(connection: Connection, booking_id: int, now: dt.datetime) -> None:
    connection.execute(bookings.update().where(bookings.c.id == booking_id).values(reminder_sent_at=utc(now)))


def icalendar(entries: list[Booking], location_names: dict[int, str]) -> str:
    """A day's bookings as iCalendar (RFC 5545), for the team's calendar."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//VluchtelingenWerk//consultation hour//EN",
        "CALSCALE:GREGORIAN",
    ]
    for entry in entries:
        if entry.status == "cancelled":
            continue
        where = location_names.get(entry.location_id or 0, "")
        summary = f"{entry.reference} · {entry.kind} · {LANGUAGES[entry.language].english}"
        summary += " (interpreter)" if entry.interpreter else ""
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.reference}@consultation-hour.vluchtelingenwerk",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{entry.starts_at.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}",
            f"DTEND:{entry.ends_at.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ical_text(summary)}",
            f"DESCRIPTION:{_ical_text(f'topic: {entry.topic}; lives at: {where}; team: {entry.team}; {entry.status}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _ical_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
