"""Checks on the answer content, and the translation-status table staff read.

Run by `python -m scripts.content validate` and in the tests. Every check names the file and the
content id, so a translator can fix it without reading code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot.content import Button, ContentStore, Record
from bot.language import FALLBACK_LANGUAGE, LANGUAGES

# WhatsApp's limit for one message body; Telegram allows 4,096, so this one binds.
MAX_TEXT = 1600
MAX_BUTTON_TITLE = 30
# Interface texts every language must have: the assistant cannot work without them.
UI_TOPICS = (
    "ui.language_menu", "ui.change_language", "ui.fallback", "ui.translation_missing", "ui.switch_offer",
    "ui.reply_with_number", "ui.attachment_voice", "ui.attachment_file", "ui.attachment_sticker",
    "ui.attachment_location", "ui.handoff_open", "ui.handoff_closed", "ui.handoff_queued", "ui.handoff_resumed",
)  # fmt: skip
# Canned replies staff pick in the inbox (content/<lang>/canned.yml).
CANNED_TOPICS = (
    "canned.hello", "canned.checking", "canned.send_letter", "canned.more_details", "canned.ask_lawyer",
    "canned.book_consultation", "canned.ind_nareis", "canned.emergency", "canned.closing",
)  # fmt: skip
# What the booking form says (content/<lang>/booking.yml).
BOOKING_TOPICS = (
    "booking.ask_eligibility", "booking.not_for_dublin", "booking.not_for_minors", "booking.not_for_permit_holders",
    "booking.not_for_new_nareis", "booking.ask_topic", "booking.ask_language", "booking.ask_location",
    "booking.location_unknown", "booking.ask_kind", "booking.ask_slot", "booking.no_slots", "booking.slot_taken",
    "booking.confirmed", "booking.too_many", "booking.stopped", "booking.list", "booking.list_empty",
    "booking.which_cancel", "booking.which_move", "booking.cancelled", "booking.moved", "booking.reminder",
    "booking.cancelled_by_staff", "booking.kind_video", "booking.kind_phone", "booking.kind_in_person",
)  # fmt: skip
# Spec topics whose answer is built by an action from the texts above, not read from a record.
ANSWERED_BY_ACTIONS = {
    "human_handoff",
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
    "my_appointments",
}
# The one phone number content may carry: it is the same everywhere in the EU and never changes.
ALLOWED_NUMBERS = {"112"}

_PLACEHOLDER = re.compile(r"TODO|TBD|FIXME|XXX|lorem ipsum|\{\{|\}\}|\[\[|\]\]|<[a-z]+>|\?\?\?", re.IGNORECASE)
# Filled in by the code that sends the text, e.g. "{next_opening}"; never translated.
_PLACEHOLDERS = re.compile(r"\{[a-z_]+\}")
_URL = re.compile(r"(?:https?://|www\.)[^\s)\]]+", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d \-]{5,}\d(?!\w)")
_DIGITS = re.compile(r"\d+")
_ARABIC_SCRIPT_LETTER = "[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"
# A Latin comma, question mark or semicolon written straight after an Arabic-script word: right-to-left
# languages have their own (، ؟ ؛), and the Latin ones look wrong and break line direction.
_LATIN_PUNCT_AFTER_RTL = re.compile(_ARABIC_SCRIPT_LETTER + r"\s?[,?;]")
_SCRIPTS = {
    "arabic": re.compile(_ARABIC_SCRIPT_LETTER),
    "ethiopic": re.compile("[\u1200-\u139f\u2d80-\u2ddf\uab00-\uab2f]"),
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
}
SCRIPT_OF = {
    **dict.fromkeys(["ar", "prs", "ps", "fa", "ckb"], "arabic"),
    **dict.fromkeys(["ti", "am"], "ethiopic"),
    **dict.fromkeys(["so", "tr", "kmr", "en", "nl", "fr"], "latin"),
}
# Share of a text's letters that must be in the language's own script. Placeholders and the Dutch names
# below (the words on the letters people receive) are left out of the count.
MIN_SCRIPT_SHARE = 0.6
DUTCH_NAMES = re.compile(
    r"VluchtelingenWerk|RefugeeHelp|IND|COA|nareis|MVV|herstelverzuim|voornemen|zienswijze|beschikking|bezwaar"
    r"|beroep|nader gehoor|Nidos|AMV|GZA|statushouders?|inburgering|Ter Apel|POL|V-num(?:ber|mer)|referent"
    r"|Raad voor Rechtsbijstand|Dienst Terugkeer en Vertrek|ingebrekestelling|Asielnoodmaatregelenwet|Eerste Kamer"
    r"|digitaal spreekuur|advocaat|DNA|QR|EU",
)


@dataclass(frozen=True)
class Problem:
    where: str  # file or content id
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Fallback:
    topic: str
    languages: tuple[str, ...]
    reason: str


def read_fallbacks(content_dir: Path) -> dict[tuple[str, str], Fallback]:
    """content/fallbacks.yml: topics knowingly answered in English for now, with the reason."""
    path = content_dir / "fallbacks.yml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[tuple[str, str], Fallback] = {}
    for topic, entry in (data.get("fallbacks") or {}).items():
        languages = tuple(entry.get("languages") or ())
        fallback = Fallback(topic, languages, str(entry.get("reason") or ""))
        for language in languages:
            found[(topic, language)] = fallback
    return found


def required_topics(spec: dict[str, object]) -> list[str]:
    topics = spec.get("topics")
    assert isinstance(topics, dict)
    return [*(t for t in topics if t not in ANSWERED_BY_ACTIONS), *UI_TOPICS, *CANNED_TOPICS, *BOOKING_TOPICS]


def check(
    store: ContentStore,
    required: list[str],
    intents: Iterable[str],
    content_dir: Path,
    seeds_dir: Path | None = None,
    on: dt.date | None = None,
    languages: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem in the content; an empty list means it may ship."""
    day = on or store.clock.now().date()
    wanted = set(languages or LANGUAGES)
    fallbacks = read_fallbacks(content_dir)
    problems: list[Problem] = []
    known_intents = set(intents)
    for (topic, language), fallback in fallbacks.items():
        if language not in LANGUAGES or language == FALLBACK_LANGUAGE:
            problems.append(Problem("content/fallbacks.yml", f"{topic}: {language!r} cannot fall back to English"))
        elif not fallback.reason:
            problems.append(Problem("content/fallbacks.yml", f"{topic}: say why it falls back (reason:)"))
    for topic in required:
        for language in sorted(wanted):
            problems += _coverage(store, topic, language, day, fallbacks)
    for record in store:
        if record.language in wanted:
            problems += check_record(record, store, known_intents, seeds_dir)
    return problems


