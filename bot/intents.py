"""Intent classifiers over normalised text.

`LinearIntentModel` (TF-IDF character and word n-grams, linear SVM) is the one the pipeline uses:
on the held-out tests it beat fastText, DIET and Rasa's default pipeline (docs/pipeline-comparison.md).
`IntentModel` (supervised fastText) stays for that comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import fasttext
import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC

from bot.fasttext_training import predict, train_supervised
from bot.language import normalise

MODEL_FILE = "intents.bin"
TRAINING_PARAMETERS = dict(
    epoch=50, lr=0.6, wordNgrams=2, minn=3, maxn=5, dim=64, bucket=400_000, loss="softmax", thread=1, seed=11
)


@dataclass(frozen=True)
class Prediction:
    intent: str
    confidence: float


class IntentModel:
    def __init__(self, model: fasttext.FastText._FastText):
        self.model = model
        self.n_labels = len(model.get_labels())

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str]], **overrides: object) -> IntentModel:
        """Train on (intent, text) pairs; one thread and a fixed seed keep it reproducible."""
        labelled = [(intent, normalise(text)) for intent, text in examples]
        return cls(train_supervised(labelled, 11, {**TRAINING_PARAMETERS, **overrides}))

    @classmethod
    def load(cls, directory: Path) -> IntentModel:
        return cls(fasttext.load_model(str(directory / MODEL_FILE)))

    def save(self, directory: Path) -> None:
        self.model.save_model(str(directory / MODEL_FILE))

    def ranking(self, text: str, k: int = 10) -> list[Prediction]:
        return [Prediction(*pair) for pair in predict(self.model, normalise(text), min(k, self.n_labels))]


LINEAR_MODEL_FILE = "intents.joblib"
# Softmax temperature over the SVM's decision scores: turns margins into confidences that the
# FallbackClassifier threshold in config.yml can cut (about 7 % of held-out messages fall below
# 0.4, and 96 % of those above it are right; see docs/evaluation.md).
TEMPERATURE = 5.0


class LinearIntentModel:
    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self.classes: list[str] = list(pipeline.classes_)
        svm = pipeline[-1]
        # Features × intents, laid out so that a message's few hundred non-zero features pick rows
        # directly: sklearn's decision_function converts the whole matrix on every call (~12 ms).
        self._features = pipeline[0]
        self._weights = np.ascontiguousarray(np.atleast_2d(svm.coef_).T, dtype=np.float32)
        self._bias = np.atleast_1d(svm.intercept_).astype(np.float32)

    @classmethod
    def train(cls, examples: Iterable[tuple[str, str]]) -> LinearIntentModel:
        intents, texts = zip(*((intent, normalise(text)) for intent, text in examples), strict=True)
        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
        )
        pipeline = make_pipeline(features, LinearSVC(C=1.0, random_state=0))
        pipeline.fit(list(texts), np.array(intents))
        svm = pipeline[-1]
        # float32: half the size, the same predictions to many decimals. Fortran order makes coef_.T
        # the C-contiguous matrix ranking() multiplies with, without a second copy in memory.
        svm.coef_ = np.asfortranarray(svm.coef_, dtype=np.float32)
        return cls(pipeline)

    @classmethod
    def load(cls, directory: Path) -> LinearIntentModel:
        return cls(joblib.load(directory / LINEAR_MODEL_FILE))

    def save(self, directory: Path) -> None:
        joblib.dump(self.pipeline, directory / LINEAR_MODEL_FILE)

    def ranking(self, text: str, k: int = 10) -> list[Prediction]:
        features = self._features.transform([normalise(text)]).astype(np.float32)
        scores = np.asarray(features @ self._weights)[0] + self._bias
        if len(scores) == 1:  # two intents: one score, positive for the second
            scores = np.array([-scores[0], scores[0]])
        weights = np.exp(TEMPERATURE * (scores - scores.max()))
        confidences = weights / weights.sum()
        top = np.argsort(-confidences)[:k]
        return [Prediction(self.classes[i], float(confidences[i])) for i in top]
