"""Slots, seats, limits and reminders, with a fixed clock, on SQLite and on real PostgreSQL; and two users
taking the last seat at the same moment on PostgreSQL, in concurrent transactions."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot import booking
from bot.booking import BookingError
from bot.clock import AMSTERDAM
from bot.storage import locations, migrated_engine

MONDAY = dt.datetime(2026, 12, 7, 8, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def setup(database: Engine) -> tuple[Engine, int, int]:
    """One location with VWN on site; one digital schedule (Mon 09-10, 30 min, 1 seat, Arabic interpreter)."""
    with database.begin() as connection:
        place = connection.execute(
            locations.insert().values(code="ter-apel", name="Ter Apel", aliases=[], vwn_on_site=True, active=True)
        )
        place_id = int(place.inserted_primary_key[0])
        schedule = booking.add_schedule(
            connection, "Digital", None, 0, "09:00", "10:00", 30, 1, ["video", "phone"], ["ar"]
        )
    return database, place_id, schedule


def slots_on(connection, day: dt.date) -> list[booking.Slot]:
    return [s for s in booking.free_slots(connection, MONDAY - booking.BOOKABLE_AHEAD, "video", "ar", None, limit=50)
            if s.starts_at.astimezone(AMSTERDAM).date() == day]  # fmt: skip


def test_slots_follow_the_weekly_schedule_in_amsterdam_time(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        booking.ensure_slots(connection, MONDAY)
        free = booking.free_slots(connection, MONDAY - booking.BOOKABLE_AHEAD, "video", "ar", None, limit=50)
    local = [s.starts_at.astimezone(AMSTERDAM) for s in free]
    assert {t.weekday() for t in local} == {0}
    assert [t.strftime("%H:%M") for t in local[:2]] == ["09:00", "09:30"]
    assert len(local) == 2 * booking.SLOT_WEEKS


def test_ensure_slots_is_idempotent(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        first = booking.ensure_slots(connection, MONDAY)
        assert first > 0 and booking.ensure_slots(connection, MONDAY) == 0


def test_a_closure_removes_its_days_and_cancels_free_slots(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        booking.ensure_slots(connection, MONDAY)
        booking.add_closure(connection, None, dt.date(2026, 12, 14), dt.date(2026, 12, 14), "team day")
        assert slots_on(connection, dt.date(2026, 12, 14)) == []
        assert len(slots_on(connection, dt.date(2026, 12, 21))) == 2


def test_an_interpreter_is_needed_for_languages_staff_do_not_speak(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        assert booking.free_slots(connection, MONDAY, "video", "ti", None) == []  # no Tigrinya interpreter
        assert booking.free_slots(connection, MONDAY, "video", "nl", None)  # staff speak Dutch
        assert booking.free_slots(connection, MONDAY, "in_person", "ar", None) == []


def book(connection, slot_id: int, user: str = "telegram:1", now: dt.datetime = MONDAY, limit: int = 2):
    return booking.book(connection, slot_id, user, "telegram", "ar", "letter", "video", None, now, limit)


def test_booking_takes_a_seat_and_a_full_slot_never_books(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        slot = booking.free_slots(connection, MONDAY, "video", "ar", None)[0]
        made = book(connection, slot.id)
        assert made.reference.startswith("VWN-") and made.interpreter and made.status == "booked"
        with pytest.raises(BookingError) as taken:
            book(connection, slot.id, user="telegram:2")
        assert taken.value.code == "slot_taken"
        assert slot.id not in [s.id for s in booking.free_slots(connection, MONDAY, "video", "ar", None)]


def test_a_cancelled_or_passed_slot_never_books(setup):
    engine, _, schedule = setup
    with engine.begin() as connection:
        first, second = booking.free_slots(connection, MONDAY, "video", "ar", None)[:2]
        booking.remove_schedule(connection, schedule, MONDAY)
        with pytest.raises(BookingError):
            book(connection, first.id)
    with engine.begin() as connection, pytest.raises(BookingError):
        book(connection, second.id, now=second.starts_at + dt.timedelta(minutes=1))


def test_a_user_holds_at_most_the_configured_number_of_future_appointments(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        free = booking.free_slots(connection, MONDAY, "video", "ar", None, limit=3)
        book(connection, free[0].id)
        book(connection, free[1].id)
        with pytest.raises(BookingError) as refused:
            book(connection, free[2].id)
        assert refused.value.code == "too_many"
        # Once the first appointment has passed, there is room again.
        later = free[0].ends_at + dt.timedelta(minutes=1)
        assert book(connection, free[2].id, now=later).status == "booked"


def test_cancel_frees_the_seat_and_move_is_all_or_nothing(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        first, second, third = booking.free_slots(connection, MONDAY, "video", "ar", None, limit=3)
        made = book(connection, first.id)
        book(connection, third.id, user="telegram:other")
        with pytest.raises(BookingError):
            booking.move(connection, made.id, third.id, MONDAY)  # full: nothing changes
        assert booking.get_booking(connection, made.id).slot_id == first.id
        moved = booking.move(connection, made.id, second.id, MONDAY)
        assert moved.slot_id == second.id
        assert first.id in [s.id for s in booking.free_slots(connection, MONDAY, "video", "ar", None, limit=10)]
        booking.cancel(connection, made.id, MONDAY)
        assert booking.upcoming(connection, "telegram:1", MONDAY) == []
        assert second.id in [s.id for s in booking.free_slots(connection, MONDAY, "video", "ar", None, limit=10)]


def test_reminders_are_due_a_day_ahead_and_sent_once(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        slot = booking.free_slots(connection, MONDAY, "video", "ar", None)[0]
        made = book(connection, slot.id)
        assert booking.due_reminders(connection, slot.starts_at - dt.timedelta(hours=30)) == []
        day_before = slot.starts_at - dt.timedelta(hours=20)
        assert [b.id for b in booking.due_reminders(connection, day_before)] == [made.id]
        booking.reminded(connection, made.id, day_before)
        assert booking.due_reminders(connection, day_before) == []


def test_the_day_view_and_its_icalendar(setup):
    engine, _, _ = setup
    with engine.begin() as connection:
        slot = booking.free_slots(connection, MONDAY, "video", "ar", None)[0]
        made = book(connection, slot.id)
        entries = booking.day(connection, slot.starts_at.astimezone(AMSTERDAM).date())
    assert [e.reference for e in entries] == [made.reference]
    calendar = booking.icalendar(entries, {})
    assert calendar.startswith("BEGIN:VCALENDAR\r\n") and calendar.endswith("END:VCALENDAR\r\n")
    assert f"UID:{made.reference}@" in calendar and "SUMMARY:" in calendar and "(interpreter)" in calendar
    assert f"DTSTART:{slot.starts_at.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}" in calendar


def test_locations_are_matched_as_people_type_them(tmp_path: Path):
    engine = migrated_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.begin() as connection:
        booking.seed(connection, Path("content/consultation_hour.yml"))
        assert booking.match_location(connection, "I live in TER APEL").code == "ter-apel"
        assert booking.match_location(connection, "تير أبل").code == "ter-apel"
        assert booking.match_location(connection, "somewhere else") is None
        assert booking.seed(connection, Path("content/consultation_hour.yml")) is False


@pytest.mark.parametrize("attempt", range(10))
def test_two_users_taking_the_last_seat_at_once_on_postgresql(postgres_url: str, attempt: int):
    """Real concurrent transactions: both read the seat as free, both try to take it; exactly one wins."""
    engine = migrated_engine(postgres_url)
    with engine.begin() as connection:
        schedule = booking.add_schedule(
            connection, f"race {attempt}", None, 0, "09:00", "09:30", 30, 1, ["video"], ["ar"]
        )
        booking.ensure_slots(connection, MONDAY)
        [slot] = [s for s in booking.free_slots(connection, MONDAY, "video", "ar", None, limit=500)
                  if s.schedule_id == schedule][:1]  # fmt: skip
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def take(user: str) -> None:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                # Both see a free seat before either writes.
                assert booking.get_slot(connection, slot.id).free == 1
                barrier.wait(timeout=10)
                booking.book(connection, slot.id, user, "telegram", "ar", "letter", "video", None, MONDAY, 5)
                transaction.commit()
                outcomes[user] = "booked"
            except BookingError as error:
                transaction.rollback()
                outcomes[user] = error.code

    threads = [threading.Thread(target=take, args=(f"telegram:racer{attempt}-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["booked", "slot_taken"]
    with engine.begin() as connection:
        assert booking.get_slot(connection, slot.id).booked == 1
    engine.dispose()
