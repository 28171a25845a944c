"""Reading the per-language NLU data (data/nlu/<lang>/*.yml) without Rasa.

Language identification trains on these files and the evaluation reads them, so the language of an
example comes from the folder it lives in — the one place it is written down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.language import LANGUAGES


@dataclass(frozen=True)
class Example:
    language: str
    intent: str
    text: str


def read_examples(nlu_dir: Path) -> list[Example]:
    examples: list[Example] = []
    for lang_dir in sorted(p for p in nlu_dir.iterdir() if p.is_dir()):
        if lang_dir.name not in LANGUAGES:
            raise ValueError(f"{lang_dir}: folder name is not a supported language code")
        for path in sorted(lang_dir.glob("*.yml")):
            examples.extend(read_file(path, lang_dir.name))
    return examples


def read_file(path: Path, language: str) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples = []
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in str(block.get("examples", "")).splitlines():
            text = line.strip()
            if text.startswith("- "):
                examples.append(Example(language, block["intent"], text[2:].strip()))
    return examples
