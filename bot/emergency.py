"""Emergency words: a message that says someone is in danger or needs urgent medical help now.

Such a message gets the 112 answer and an urgent case for staff at once, whatever the intent
classifier thinks (components/emergency_detector.py). The words are data, per language, in
content/<lang>/emergency_words.yml, with sentences that must and must not match (checked in tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.language import LANGUAGES, fold

FILE_NAME = "emergency_words.yml"


@dataclass(frozen=True)
class EmergencyWords:
    phrases: tuple[str, ...]  # folded, longest first

    @classmethod
    def from_file(cls, path: Path) -> EmergencyWords:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls.of(str(p) for p in data.get("phrases") or ())

    @classmethod
    def of(cls, phrases: object) -> EmergencyWords:
        folded = {fold(str(p)) for p in phrases}  # type: ignore[attr-defined]
        return cls(tuple(sorted((p for p in folded if p), key=len, reverse=True)))

    @classmethod
    def load(cls, content_dir: Path) -> EmergencyWords:
        """Every language's phrases together: people in danger do not always write in their chosen language."""
        phrases: list[str] = []
        for code in LANGUAGES:
            path = content_dir / code / FILE_NAME
            if path.exists():
                phrases += cls.from_file(path).phrases
        return cls.of(phrases)

    def match(self, text: str) -> str | None:
        """The first phrase found in the message, or None."""
        words = f" {fold(text)} "
        for phrase in self.phrases:
            if _at_word_start(words, phrase):
                return phrase
        return None


def _at_word_start(haystack: str, phrase: str) -> bool:
    # At a word start, or behind a glued one- or two-letter proclitic of a non-Latin script
    # (Arabic و/ف/ب, Ge'ez ን/ብ); any ending may follow, so a stem matches its inflections.
    index = haystack.find(phrase)
    while index != -1:
        prefix = haystack[haystack.rfind(" ", 0, index) + 1 : index]
        if not prefix or (len(prefix) <= 2 and not prefix.isascii()):
            return True
        index = haystack.find(phrase, index + 1)
    return False


@lru_cache(maxsize=2)
def emergency_words(content_dir: Path) -> EmergencyWords:
    return EmergencyWords.load(content_dir)
