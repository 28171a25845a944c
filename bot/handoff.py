"""Handing a conversation to a person: office hours, the case packet, and what the user is told.

Framework-free: actions/handoff.py reads the tracker and calls these; the inbox resumes the bot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from bot.content import ContentStore
from bot.dates import format_moment
from bot.dialogue import OutMessage
from bot.messaging import Attachment
from bot.office_hours import OfficeHours

# Intents that say nothing about what the user needs help with.
_NOT_TOPICS = {"greet", "goodbye", "thanks", "affirm", "deny", "choose_language", "nlu_fallback", "menu_help"}
PACKET_MESSAGES = 12
OPEN_TOPIC, RESUMED_TOPIC = "ui.handoff_open", "ui.handoff_resumed"
CLOSED_OFFER_TOPIC, QUEUED_TOPIC = "ui.handoff_closed", "ui.handoff_queued"


def packet(
    events: Iterable[dict[str, Any]],
    channel: str,
    language: str,
    attachments: Iterable[Attachment],
    reason: str,
    booking: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What staff see first about a case: the last messages, the topics recognised, attachments, why."""
    messages: list[dict[str, Any]] = []
    topics: list[str] = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        at = dt.datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=dt.timezone.utc).isoformat()
        messages.append({"from": kind, "text": str(event.get("text") or ""), "at": at})
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if kind == "user" and intent and intent not in _NOT_TOPICS and intent not in topics:
            topics.append(intent)
    return {
        "reason": reason,
        "channel": channel,
        "language": language,
        "last_messages": messages[-PACKET_MESSAGES:],
        "topics": topics,
        "attachments": [{"id": a.id, "kind": a.kind, "caption": a.caption} for a in attachments],
        "booking": booking,
    }


def waiting_message(store: ContentStore, language: str, hours: OfficeHours, now: dt.datetime) -> OutMessage:
    """A person will answer here: now-ish in office hours, or from the next opening, said in the user's words."""
    if hours.is_open(now):
        return _message(store, OPEN_TOPIC, language, {})
    opening = format_moment(hours.next_opening(now), language)
    return _message(store, QUEUED_TOPIC, language, {"next_opening": opening})


def closed_offer(store: ContentStore, language: str, hours: OfficeHours, now: dt.datetime) -> OutMessage:
    """Outside office hours: when a person can answer, and the choice to wait or book the consultation hour."""
    opening = format_moment(hours.next_opening(now), language)
    return _message(store, CLOSED_OFFER_TOPIC, language, {"next_opening": opening})


def resumed_message(store: ContentStore, language: str) -> OutMessage:
    return _message(store, RESUMED_TOPIC, language, {})


def _message(store: ContentStore, topic: str, language: str, values: dict[str, str]) -> OutMessage:
    resolved = store.resolve(topic, language)
    if resolved is None:
        raise LookupError(f"content has no {topic!r} record")
    record = resolved.record
    text = record.text
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return OutMessage(record.content_id, record.language, text, record.buttons)