def _coverage(
    store: ContentStore, topic: str, language: str, day: dt.date, fallbacks: dict[tuple[str, str], Fallback]
) -> list[Problem]:
    """The topic must have a record from today on, without gaps between windows, or a declared fallback."""
    where = f"{topic}.{language}"
    versions = store.versions(topic, language)
    if not versions:
        if (topic, language) in fallbacks:
            return []
        return [Problem(where, f"missing: write content/{language}/… or list it in content/fallbacks.yml")]
    if (topic, language) in fallbacks:
        return [Problem(where, "has a record and is also listed in content/fallbacks.yml: remove the fallback")]
    problems = []
    cursor: dt.date | None = day
    for record in sorted(versions, key=lambda r: r.valid_from or dt.date.min):
        if record.valid_until is not None and record.valid_until < day:
            continue  # expired: harmless, and kept for the record until staff remove it
        if cursor is not None and record.valid_from is not None and record.valid_from > cursor:
            problems.append(Problem(where, f"no record is valid from {cursor} to {record.valid_from}"))
        cursor = None if record.valid_until is None else record.valid_until + dt.timedelta(days=1)
        if cursor is None:
            break
    if cursor is not None:
        problems.append(Problem(where, f"no record is valid from {cursor} on: add the wording that follows"))
    return problems


def check_record(record: Record, store: ContentStore, intents: set[str], seeds_dir: Path | None) -> list[Problem]:
    where = f"{record.content_id} ({record.path.name if record.path else '?'})"
    text = record.text
    problems = [Problem(where, message) for message in _text_problems(text, record.language)]
    if record.status == "reviewed" and not (record.reviewer and record.last_reviewed):
        problems.append(Problem(where, "status reviewed needs reviewer and last_reviewed"))
    is_answer = record.topic.split("_")[0] in ("procedure", "nareis", "service")
    if is_answer and not record.source:
        problems.append(Problem(where, "answers about the procedure need a source (a seed file or 'general …')"))
    if seeds_dir is not None and seeds_dir.is_dir() and record.source:
        for seed in re.findall(r"\d{3}_[0-9a-f]{16}\.txt", record.source):
            if not (seeds_dir / seed).exists():
                problems.append(Problem(where, f"source cites {seed}, which is not in {seeds_dir}"))
    payloads = [b.payload for b in record.buttons]
    if len(set(payloads)) != len(payloads):
        problems.append(Problem(where, "two buttons have the same payload"))
    for button in record.buttons:
        problems += [Problem(where, f"button {button.title!r}: {m}") for m in _button_problems(button, record, intents)]
    original = _original(record, store)
    if original is not None:
        problems += [Problem(where, message) for message in _translation_problems(record, original)]
    return problems


def _text_problems(text: str, language: str) -> list[str]:
    problems = []
    if not text.strip():
        return ["empty text"]
    if len(text) > MAX_TEXT:
        problems.append(f"{len(text)} characters; one WhatsApp message holds {MAX_TEXT}: shorten or split it")
    if "\ufffd" in text or any(unicodedata.category(c) == "Cs" for c in text):
        problems.append("broken characters (U+FFFD or lone surrogates)")
    if match := _PLACEHOLDER.search(text):
        problems.append(f"placeholder {match.group()!r}")
    for url in _URL.findall(text):
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname:
            problems.append(f"link {url!r} is not a well-formed https:// link")
    for number in _PHONE.findall(text):
        digits = re.sub(r"\D", "", number)
        if digits not in ALLOWED_NUMBERS and not re.fullmatch(r"(19|20)\d\d", digits):
            problems.append(f"{number.strip()!r} looks like a phone number; content carries none except 112")
    script = SCRIPT_OF[language]
    counted = DUTCH_NAMES.sub(" ", _PLACEHOLDERS.sub(" ", text)) if script != "latin" else text
    letters = [c for c in counted if c.isalpha()]
    own = sum(1 for c in letters if _SCRIPTS[script].match(c))
    if letters and own / len(letters) < MIN_SCRIPT_SHARE:
        problems.append(f"only {own / len(letters):.0%} of the letters are {script}: untranslated text?")
    if LANGUAGES[language].rtl:
        problems += _rtl_problems(text)
    return problems


