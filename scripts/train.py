"""Train the Rasa model when its inputs changed since the last training; otherwise do nothing.

Rasa can decide this itself, but only after importing TensorFlow (~15 s); a hash of the inputs
answers in milliseconds, which keeps `make run` quick when nothing changed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

from bot.settings import ROOT

MODEL_NAME = "assistant"
# Everything whose change changes the trained model.
INPUTS = [
    "config.yml", "domain", "data", "components",
    "bot/langid.py", "bot/intents.py", "bot/language.py", "bot/fasttext_training.py",
]  # fmt: skip


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def model_path(model_dir: Path) -> Path:
    return model_dir / f"{MODEL_NAME}.tar.gz"


def train(model_dir: Path = ROOT / "models", force: bool = False) -> Path:
    stamp = model_dir / f"{MODEL_NAME}.fingerprint"
    wanted = fingerprint()
    if not force and model_path(model_dir).exists() and stamp.exists() and stamp.read_text() == wanted:
        print(f"==> model is up to date ({model_path(model_dir)})")
        return model_path(model_dir)
    print("==> training the model (NLU, language ID, dialogue rules)")
    started = time.monotonic()
    command = [
        str(Path(sys.executable).parent / "rasa"), "train",
        "--config", "config.yml", "--domain", "domain", "--data", "data",
        "--out", str(model_dir), "--fixed-model-name", MODEL_NAME, "--force",
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, check=True)
    stamp.write_text(wanted)
    print(f"==> trained in {time.monotonic() - started:.0f} s: {model_path(model_dir)}")
    return model_path(model_dir)


if __name__ == "__main__":
    train(force="--force" in sys.argv)
