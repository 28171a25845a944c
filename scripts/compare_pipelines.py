"""Compare NLU pipelines on the held-out test files, per language, each trained by Rasa on data/nlu.

    python -m scripts.compare_pipelines                       # all three (Rasa's default takes long)
    python -m scripts.compare_pipelines --only fasttext diet_char
    python -m scripts.compare_pipelines --baseline-epochs 20  # cap the baseline's DIET epochs (said in the table)

Pipelines: the project's own (config.yml: TF-IDF n-grams with a linear SVM), the same with a
supervised fastText classifier (eval/pipelines/fasttext.yml), DIET on word and char n-grams without
transformer layers (eval/pipelines/diet_char.yml), and Rasa's default `rasa init` pipeline
(eval/pipelines/rasa_default.yml), the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.language import LANGUAGES
from bot.nludata import Example, read_file
from bot.settings import ROOT
from scripts.evaluate import HELDOUT
from scripts.train import fingerprint

PIPELINES = {
    "linear": ROOT / "config.yml",
    "fasttext": ROOT / "eval" / "pipelines" / "fasttext.yml",
    "diet_char": ROOT / "eval" / "pipelines" / "diet_char.yml",
    "rasa_default": ROOT / "eval" / "pipelines" / "rasa_default.yml",
}
WORK = ROOT / "results" / "pipelines"
BIN = Path(sys.executable).parent


@dataclass
class Outcome:
    name: str
    train_seconds: float
    model_mb: float
    epochs_note: str
    accuracy: dict[str, float] = field(default_factory=dict)


def config_with_epochs(source: Path, epochs: int | None, target: Path) -> tuple[Path, str]:
    config = yaml.safe_load(source.read_text())
    notes = []
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            if epochs is not None:
                component["epochs"] = epochs
            notes.append(f"DIET {component['epochs']} epochs")
    target.write_text(yaml.safe_dump(config, allow_unicode=True))
    return target, ", ".join(notes)


def train(name: str, config: Path, out: Path) -> float:
    started = time.monotonic()
    log = out / "train.log"
    # Rasa caches trained components across runs; a cached component would report a false time.
    env = {**os.environ, "RASA_MAX_CACHE_SIZE": "0"}
    with log.open("wb") as handle:
        result = subprocess.run(
            [str(BIN / "rasa"), "train", "nlu", "--config", str(config), "--nlu", str(ROOT / "data" / "nlu"),
             "--out", str(out), "--fixed-model-name", "nlu"],
            cwd=ROOT, stdout=handle, stderr=handle, env=env,
        )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"training {name} failed; see {log}")
    return time.monotonic() - started


async def score(model: Path, test: list[Example]) -> dict[str, float]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # one debug line per parsed message otherwise
    agent = Agent.load(str(model))
    hits: dict[str, list[bool]] = defaultdict(list)
    for example in test:
        parsed = await agent.parse_message(example.text)
        # The top real intent, as scripts/evaluate.py counts it; the fallback threshold is reported there.
        ranking = [r["name"] for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
        hits[example.language].append(bool(ranking) and ranking[0] == example.intent)
    return {lang: sum(h) / len(h) for lang, h in hits.items()}


def table(outcomes: list[Outcome], test: list[Example]) -> str:
    names = [o.name for o in outcomes]
    lines = ["| language | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for lang in LANGUAGES:
        if any(lang in o.accuracy for o in outcomes):
            cells = [f"{o.accuracy.get(lang, float('nan')):.3f}" for o in outcomes]
            lines.append(f"| {lang} | " + " | ".join(cells) + " |")
    counts: dict[str, int] = defaultdict(int)
    for e in test:
        counts[e.language] += 1
    means = []
    for o in outcomes:
        total = sum(counts[lang] for lang in o.accuracy)
        means.append(f"**{sum(acc * counts[lang] for lang, acc in o.accuracy.items()) / total:.3f}**")
    lines.append("| **all** | " + " | ".join(means) + " |")
    lines.append("| training time (s) | " + " | ".join(f"{o.train_seconds:.0f}" for o in outcomes) + " |")
    lines.append("| model size (MB) | " + " | ".join(f"{o.model_mb:.1f}" for o in outcomes) + " |")
    lines.append("| notes | " + " | ".join(o.epochs_note or "-" for o in outcomes) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=list(PIPELINES), default=list(PIPELINES))
    # Rasa's default DIET (two transformer layers, 100 epochs) needs about 90 minutes on 2 cores.
    parser.add_argument("--baseline-epochs", type=int, help="DIET epochs for rasa_default (the table says so)")
    parser.add_argument("--write", type=Path, help="also write the table, dated, to this Markdown file")
    args = parser.parse_args()
    test = [e for path in sorted(HELDOUT.glob("*.yml")) for e in read_file(path, path.stem)]
    outcomes = []
    for name in args.only:
        out = WORK / name
        out.mkdir(parents=True, exist_ok=True)
        epochs = args.baseline_epochs if name == "rasa_default" else None
        config, note = config_with_epochs(PIPELINES[name], epochs, out / "config.yml")
        # An outcome is reused while the config, the data and the code that trains are unchanged:
        # the baseline alone takes tens of minutes.
        key = hashlib.sha256(config.read_bytes() + fingerprint().encode()).hexdigest()
        cached = out / "outcome.json"
        if cached.exists() and json.loads(cached.read_text()).get("key") == key:
            print(f"==> {name}: unchanged since its last run, reusing {cached}", flush=True)
            outcomes.append(Outcome(**json.loads(cached.read_text())["outcome"]))
            continue
        print(f"==> training {name} ({note or 'no DIET'})", flush=True)
        seconds = train(name, config, out)
        model = out / "nlu.tar.gz"
        print(f"    trained in {seconds:.0f} s; scoring {len(test)} held-out examples", flush=True)
        outcome = Outcome(name, seconds, model.stat().st_size / 2**20, note, asyncio.run(score(model, test)))
        cached.write_text(json.dumps({"key": key, "outcome": dataclasses.asdict(outcome)}))
        outcomes.append(outcome)
    result = table(outcomes, test)
    print(result)
    if args.write:
        args.write.write_text(
            f"# NLU pipeline comparison, {dt.date.today().isoformat()}\n\n"
            "Made by `python -m scripts.compare_pipelines`. Intent accuracy per language on tests/heldout "
            "(never trained on); every pipeline trained by `rasa train nlu` on data/nlu on this 2-core "
            "machine.\n\n" + result + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
