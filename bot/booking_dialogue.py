"""What the booking conversation says and how typed answers are understood — framework-free.

The booking form (actions/booking.py) asks one question at a time. Each question is a content record
in the user's language (content/<lang>/booking.yml) with buttons; some buttons are made here (the
languages, the locations, the free times). A typed answer is matched to the buttons by number
("2", "٢"), by the button's words, or — for places and languages — by name.
"""

from __future__ import annotations

import json
import re

from babel.dates import format_datetime

from bot.booking import ELIGIBILITY, Booking, Location, Slot
from bot.clock import AMSTERDAM
from bot.content import Button, ContentStore
from bot.dates import babel_locale, format_moment
from bot.dialogue import OutMessage
from bot.language import FALLBACK_LANGUAGE, LANGUAGES, ascii_digits, fold

BOOK = "book_appointment"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def choice_payload(value: str, intent: str = BOOK, **extra: str) -> str:
    return f"/{intent}" + json.dumps({**extra, "booking_choice": value}, separators=(",", ":"), ensure_ascii=False)


def payload_value(payload: str) -> str | None:
    """The booking_choice a button carries, or None for other buttons (Stop, Menu, …)."""
    match = re.fullmatch(r"/[a-z_]+(\{.*\})", payload)
    if not match:
        return None
    value = json.loads(match.group(1)).get("booking_choice")
    return str(value) if value is not None else None


def message(store: ContentStore, topic: str, in_language: str, /, **values: str) -> OutMessage:
    """The record in the user's language with its {placeholders} filled in."""
    resolved = store.resolve(topic, in_language) or store.resolve(topic, FALLBACK_LANGUAGE)
    if resolved is None:
        raise LookupError(f"content has no {topic!r} record")
    record = resolved.record
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), record.text)
    return OutMessage(record.content_id, record.language, text, record.buttons)


def with_buttons(base: OutMessage, buttons: list[Button], keep: tuple[str, ...] = ()) -> OutMessage:
    """A question with buttons made here, plus the record's own buttons whose payload is in `keep`."""
    kept = tuple(b for b in base.buttons if b.payload in keep)
    return OutMessage(base.content_id, base.language, base.text, (*buttons, *kept))


def stop_button(store: ContentStore, language: str) -> tuple[Button, ...]:
    record = store.resolve("booking.ask_topic", language)
    return tuple(b for b in record.record.buttons if b.payload == "/deny") if record else ()


def language_buttons(user_language: str) -> list[Button]:
    """The user's language first, then the languages staff speak, then the rest."""
    order = [user_language, "nl", "en", *LANGUAGES]
    seen: list[str] = []
    for code in order:
        if code in LANGUAGES and code not in seen:
            seen.append(code)
    return [Button(LANGUAGES[code].autonym, choice_payload(code)) for code in seen]


def location_buttons(places: list[Location]) -> list[Button]:
    return [Button(place.name, choice_payload(place.code)) for place in places]


def slot_title(slot: Slot, language: str) -> str:
    """A short, localized time for a button: "Di 8 dec. 13:00", "ሰሉስ 8 ታሕሳ 13:00"."""
    text = format_datetime(slot.starts_at, "EEE d MMM HH:mm", tzinfo=AMSTERDAM, locale=babel_locale(language))
    return str(text)


def slot_buttons(free: list[Slot], language: str) -> list[Button]:
    return [Button(slot_title(slot, language), choice_payload(str(slot.id))) for slot in free]


def match_typed(text: str, buttons: tuple[Button, ...] | list[Button]) -> str | None:
    """The choice a typed answer means: its number in the list, or the button's words."""
    answer = ascii_digits(text.strip())
    choices = [b for b in buttons if payload_value(b.payload) is not None]
    if match := re.fullmatch(r"(\d{1,2})[.)]?", answer):
        index = int(match.group(1)) - 1
        return payload_value(choices[index].payload) if 0 <= index < len(choices) else None
    folded = fold(answer)
    for button in choices:
        if fold(button.title) == folded:
            return payload_value(button.payload)
    return None


def is_eligible(choice: str) -> bool:
    return ELIGIBILITY.get(choice, False)


NOT_ELIGIBLE_TOPICS = {
    "dublin": "booking.not_for_dublin",
    "minor": "booking.not_for_minors",
    "permit": "booking.not_for_permit_holders",
    "nareis_new": "booking.not_for_new_nareis",
}


def kind_text(store: ContentStore, kind: str, language: str, place: str) -> str:
    return message(store, f"booking.kind_{kind}", language, location=place).text


def confirmation(store: ContentStore, booking: Booking, language: str, place: str) -> OutMessage:
    return message(
        store, "booking.confirmed", language, reference=booking.reference,
        when=format_moment(booking.starts_at, language), kind=kind_text(store, booking.kind, language, place),
        language=LANGUAGES[booking.language].autonym,
    )  # fmt: skip


def booking_line(store: ContentStore, booking: Booking, language: str, place: str) -> str:
    """One appointment in a list: "VWN-7K3QX · ሰሉስ 8 ታሕሳስ 13:00 · video call"."""
    when = format_moment(booking.starts_at, language)
    return f"{booking.reference} · {when} · {kind_text(store, booking.kind, language, place)}"
