"""The answer layer: content records keyed by topic id and language.

Answers are data (content/<lang>/<flow>.yml), not code. Each record carries its language, review
status and dates so staff can see what awaits review. A record's content id is "<topic>.<lang>",
e.g. "nareis_deadline.ti"; it travels with every message the assistant sends.

Time-bound facts (a year-end closure, a temporary housing arrangement) live in records with a
validity window (`valid_from`, `valid_until`, both inclusive, Amsterdam dates). One topic and
language may have several records whose windows do not overlap; the one valid today is used, so a
passing date changes the wording without a deploy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.clock import Clock, SystemClock, today
from bot.language import FALLBACK_LANGUAGE, LANGUAGES

STATUSES = ("draft", "reviewed")
RECORD_FIELDS = {
    "topic", "text", "buttons", "status", "source", "reviewer", "last_reviewed", "updated",
    "valid_from", "valid_until", "translated_from", "note",
}  # fmt: skip


class ContentError(ValueError):
    pass


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Record:
    topic: str
    language: str
    text: str
    buttons: tuple[Button, ...] = ()
    status: str = "draft"
    source: str | None = None
    reviewer: str | None = None
    last_reviewed: dt.date | None = None
    updated: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    translated_from: str | None = None
    note: str | None = None  # for staff and translators; never shown to users
    path: Path | None = field(default=None, compare=False)

    @property
    def content_id(self) -> str:
        return f"{self.topic}.{self.language}"

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def overlaps(self, other: Record) -> bool:
        starts = max(self.valid_from or dt.date.min, other.valid_from or dt.date.min)
        ends = min(self.valid_until or dt.date.max, other.valid_until or dt.date.max)
        return starts <= ends


@dataclass(frozen=True)
class Resolved:
    """A record chosen for a user's language; `fallback` is set when it is in another language."""

    record: Record
    requested_language: str

    @property
    def fallback(self) -> bool:
        return self.record.language != self.requested_language


class ContentStore:
    def __init__(self, records: list[Record], clock: Clock | None = None):
        self.clock: Clock = clock or SystemClock()
        self._records: dict[tuple[str, str], list[Record]] = {}
        for record in records:
            versions = self._records.setdefault((record.topic, record.language), [])
            clash = next((other for other in versions if other.overlaps(record)), None)
            if clash is not None:
                raise ContentError(
                    f"{record.content_id} is defined twice for overlapping dates ({clash.path}, {record.path}); "
                    "give the records valid_from/valid_until windows that do not overlap"
                )
            versions.append(record)
            versions.sort(key=lambda r: r.valid_from or dt.date.min)

    @classmethod
    def load(cls, directory: Path, clock: Clock | None = None) -> ContentStore:
        records: list[Record] = []
        for path in sorted(directory.glob("*/*.yml")):
            if path.name in ("language_names.yml", "emergency_words.yml"):
                continue
            records.extend(read_file(path))
        return cls(records, clock)

    def __iter__(self) -> Iterator[Record]:
        """Every record, every validity window."""
        return (record for versions in self._records.values() for record in versions)

    def versions(self, topic: str, language: str) -> list[Record]:
        return list(self._records.get((topic, language), ()))

    def get(self, topic: str, language: str, on: dt.date | None = None) -> Record | None:
        """The record valid on `on` (default: today in Amsterdam)."""
        day = on or today(self.clock)
        return next((r for r in self._records.get((topic, language), ()) if r.valid_on(day)), None)

    def resolve(self, topic: str, language: str, on: dt.date | None = None) -> Resolved | None:
        """The record in the user's language, else in English; None when the topic has no content at all."""
        record = self.get(topic, language, on) or self.get(topic, FALLBACK_LANGUAGE, on)
        return Resolved(record, language) if record else None

    def topics(self) -> set[str]:
        return {topic for topic, _ in self._records}


def read_file(path: Path) -> list[Record]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    language = data.get("language")
    if language not in LANGUAGES:
        raise ContentError(f"{path}: 'language: {language}' is not one of the supported languages")
    if path.parent.name != language:
        raise ContentError(f"{path}: says language {language} but lives in content/{path.parent.name}/")
    records = []
    for raw in data.get("records") or []:
        try:
            status = raw.get("status", "draft")
            if status not in STATUSES:
                raise ContentError(f"status {status!r} is not one of {STATUSES}")
            for key in ("valid_from", "valid_until", "last_reviewed", "updated"):
                if raw.get(key) is not None and not isinstance(raw[key], dt.date):
                    raise ContentError(f"{key}: {raw[key]!r} is not a date (write YYYY-MM-DD)")
            unknown = set(raw) - RECORD_FIELDS
            if unknown:
                raise ContentError(f"unknown field(s) {sorted(unknown)}; a record has {sorted(RECORD_FIELDS)}")
            records.append(
                Record(
                    topic=str(raw["topic"]),
                    language=language,
                    text=str(raw["text"]).strip(),
                    buttons=tuple(Button(str(b["title"]), str(b["payload"])) for b in raw.get("buttons") or ()),
                    status=status,
                    source=raw.get("source"),
                    reviewer=raw.get("reviewer"),
                    last_reviewed=raw.get("last_reviewed"),
                    updated=raw.get("updated"),
                    valid_from=raw.get("valid_from"),
                    valid_until=raw.get("valid_until"),
                    translated_from=raw.get("translated_from"),
                    note=raw.get("note"),
                    path=path,
                )
            )
        except (KeyError, TypeError, ContentError) as error:
            raise ContentError(f"{path}: record {raw.get('topic', '?')!r}: {error}") from error
    return records
