"""Language identification with a fastText model trained on the project's own data.

fastText's char n-grams separate languages that share a script (Tigrinya/Amharic,
Arabic/Persian/Pashto/Sorani) when it is trained on examples of each; the generic lid.176 model has
no Tigrinya label at all.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Iterable

import fasttext

from bot.language import LANGUAGES, Detection, letter_count, normalise_for_language_id

# Below this many letters a message ("ok", "1", "salam") says too little to name a language.
MIN_LETTERS = 4

TRAINING_PARAMETERS = dict(
    epoch=40, lr=0.5, wordNgrams=2, minn=2, maxn=5, dim=32, bucket=200_000, loss="softmax", thread=1, seed=7
)


class LanguageIdentifier:
    def __init__(self, model: fasttext.FastText._FastText):
        self.model = model

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str]]) -> LanguageIdentifier:
        """Train on (language, text) pairs. One thread and a fixed seed keep the model reproducible."""
        lines = [f"__label__{lang} {normalise_for_language_id(text)}" for lang, text in examples]
        random.Random(7).shuffle(lines)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            model = fasttext.train_supervised(input=handle.name, verbose=0, **TRAINING_PARAMETERS)
        return cls(model)

    @classmethod
    def load(cls, path: Path) -> LanguageIdentifier:
        return cls(fasttext.load_model(str(path)))

    def save(self, path: Path) -> None:
        self.model.save_model(str(path))

    def ranking(self, text: str) -> list[Detection]:
        labels, scores = self.model.predict(normalise_for_language_id(text).replace("\n", " "), k=len(LANGUAGES))
        pairs = zip(labels, scores, strict=True)
        return [Detection(label.removeprefix("__label__"), float(score)) for label, score in pairs]

    def detect(self, text: str) -> Detection | None:
        """The most likely language, or None when the message is too short to tell."""
        if letter_count(text) < MIN_LETTERS:
            return None
        ranking = self.ranking(text)
        return ranking[0] if ranking else None