def _rtl_problems(text: str) -> list[str]:
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        direction = first_strong_direction(line)
        if direction == "L":
            problems.append(
                f"line {number} starts with a left-to-right word ({line.strip()[:24]!r}…): phones would show the "
                "line left-to-right; start it with a word in the language's own script"
            )
        if match := _LATIN_PUNCT_AFTER_RTL.search(line):
            problems.append(f"line {number}: Latin punctuation {match.group()[-1]!r}; use ، ؟ ؛")
    return problems


def first_strong_direction(text: str) -> str | None:
    """'R' or 'L' for the first character with a strong direction (what decides a line's direction)."""
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in ("R", "AL"):
            return "R"
        if bidi == "L":
            return "L"
    return None


def _button_problems(button: Button, record: Record, intents: set[str]) -> list[str]:
    problems = []
    title = button.title.strip()
    if not title:
        problems.append("empty title")
    elif len(title) > MAX_BUTTON_TITLE:
        problems.append(f"title is {len(title)} characters; keep it at most {MAX_BUTTON_TITLE}")
    if LANGUAGES[record.language].rtl and first_strong_direction(title) == "L":
        problems.append("title starts with a left-to-right word")
    match = re.fullmatch(r"/([a-z_]+)(\{.*\})?", button.payload)
    if not match:
        problems.append(f"payload {button.payload!r} is not /intent or /intent{{json}}")
        return problems
    if match.group(1) not in intents:
        problems.append(f"payload {button.payload!r} names no intent of the domain")
    if match.group(2):
        try:
            json.loads(match.group(2))
        except json.JSONDecodeError:
            problems.append(f"payload {button.payload!r} carries malformed JSON")
    return problems


def _original(record: Record, store: ContentStore) -> Record | None:
    """The English record this one translates (same topic and validity window), if any."""
    if record.language == FALLBACK_LANGUAGE:
        return None
    for english in store.versions(record.topic, FALLBACK_LANGUAGE):
        if (english.valid_from, english.valid_until) == (record.valid_from, record.valid_until):
            return english
    return None


def _numbers(text: str) -> list[str]:
    # Arabic-Indic and Persian digits count as the same numbers as 0-9.
    ascii_text = "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    return sorted(_DIGITS.findall(ascii_text))


def _translation_problems(record: Record, original: Record) -> list[str]:
    """A translation says what the English says: same numbers, same buttons in the same order."""
    problems = []
    extra = sorted(set(_numbers(record.text)) - set(_numbers(original.text)))
    lost = sorted(set(_numbers(original.text)) - set(_numbers(record.text)))
    if extra:
        problems.append(f"numbers {extra} are not in the English text: no invented figures")
    if lost:
        problems.append(f"numbers {lost} of the English text are missing")
    if sorted(_PLACEHOLDERS.findall(record.text)) != sorted(_PLACEHOLDERS.findall(original.text)):
        problems.append(f"placeholders differ from the English text: keep {_PLACEHOLDERS.findall(original.text)}")
    if [b.payload for b in record.buttons] != [b.payload for b in original.buttons]:
        problems.append("buttons differ from the English record (same payloads, same order)")
    return problems


@dataclass(frozen=True)
class StatusRow:
    language: str
    reviewed: int
    draft: int
    fallback: int
    missing: int

    @property
    def total(self) -> int:
        return self.reviewed + self.draft + self.fallback + self.missing


def status_table(store: ContentStore, required: list[str], content_dir: Path) -> list[StatusRow]:
    """Per language, how many required topics are reviewed, draft, knowingly in English, or missing today."""
    fallbacks = read_fallbacks(content_dir)
    rows = []
    for language in LANGUAGES:
        counts = {"reviewed": 0, "draft": 0, "fallback": 0, "missing": 0}
        for topic in required:
            record = store.get(topic, language)
            if record is not None:
                counts[record.status] += 1
            elif (topic, language) in fallbacks:
                counts["fallback"] += 1
            else:
                counts["missing"] += 1
        rows.append(StatusRow(language, **counts))
    return rows


def format_status(rows: list[StatusRow]) -> str:
    lines = [
        "| language | reviewed | draft | English fallback | missing |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = LANGUAGES[row.language].english
        lines.append(f"| {row.language} ({name}) | {row.reviewed} | {row.draft} | {row.fallback} | {row.missing} |")
    return "\n".join(lines)
