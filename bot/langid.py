"""Language identification with a fastText model trained on the project's own data.

fastText's char n-grams separate languages that share a script (Tigrinya/Amharic,
Arabic/Persian/Pashto/Sorani) when it is trained on examples of each; the generic lid.176 model has
no Tigrinya label at all.

One- and two-word messages are different: "ሰላም" is Tigrinya and Amharic, "سلام" is Arabic, Dari,
Farsi and Pashto. A classifier trained to separate sentences is overconfident on such words, so for
them the identifier looks the words up in the training vocabulary instead and spreads its belief over
every language that uses them, weighted by who our users are (`USER_PRIOR`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import fasttext

from bot.fasttext_training import predict, train_supervised
from bot.language import LANGUAGES, Detection, letter_count, normalise_for_language_id

# Below this many letters a message ("ok", "1", "hi") says too little to name a language.
MIN_LETTERS = 3
# Messages of at most this many words are identified through the vocabulary when every word is known.
SHORT_MESSAGE_WORDS = 2

# Relative weights of the languages among the people who write to the assistant: the asylum
# seekers and refugees in the Netherlands, where Syrians, Eritreans, Turks and Afghans have been the
# largest groups of applicants in recent years (IND asylum trends). Used only to break ties between
# languages that share a word; rough on purpose, and for operators to adjust.
USER_PRIOR: dict[str, float] = {
    "ar": 2.0, "ti": 2.0, "tr": 1.5, "prs": 1.0, "so": 1.0, "en": 1.0, "nl": 1.0,
    "fa": 0.5, "ps": 0.5, "kmr": 0.5, "ckb": 0.5, "am": 0.5, "fr": 0.5,
}  # fmt: skip

TRAINING_PARAMETERS = dict(
    epoch=25, lr=0.3, wordNgrams=1, minn=2, maxn=4, dim=32, bucket=200_000, loss="softmax", thread=1, seed=7
)
MODEL_FILE = "langid.bin"
VOCABULARY_FILE = "langid-vocabulary.json"
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    # Script-preserving: romanised Ge'ez "selam" would collide with Turkish "selam".
    return [w for w in _WORD.findall(normalise_for_language_id(text)) if not w.isdigit()]


class LanguageIdentifier:
    def __init__(self, model: fasttext.FastText._FastText, vocabulary: dict[str, list[str]]):
        self.model = model
        self.vocabulary = vocabulary  # word → languages whose training examples use it

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str]]) -> LanguageIdentifier:
        """Train on (language, text) pairs. One thread and a fixed seed keep the model reproducible."""
        examples = list(examples)
        labelled = [(lang, normalise_for_language_id(text)) for lang, text in examples]
        model = train_supervised(labelled, 7, TRAINING_PARAMETERS)
        vocabulary: dict[str, set[str]] = defaultdict(set)
        for lang, text in examples:
            for word in _words(text):
                vocabulary[word].add(lang)
        return cls(model, {word: sorted(langs) for word, langs in sorted(vocabulary.items())})

    @classmethod
    def load(cls, directory: Path) -> LanguageIdentifier:
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        return cls(fasttext.load_model(str(directory / MODEL_FILE)), vocabulary)

    def save(self, directory: Path) -> None:
        self.model.save_model(str(directory / MODEL_FILE))
        (directory / VOCABULARY_FILE).write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")

    def ranking(self, text: str) -> list[Detection]:
        words = _words(text)
        if 0 < len(words) <= SHORT_MESSAGE_WORDS and all(w in self.vocabulary for w in words):
            return self._vocabulary_ranking(words)
        return [Detection(*pair) for pair in predict(self.model, normalise_for_language_id(text), len(LANGUAGES))]

    def _vocabulary_ranking(self, words: list[str]) -> list[Detection]:
        # Languages that use every word of the message, weighted by the prior; when no language uses
        # them all (a mixed message), each word votes.
        common = set.intersection(*(set(self.vocabulary[w]) for w in words))
        weights: dict[str, float] = defaultdict(float)
        for word in words:
            for lang in self.vocabulary[word]:
                if not common or lang in common:
                    weights[lang] += USER_PRIOR.get(lang, 1.0)
        total = sum(weights.values())
        ranked = sorted(weights.items(), key=lambda item: -item[1])
        return [Detection(lang, weight / total) for lang, weight in ranked]

    def detect(self, text: str) -> Detection | None:
        """The most likely language, or None when the message is too short to tell."""
        if letter_count(text) < MIN_LETTERS:
            return None
        ranking = self.ranking(text)
        return ranking[0] if ranking else None
