"""The fastText plumbing shared by the language identifier and the fastText intent model."""

from __future__ import annotations

import random
import tempfile
from typing import Any

import fasttext


def train_supervised(labelled: list[tuple[str, str]], seed: int, parameters: dict[str, Any]) -> Any:
    """Train on (label, text) pairs. Shuffled with a fixed seed; with one thread the model is reproducible."""
    lines = [f"__label__{label} {text}" for label, text in labelled]
    random.Random(seed).shuffle(lines)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
        handle.flush()
        return fasttext.train_supervised(input=handle.name, verbose=0, **parameters)


def predict(model: Any, text: str, k: int) -> list[tuple[str, float]]:
    """(label, probability) pairs, best first."""
    labels, scores = model.predict(text.replace("\n", " "), k=k)
    # fastText's softmax can overshoot 1 by a rounding error.
    return [
        (label.removeprefix("__label__"), min(float(score), 1.0)) for label, score in zip(labels, scores, strict=True)
    ]
