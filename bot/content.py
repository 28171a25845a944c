"""The answer layer: content records keyed by topic id and language.

Answers are data (content/<lang>/<flow>.yml), not code. Each record carries its language, review
status and dates so staff can see what awaits review. A record's content id is "<topic>.<lang>",
e.g. "nareis_deadline.ti"; it travels with every message the assistant sends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.language import FALLBACK_LANGUAGE, LANGUAGES

STATUSES = ("draft", "reviewed")


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
    path: Path | None = field(default=None, compare=False)

    @property
    def content_id(self) -> str:
        return f"{self.topic}.{self.language}"


@dataclass(frozen=True)
class Resolved:
    """A record chosen for a user's language; `fallback` is set when it is in another language."""

    record: Record
    requested_language: str

    @property
    def fallback(self) -> bool:
        return self.record.language != self.requested_language


class ContentStore:
    def __init__(self, records: list[Record]):
        self._records: dict[tuple[str, str], Record] = {}
        for record in records:
            key = (record.topic, record.language)
            if key in self._records:
                raise ContentError(f"{record.content_id} is defined twice ({self._records[key].path}, {record.path})")
            self._records[key] = record

    @classmethod
    def load(cls, directory: Path) -> ContentStore:
        records: list[Record] = []
        for path in sorted(directory.glob("*/*.yml")):
            if path.name == "language_names.yml":
                continue
            records.extend(_read_file(path))
        return cls(records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self._records.values())

    def get(self, topic: str, language: str) -> Record | None:
        return self._records.get((topic, language))

    def resolve(self, topic: str, language: str) -> Resolved | None:
        """The record in the user's language, else in English; None when the topic has no content at all."""
        record = self.get(topic, language) or self.get(topic, FALLBACK_LANGUAGE)
        return Resolved(record, language) if record else None

    def topics(self) -> set[str]:
        return {topic for topic, _ in self._records}


def _read_file(path: Path) -> list[Record]:
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
                    path=path,
                )
            )
        except (KeyError, TypeError, ContentError) as error:
            raise ContentError(f"{path}: record {raw.get('topic', '?')!r}: {error}") from error
    return records
