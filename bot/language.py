"""Languages the assistant speaks, text normalisation, and finding a language named in a message."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Language:
    code: str
    english: str
    autonym: str  # the language named in itself, as on the language menu
    rtl: bool = False


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("ar", "Arabic", "العربية", rtl=True),
        Language("ti", "Tigrinya", "ትግርኛ"),
        Language("prs", "Dari", "دری", rtl=True),
        Language("ps", "Pashto", "پښتو", rtl=True),
        Language("fa", "Farsi", "فارسی", rtl=True),
        Language("so", "Somali", "Soomaali"),
        Language("tr", "Turkish", "Türkçe"),
        Language("kmr", "Kurmanji", "Kurmancî"),
        Language("ckb", "Sorani", "کوردی سۆرانی", rtl=True),
        Language("am", "Amharic", "አማርኛ"),
        Language("en", "English", "English"),
        Language("nl", "Dutch", "Nederlands"),
        Language("fr", "French", "Français"),
    )
}
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float


def is_supported(code: str | None) -> bool:
    return code in LANGUAGES


# Dari and Farsi are one language in two standards: text alone often cannot tell them apart, and a
# reader of one reads the other, so detection never offers to switch between them.
_GROUPS = ({"prs", "fa"},)


def same_language_group(a: str | None, b: str | None) -> bool:
    return a == b or any(a in group and b in group for group in _GROUPS)


# --- Normalisation ---------------------------------------------------------------------------------
# Users type the same word many ways: with or without Arabic vowel marks and tatweel, with Arabic or
# Persian forms of yeh/kaf (keyboards differ), with or without the zero-width non-joiner, with
# Ge'ez homophone letters used interchangeably. Folding these lets a few examples cover all spellings.

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ۀ": "ه",
        "ة": "ه",
        # Sorani letters that Arabic and Persian keyboards lack, typed as their nearest letter.
        "ڵ": "ل",
        "ڕ": "ر",
        "ێ": "ی",
        "ۆ": "و",
        "ە": "ه",
        "ھ": "ه",
        "\u200c": "",
        "\u200d": "",
        "\u200f": "",
        "\u200e": "",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian) digits
        # Ge'ez homophones: the sa- and tsa- series are pronounced alike and written either way.
        **{chr(0x1220 + i): chr(0x1230 + i) for i in range(8)},
        **{chr(0x1340 + i): chr(0x1338 + i) for i in range(7)},
    }
)
# Script punctuation that whitespace tokenisers would glue to the word before it.
_PUNCT = re.compile(r"([?!.,;:؟،؛።፣፤፥፦፧፨\"“”«»()\[\]{}])")
_SPACES = re.compile(r"\s+")


# Ge'ez letters are syllables, laid out in rows of one consonant by columns of one vowel. Written in
# Latin letters, a syllable becomes what people type on phones ("selam kemey" for ሰላም ከመይ), so the
# intent classifier's character n-grams work at the level of sounds and match both ways of writing.
_GEEZ_ROWS = (
    "h l h m s r s sh q qw qh qhw b v t ch h hw n ny _ k kw kh khw w _ z zh y d dd j g gw gg t ch p ts ts f p"
).split()
_GEEZ_VOWELS = ("e", "u", "i", "a", "ie", "", "o", "wa")
_GEEZ_LATIN = str.maketrans(
    {
        chr(0x1200 + 8 * row + col): (consonant.strip("_") + vowel) or "e"
        for row, consonant in enumerate(_GEEZ_ROWS)
        for col, vowel in enumerate(_GEEZ_VOWELS)
    }
)


def normalise(text: str) -> str:
    """Fold spelling variants and romanise Ge'ez for intent classification; lossy on purpose."""
    return fold(text).translate(_GEEZ_LATIN)


# People answer "2" with the digits of their keyboard: Arabic-Indic, Persian or Ge'ez.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩" "۰۱۲۳۴۵۶۷۸۹" "፩፪፫፬፭፮፯፰፱", "0123456789" "0123456789" "123456789")


def ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def fold(text: str) -> str:
    """Fold spelling variants, keeping each script."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not _is_latin_accent(ch))
    text = _PUNCT.sub(r" \1 ", text)
    return _SPACES.sub(" ", text).strip()


def normalise_for_language_id(text: str) -> str:
    """Lighter folding for language identification: letter forms (ی/ي, ک/ك, ZWNJ, accents) are evidence."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = _ARABIC_MARKS.sub("", text)
    text = _PUNCT.sub(r" \1 ", text)
    return _SPACES.sub(" ", text).strip()


def _is_latin_accent(ch: str) -> bool:
    # Combining marks after decomposition; only those on Latin letters matter here, because the
    # Arabic marks were removed already and Ge'ez has no combining marks.
    return unicodedata.category(ch) == "Mn" and "\u0300" <= ch <= "\u036f"


def letter_count(text: str) -> int:
    """Letters in the text, counting a Ge'ez syllable (ሰ = "se") as two so scripts compare fairly."""
    return sum(2 if "\u1200" <= ch <= "\u139f" else 1 for ch in text if ch.isalpha())


# --- Language named in a message -----------------------------------------------------------------


@lru_cache(maxsize=4)
def _language_names(content_dir: Path) -> tuple[tuple[str, str], ...]:
    """(normalised name, code) pairs from every content/<lang>/language_names.yml, longest first."""
    pairs: set[tuple[str, str]] = set()
    for code, lang in LANGUAGES.items():
        pairs.add((fold(lang.autonym), code))
        pairs.add((fold(lang.english), code))
        pairs.add((code, code))
    for path in sorted(content_dir.glob("*/language_names.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for code, names in (data.get("names") or {}).items():
            if code in LANGUAGES:
                pairs.update((fold(str(name)), code) for name in names or () if str(name).strip())
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def language_named_in(text: str, content_dir: Path) -> str | None:
    """The supported language a message names ("in Tigrinya please", "بالعربي"), if exactly one is named."""
    words = f" {fold(text)} "
    found: set[str] = set()
    # Longest names first, and a matched name is blanked out, so "فارسی دری" (Dari) is not also
    # read as "فارسی" (Farsi).
    for name, code in _language_names(content_dir):
        if name in LANGUAGES:
            # A bare code counts only as the whole message ("en", "nl"): in a sentence "am" and "so"
            # are ordinary words.
            index: int | None = 1 if words.strip() == name else None
        elif len(name) <= 3:
            # Short names only as whole words: "دری" (Dari) starts "دریافت" (to receive).
            index = _whole_word_index(words, name)
        else:
            index = _word_prefix_index(words, name)
        if index is not None:
            found.add(code)
            words = words[:index] + " " * len(name) + words[index + len(name) :]
    return found.pop() if len(found) == 1 else None


def _whole_word_index(haystack: str, name: str) -> int | None:
    index = haystack.find(f" {name} ")
    return index + 1 if index != -1 else None


def _word_prefix_index(haystack: str, name: str) -> int | None:
    # A name may carry a suffix ("Arabisch", "ትግርኛ'ዩ") or a glued proclitic ("بالعربي", "ብትግርኛ",
    # "l'arabe"), so match it at a word start or behind a short proclitic. Latin script has no
    # glued proclitics but elisions: "erebi" must not be found in the Turkish "verebilir".
    index = haystack.find(name)
    while index != -1:
        prefix = haystack[haystack.rfind(" ", 0, index) + 1 : index]
        if not prefix or (len(prefix) <= 2 and (not prefix.isascii() or prefix.endswith(("'", "’")))):
            return index
        index = haystack.find(name, index + 1)
    return None
