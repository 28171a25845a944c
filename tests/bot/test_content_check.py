import datetime as dt
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.content import Button, ContentStore, Record
from bot.content_check import check, first_strong_direction, required_topics, status_table
from scripts.content import SEEDS, domain_intents, load_spec

REQUIRED = required_topics(load_spec())
INTENTS = set(domain_intents())
TODAY = dt.date(2026, 12, 7)


def test_the_shipped_content_passes_every_check(store: ContentStore, content_dir: Path):
    problems = check(store, REQUIRED, INTENTS, content_dir, SEEDS)
    assert [str(p) for p in problems] == []


def test_every_required_topic_is_written_or_declared_in_every_language(store: ContentStore, content_dir: Path):
    for row in status_table(store, REQUIRED, content_dir):
        assert row.missing == 0, row


def problems_of(*records: Record, on: dt.date = TODAY) -> list[str]:
    store = ContentStore(list(records), FixedClock(dt.datetime(2026, 12, 7, 12)))
    return [p.message for p in check(store, [], INTENTS, Path("/nonexistent"), on=on)]


def record(text: str, language: str = "en", **fields: object) -> Record:
    return Record(topic=str(fields.pop("topic", "thanks")), language=language, text=text, **fields)  # type: ignore[arg-type]


def test_a_fine_record_has_no_problem():
    assert problems_of(record("You are welcome.", buttons=(Button("Menu", "/menu_help"),))) == []


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("", "en", "empty text"),
        ("x" * 1601, "en", "1601 characters"),
        ("Call TODO for help.", "en", "placeholder"),
        ("Call 020 346 72 00 now.", "en", "looks like a phone number"),
        ("See http://example.org for more.", "en", "not a well-formed https:// link"),
        ("IND يرسل لك رسالة.", "ar", "starts with a left-to-right word"),
        ("هل لديك سؤال? اكتب لنا.", "ar", "Latin punctuation '?'"),
        ("This is still English.", "ti", "untranslated text"),
    ],
)
def test_text_problems_are_named(text: str, language: str, expected: str):
    assert any(expected in message for message in problems_of(record(text, language))), problems_of(
        record(text, language)
    )


def test_112_is_the_one_phone_number_allowed():
    assert problems_of(record("In danger? Call 112.")) == []


def test_rtl_lines_may_start_with_a_step_number():
    assert problems_of(record("1. اتصل بـ IND اليوم.", "ar")) == []
    assert first_strong_direction("1. IND") == "L"


def test_a_button_must_name_an_intent_of_the_domain():
    bad = record("Hello.", buttons=(Button("Go", "/no_such_topic"),))
    assert any("names no intent" in m for m in problems_of(bad))


def test_a_translation_keeps_the_english_numbers_and_buttons():
    english = record("Apply within 3 months.", topic="nareis_deadline", source="s", buttons=(Button("A", "/greet"),))
    translated = record(
        "قدّم خلال 4 أشهر.", "ar", topic="nareis_deadline", source="s", buttons=(Button("ب", "/thanks"),)
    )
    messages = problems_of(english, translated)
    assert any("numbers ['4'] are not in the English text" in m for m in messages)
    assert any("numbers ['3'] of the English text are missing" in m for m in messages)
    assert any("buttons differ" in m for m in messages)


def test_arabic_indic_digits_count_as_the_same_number():
    english = record("Apply within 3 months.", topic="nareis_deadline", source="s")
    translated = record("خلال ٣ أشهر.", "ar", topic="nareis_deadline", source="s")
    assert problems_of(english, translated) == []


def test_reviewed_needs_a_reviewer_and_a_date():
    assert any("needs reviewer" in m for m in problems_of(record("Hi.", status="reviewed")))


def test_the_wording_valid_today_is_used_and_a_gap_is_reported():
    old = record("Closed over the holidays.", valid_until=dt.date(2026, 12, 31))
    new = record("Check the website for closures.", valid_from=dt.date(2027, 1, 1))
    clock = FixedClock(dt.datetime(2026, 12, 7, 12))
    store = ContentStore([new, old], clock)
    assert store.get("thanks", "en") == old
    clock.set(dt.datetime(2027, 1, 1, 0, 30))
    assert store.get("thanks", "en") == new
    late = record("Check the website for closures.", valid_from=dt.date(2027, 1, 5))
    store = ContentStore([old, late], clock)
    messages = [p.message for p in check(store, ["thanks"], INTENTS, Path("/x"), on=TODAY, languages=["en"])]
    assert "no record is valid from 2027-01-01 to 2027-01-05" in messages


def test_an_expiring_record_without_successor_is_reported():
    store = ContentStore([record("Closed soon.", valid_until=dt.date(2026, 12, 31))])
    messages = [p.message for p in check(store, ["thanks"], INTENTS, Path("/x"), on=TODAY, languages=["en"])]
    assert any("no record is valid from 2027-01-01 on" in m for m in messages)
