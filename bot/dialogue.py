"""What the assistant says in reply to one user turn — framework-free, so it is tested without Rasa.

The Rasa action `action_reply` turns a tracker into a `Turn`, calls `respond`, and sends the
`Reply`. Language rules live here:
- the user's language is held between turns (the `language` slot);
- on first contact a question is answered at once in the detected language, with a button to
  change language; a bare greeting, or a message whose language is unclear, gets the language menu;
- an explicit choice (button or words) switches the language at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bot.content import Button, ContentStore, Record
from bot.language import (
    FALLBACK_LANGUAGE,
    LANGUAGES,
    Detection,
    is_supported,
    language_named_in,
    same_language_group,
)

# After this many messages in a row that the assistant did not understand, a person takes over.
FALLBACKS_BEFORE_HANDOFF = 3
# Detection must be at least this sure before the assistant answers in a language nobody chose.
LANGUAGE_CONFIDENT = 0.65
# Mid-conversation, a message in another language gets an offer to switch (never a forced switch)
# when detection is this sure and the message this long: short replies ("ok", "merci") say little.
SWITCH_OFFER_CONFIDENCE = 0.9
SWITCH_OFFER_MIN_WORDS = 3
FALLBACK_INTENT = "nlu_fallback"
# What the assistant says when a message is only an attachment.
ATTACHMENT_TOPICS = {
    "voice": "ui.attachment_voice",
    "sticker": "ui.attachment_sticker",
    "location": "ui.attachment_location",
}
ATTACHMENT_DEFAULT_TOPIC = "ui.attachment_file"
GREET_INTENT = "greet"
CHOOSE_LANGUAGE_INTENT = "choose_language"


@dataclass(frozen=True)
class Turn:
    intent: str
    text: str = ""
    detected: Detection | None = None
    language: str | None = None  # the language in use so far; None on first contact
    requested_language: str | None = None  # from a button payload, e.g. /choose_language{"language":"ti"}
    offered_language: str | None = None  # the last language the assistant offered to switch to
    attachment_kind: str | None = None  # voice, photo, document, sticker, location, … (kept for staff)
    hint_language: str | None = None  # the language of the user's phone, when the channel tells it
    fallback_streak: int = 0  # messages not understood in a row, before this one


@dataclass(frozen=True)
class OutMessage:
    content_id: str
    language: str
    text: str
    buttons: tuple[Button, ...] = ()

    @property
    def rtl(self) -> bool:
        return LANGUAGES[self.language].rtl


@dataclass(frozen=True)
class Reply:
    messages: tuple[OutMessage, ...]
    language: str | None
    offered_language: str | None = None
    fallback_streak: int = 0
    handoff: bool = False  # hand the conversation to a person after these messages


class Responder:
    def __init__(self, store: ContentStore, content_dir: Path):
        self.store = store
        self.content_dir = content_dir

    def respond(self, turn: Turn) -> Reply:
        reply = self._respond(turn)
        if turn.intent != FALLBACK_INTENT or turn.attachment_kind:
            return replace(reply, fallback_streak=0)
        streak = turn.fallback_streak + 1
        if streak >= FALLBACKS_BEFORE_HANDOFF:
            return replace(reply, fallback_streak=0, handoff=True)
        return replace(reply, fallback_streak=streak)

    def _respond(self, turn: Turn) -> Reply:
        if turn.intent == CHOOSE_LANGUAGE_INTENT:
            return self._choose_language(turn)
        if turn.attachment_kind and turn.intent == FALLBACK_INTENT:
            return self._attachment(turn)
        if turn.language is None:
            return self._first_contact(turn)
        messages = self._answer(turn.intent, turn.language)
        offer = self._switch_offer(turn)
        if offer is None:
            return Reply(messages, turn.language, turn.offered_language)
        return Reply((*messages, offer), turn.language, offer.language)

    def _switch_offer(self, turn: Turn) -> OutMessage | None:
        """Offer, once per language, to continue in the language the user now writes in."""
        detected = turn.detected
        if (
            detected is None
            or not is_supported(detected.language)
            or same_language_group(detected.language, turn.language)
            or detected.language == turn.offered_language
            or detected.confidence < SWITCH_OFFER_CONFIDENCE
            or len(turn.text.split()) < SWITCH_OFFER_MIN_WORDS
        ):
            return None
        record = self.store.get("ui.switch_offer", detected.language)
        if record is None:
            return None
        button = Button(LANGUAGES[detected.language].autonym, choose_language_payload(detected.language))
        return OutMessage(record.content_id, record.language, record.text, (button,))

    def _attachment(self, turn: Turn) -> Reply:
        language = turn.language or (turn.hint_language if is_supported(turn.hint_language) else None)
        topic = ATTACHMENT_TOPICS.get(turn.attachment_kind or "", ATTACHMENT_DEFAULT_TOPIC)
        message = self._message(self._record(topic, language or FALLBACK_LANGUAGE))
        return Reply((message,), turn.language or language, turn.offered_language)

    def _first_contact(self, turn: Turn) -> Reply:
        detected = turn.detected if turn.detected and is_supported(turn.detected.language) else None
        if (detected is None or detected.confidence < LANGUAGE_CONFIDENT) and is_supported(turn.hint_language):
            # The phone's language is a fair first guess when the text says too little ("/start").
            detected = Detection(str(turn.hint_language), LANGUAGE_CONFIDENT)
        if detected is None or detected.confidence < LANGUAGE_CONFIDENT:
            return Reply((self._language_menu(FALLBACK_LANGUAGE),), None)
        language = detected.language
        if turn.intent == GREET_INTENT:
            greeting = self._message(self._record("greet", language), with_buttons=False)
            return Reply((greeting, self._language_menu(language)), language)
        messages = self._answer(turn.intent, language)
        change = Button(self._record("ui.change_language", language).text, "/choose_language")
        last = messages[-1]
        return Reply((*messages[:-1], _with_button(last, change)), language)

    def _choose_language(self, turn: Turn) -> Reply:
        chosen = turn.requested_language if is_supported(turn.requested_language) else None
        chosen = chosen or language_named_in(turn.text, self.content_dir)
        if chosen is None:
            shown_in = turn.language or (turn.detected.language if turn.detected else None) or FALLBACK_LANGUAGE
            return Reply((self._language_menu(shown_in),), turn.language, turn.offered_language)
        return Reply(self._answer(CHOOSE_LANGUAGE_INTENT, chosen), chosen, turn.offered_language)

    def _answer(self, topic: str, language: str) -> tuple[OutMessage, ...]:
        resolved = self.store.resolve(topic, language) if topic != FALLBACK_INTENT else None
        if resolved is None:
            return (self._message(self._record("ui.fallback", language)),)
        answer = self._message(resolved.record)
        if not resolved.fallback:
            return (answer,)
        note = self.store.get("ui.translation_missing", language)
        return (self._message(note), answer) if note else (answer,)

    def _language_menu(self, language: str) -> OutMessage:
        header = self._record("ui.language_menu", language)
        buttons = tuple(Button(lang.autonym, choose_language_payload(code)) for code, lang in LANGUAGES.items())
        return OutMessage(header.content_id, header.language, header.text, buttons)

    def _record(self, topic: str, language: str) -> Record:
        resolved = self.store.resolve(topic, language)
        if resolved is None:
            raise LookupError(f"content has no {topic!r} record in {language} nor in {FALLBACK_LANGUAGE}")
        return resolved.record

    @staticmethod
    def _message(record: Record, with_buttons: bool = True) -> OutMessage:
        return OutMessage(record.content_id, record.language, record.text, record.buttons if with_buttons else ())


def choose_language_payload(code: str) -> str:
    """The button payload that switches to a language without going through NLU."""
    return f'/{CHOOSE_LANGUAGE_INTENT}{{"language":"{code}"}}'


def _with_button(message: OutMessage, button: Button) -> OutMessage:
    return OutMessage(message.content_id, message.language, message.text, (*message.buttons, button))
