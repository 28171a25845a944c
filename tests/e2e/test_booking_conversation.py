"""Booking, listing, moving and cancelling the consultation hour through the REST channel, in Tigrinya,
Arabic and Dari: real NLU, rules, the booking form and its actions, and the bookings in the database."""

from __future__ import annotations

import uuid

import pytest

from bot.booking_dialogue import payload_value
from bot.content import ContentStore
from bot.settings import ROOT

pytestmark = pytest.mark.e2e
STORE = ContentStore.load(ROOT / "content")


def payload_of(message: dict, position: int) -> str:
    return str(message["buttons"][position]["payload"])


def content_ids(assistant, user: str, last: int) -> list[str]:
    return [e["metadata"].get("content_id") for e in assistant.bot_events(user)[-last:]]


@pytest.mark.parametrize("language", ["ti", "ar", "prs"])
def test_book_list_move_and_cancel(assistant, language):
    user = f"book-{language}-{uuid.uuid4().hex[:6]}"
    assistant.say(user, f'/choose_language{{"language":"{language}"}}')
    [ask] = assistant.say(user, "/book_appointment")
    assert ask["text"] == STORE.get("booking.ask_eligibility", language).text
    [ask] = assistant.say(user, payload_of(ask, 0))  # my asylum procedure
    assert ask["text"] == STORE.get("booking.ask_topic", language).text
    [ask] = assistant.say(user, payload_of(ask, 1))  # a letter
    assert ask["text"] == STORE.get("booking.ask_language", language).text
    assert ask["buttons"][0]["payload"].endswith(f'"{language}"}}')  # their own language first
    [ask] = assistant.say(user, payload_of(ask, 0))
    assert ask["text"] == STORE.get("booking.ask_location", language).text
    [ask] = assistant.say(user, "ter apel")  # typed, matched to the location
    assert ask["text"] == STORE.get("booking.ask_kind", language).text
    assert [payload_value(b["payload"]) for b in ask["buttons"]] == ["video", "phone", "in_person", None]
    [ask] = assistant.say(user, payload_of(ask, 2))  # in person
    assert ask["text"] == STORE.get("booking.ask_slot", language).text
    first_time = ask["buttons"][0]
    [confirmed] = assistant.say(user, first_time["payload"])
    assert content_ids(assistant, user, 1) == [f"booking.confirmed.{language}"]
    reference = next(line for line in confirmed["text"].splitlines() if "VWN-" in line).split("VWN-")[1][:5]
    reference = f"VWN-{reference}"

    [listing] = assistant.say(user, "/my_appointments")
    assert reference in listing["text"] and content_ids(assistant, user, 1) == [f"booking.list.{language}"]

    [which] = assistant.say(user, "/reschedule_appointment")
    assert which["buttons"][0]["title"].startswith(reference)
    [times] = assistant.say(user, which["buttons"][0]["payload"])
    assert times["buttons"] and all(b["title"] != first_time["title"] for b in times["buttons"])
    [moved] = assistant.say(user, times["buttons"][0]["payload"])
    assert content_ids(assistant, user, 1) == [f"booking.moved.{language}"] and reference in moved["text"]

    [which] = assistant.say(user, "/cancel_appointment")
    [cancelled] = assistant.say(user, which["buttons"][0]["payload"])
    assert content_ids(assistant, user, 1) == [f"booking.cancelled.{language}"] and reference in cancelled["text"]
    [empty] = assistant.say(user, "/my_appointments")
    assert empty["text"] == STORE.get("booking.list_empty", language).text


def test_a_dublin_claimant_is_pointed_elsewhere_and_nothing_is_booked(assistant):
    user = f"dublin-{uuid.uuid4().hex[:6]}"
    assistant.say(user, '/choose_language{"language":"ar"}')
    [ask] = assistant.say(user, "/book_appointment")
    dublin = next(b for b in ask["buttons"] if "dublin" in b["payload"])
    [answer] = assistant.say(user, dublin["payload"])
    assert answer["text"] == STORE.get("booking.not_for_dublin", "ar").text
    assert assistant.slot(user, "requested_slot") is None


def test_a_question_in_the_middle_stops_the_form_and_is_answered(assistant):
    user = f"leave-{uuid.uuid4().hex[:6]}"
    assistant.say(user, '/choose_language{"language":"en"}')
    [ask] = assistant.say(user, "/book_appointment")
    assistant.say(user, payload_of(ask, 0))
    answer = assistant.say(user, "/nareis_deadline")
    assert answer[-1]["text"] == STORE.get("nareis_deadline", "en").text
    assert assistant.slot(user, "requested_slot") is None
    [stopped] = [m for m in assistant.say(user, "/book_appointment")][:1]
    assert stopped["text"] == STORE.get("booking.ask_eligibility", "en").text
    assert assistant.say(user, "/deny")[0]["text"] == STORE.get("booking.stopped", "en").text
