"""The staff side of the consultation hour: availability (administrators only), the day view, attendance,
cancelling with a message in the user's language, the iCalendar export, and reminders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot import booking, inbox
from bot.clock import AMSTERDAM, FixedClock
from inbox.booking_views import send_reminders
from tests.inbox.test_app import CONVERSATION, PASSWORD, log_in, setup  # noqa: F401 - the app fixture

MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM)


def book_one(engine) -> booking.Booking:
    with engine.begin() as connection:
        booking.seed(connection, Path("content/consultation_hour.yml"))
        slot = booking.free_slots(connection, MONDAY, "video", "ar", None)[0]
        return booking.book(connection, slot.id, CONVERSATION, "telegram", "ar", "letter", "video", None, MONDAY, 2)


async def test_only_administrators_manage_availability(setup):  # noqa: F811
    client, _, engine = setup
    csrf = await log_in(client, "agent@vwn.nl")
    assert (await client.get("/admin/availability")).status == 403
    form = {"csrf": csrf, "team": "x", "weekday": "0", "start": "09:00", "end": "10:00", "kinds": "video"}
    assert (await client.post("/admin/availability/schedules", data=form, allow_redirects=False)).status == 403
    client.session.cookie_jar.clear()
    csrf = await log_in(client, "admin@vwn.nl")
    form = [("csrf", csrf), ("team", "Digital evening hour"), ("weekday", "2"), ("start", "18:00"), ("end", "20:00"),
            ("slot_minutes", "30"), ("capacity", "2"), ("kinds", "video"), ("kinds", "phone"),
            ("interpreter_languages", "ti"), ("interpreter_languages", "ar")]  # fmt: skip
    assert (await client.post("/admin/availability/schedules", data=form, allow_redirects=False)).status == 303
    closure = {"csrf": csrf, "first_day": "2026-12-24", "last_day": "2027-01-01", "reason": "year-end closure"}
    assert (await client.post("/admin/availability/closures", data=closure, allow_redirects=False)).status == 303
    page = await (await client.get("/admin/availability")).text()
    assert "Digital evening hour" in page and "year-end closure" in page
    with engine.begin() as connection:
        [schedule] = booking.list_schedules(connection)
        assert (schedule.weekday, schedule.kinds, schedule.interpreter_languages) == (
            2,
            ("video", "phone"),
            ("ti", "ar"),
        )
    bad = {"csrf": csrf, "team": "x", "weekday": "0", "start": "10:00", "end": "09:00", "kinds": "video"}
    response = await client.post("/admin/availability/schedules", data=bad, allow_redirects=False)
    assert "error=" in response.headers["Location"]


async def test_the_day_view_attendance_and_the_icalendar_export(setup):  # noqa: F811
    client, _, engine = setup
    made = book_one(engine)
    day = made.starts_at.astimezone(AMSTERDAM).date()
    csrf = await log_in(client, "agent@vwn.nl")
    page = await (await client.get(f"/booking?day={day}")).text()
    assert made.reference in page and "interpreter" in page and "العربية" in page
    calendar = await client.get(f"/booking/{day}.ics")
    assert calendar.content_type == "text/calendar" and made.reference in await calendar.text()
    response = await client.post(
        f"/booking/{made.id}/mark", data={"csrf": csrf, "status": "attended"}, allow_redirects=False
    )
    assert response.status == 303
    with engine.begin() as connection:
        assert booking.get_booking(connection, made.id).status == "attended"


async def test_staff_cancel_and_the_user_hears_it_in_their_language(setup, store):  # noqa: F811
    client, rasa, engine = setup
    made = book_one(engine)
    csrf = await log_in(client, "agent@vwn.nl")
    note = "المستشارة مريضة اليوم"
    response = await client.post(
        f"/booking/{made.id}/cancel", data={"csrf": csrf, "message": note}, allow_redirects=False
    )
    assert response.status == 303
    [event] = rasa.appended
    expected_start = store.get("booking.cancelled_by_staff", "ar").text.split("{")[0]
    assert event["text"].startswith(expected_start) and made.reference in event["text"] and event["text"].endswith(note)
    with engine.begin() as connection:
        assert booking.get_booking(connection, made.id).status == "cancelled"
        assert inbox.audit_entries(connection)[0].action == "booking cancelled"


async def test_reminders_go_out_once_a_day_ahead(setup, store, tmp_path):  # noqa: F811
    client, rasa, engine = setup
    made = book_one(engine)
    app = client.server.app
    from inbox.web import CLOCK

    app[CLOCK] = FixedClock(made.starts_at - dt.timedelta(hours=20))
    assert await send_reminders(app) == 1
    assert await send_reminders(app) == 0
    [event] = rasa.appended
    assert made.reference in event["text"] and event["metadata"]["content_id"] == "booking.reminder.ar"
