"""The booking form's actions with a real CollectingDispatcher: checks of answers, leaving the form, and
what happens at its end (booked, not eligible, too many, a seat taken meanwhile)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import AskKind, BookingSubmit, MyAppointments, ValidateBookingForm
from actions.common import Dependencies
from bot import booking
from bot.clock import AMSTERDAM, FixedClock
from bot.settings import Settings
from bot.storage import migrated_engine

SENDER = "whatsapp:+31600000001"
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def deps(tmp_path: Path, store) -> Dependencies:
    settings = Settings.from_env({"BOT_STATE_DIR": str(tmp_path)})
    engine = migrated_engine(settings.app_database_url)
    with engine.begin() as connection:
        booking.seed(connection, Path("content/consultation_hour.yml"))
    return Dependencies(settings, store, engine, FixedClock(MONDAY))


def tracker(slots: dict[str, Any], text: str, intent: str = "book_appointment", choice: str | None = None) -> Tracker:
    entities = [{"entity": "booking_choice", "value": choice}] if choice else []
    return Tracker(
        sender_id=SENDER,
        slots={"language": "prs", "requested_slot": None, **slots},
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities},
        events=[{"event": "user", "text": text, "input_channel": "whatsapp"}],
        paused=False,
        followup_action=None,
        active_loop={"name": "booking_form"},
        latest_action_name="action_listen",
    )


async def validate(deps: Dependencies, slot: str, value: Any, t: Tracker) -> tuple[list[dict], dict]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateBookingForm(deps), f"validate_{slot}")
    return dispatcher.messages, await method(value, dispatcher, t, {})


async def test_an_ineligible_answer_ends_the_form_with_its_reason(deps):
    _, result = await validate(deps, "booking_eligibility", "dublin", tracker({}, "/book_appointment", choice="dublin"))
    assert result == {"booking_eligibility": "dublin", "requested_slot": None, "booking_outcome": "ineligible:dublin"}
    dispatcher = CollectingDispatcher()
    done = tracker({"booking_outcome": "ineligible:dublin"}, "")
    events = await BookingSubmit(deps).run(dispatcher, done, {})
    assert [m["content_id"] for m in dispatcher.messages] == ["booking.not_for_dublin.prs"]
    assert SlotSet("booking_outcome", None) in events


async def test_typed_answers_are_matched_by_number_words_and_names(deps, store):
    _, result = await validate(deps, "booking_topic", "2", tracker({}, "2", intent="nlu_fallback"))
    assert result == {"booking_topic": "letter"}
    _, result = await validate(deps, "booking_language", "به دری لطفاً", tracker({}, "به دری لطفاً", "choose_language"))
    assert result == {"booking_language": "prs"}
    messages, result = await validate(deps, "booking_location", "Zweeloo", tracker({}, "Zweeloo", "nlu_fallback"))
    assert result == {"booking_location": "zweeloo"} and messages == []
    messages, result = await validate(deps, "booking_location", "Paris", tracker({}, "Paris", "nlu_fallback"))
    assert result == {"booking_location": None}
    assert [m["content_id"] for m in messages] == ["booking.location_unknown.prs"]


async def test_stop_and_other_questions_leave_the_form(deps):
    _, stopped = await validate(deps, "booking_topic", "/deny", tracker({}, "/deny", intent="deny"))
    assert stopped["requested_slot"] is None and stopped["booking_outcome"] == "stopped"
    question = tracker({}, "مهلت درخواست nareis چند ماه است؟", intent="nareis_deadline")
    _, left = await validate(deps, "booking_topic", question.latest_message["text"], question)
    assert left["booking_outcome"] == "interrupted"


async def test_in_person_is_offered_only_near_a_vwn_location(deps):
    far = AskKind(deps).question(tracker({"booking_location": "budel"}, ""))
    near = AskKind(deps).question(tracker({"booking_location": "zweeloo"}, ""))
    assert "in_person" not in str([b.payload for b in far.buttons])
    assert "in_person" in str([b.payload for b in near.buttons])


async def test_submit_books_and_confirms_with_a_reference_in_dari(deps, store):
    with deps.engine.begin() as connection:
        slot = booking.free_slots(connection, MONDAY, "video", "prs", None)[0]
    answers = {"booking_eligibility": "procedure", "booking_topic": "letter", "booking_language": "prs",
               "booking_location": "budel", "booking_kind": "video", "booking_slot": str(slot.id)}  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = await BookingSubmit(deps).run(dispatcher, tracker(answers, ""), {})
    [confirmation] = dispatcher.messages
    assert confirmation["content_id"] == "booking.confirmed.prs" and "VWN-" in confirmation["text"]
    assert "{" not in confirmation["text"]
    assert SlotSet("booking_slot", None) in events
    listing = CollectingDispatcher()
    await MyAppointments(deps).run(listing, tracker({}, "/my_appointments", "my_appointments"), {})
    assert listing.messages[0]["content_id"] == "booking.list.prs"


async def test_a_seat_taken_meanwhile_asks_for_another_time(deps):
    with deps.engine.begin() as connection:
        slot = booking.free_slots(connection, MONDAY, "video", "prs", None)[0]
        for number in range(slot.capacity):
            booking.book(
                connection, slot.id, f"telegram:{number}", "telegram", "prs", "other", "video", None, MONDAY, 9
            )
    answers = {
        "booking_topic": "letter",
        "booking_language": "prs",
        "booking_kind": "video",
        "booking_slot": str(slot.id),
    }
    dispatcher = CollectingDispatcher()
    events = await BookingSubmit(deps).run(dispatcher, tracker(answers, ""), {})
    assert [m["content_id"] for m in dispatcher.messages] == ["booking.slot_taken.prs"]
    assert events == [SlotSet("booking_slot", None), FollowupAction("booking_form")]


async def test_a_user_who_came_through_a_centres_qr_code_is_not_asked_where_they_live(deps):
    t = tracker({}, "/book_appointment")
    t.events.insert(0, {"event": "user", "text": "/greet", "metadata": {"start_parameter": "azc-ter-apel"}})
    extracted = await ValidateBookingForm(deps).extract_booking_location(CollectingDispatcher(), t, {})
    assert extracted == {"booking_location": "ter-apel"}
    assert await ValidateBookingForm(deps).extract_booking_location(CollectingDispatcher(), tracker({}, ""), {}) == {}
