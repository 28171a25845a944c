"""Train the Rasa model when its inputs changed since the last training; otherwise do nothing.

Rasa can decide this itself, but only after importing TensorFlow (~15 s); a hash of the inputs
answers in milliseconds, which keeps `make run` quick when nothing changed.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from bot.langid import MODEL_FILE as LANGID_MODEL_FILE
from bot.langid import VOCABULARY_FILE as LANGID_VOCABULARY_FILE
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
    exported = (model_dir / LANGID_MODEL_FILE).exists()
    if not force and exported and model_path(model_dir).exists() and stamp.exists() and stamp.read_text() == wanted:
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
    export_language_id(model_path(model_dir), model_dir)
    stamp.write_text(wanted)
    print(f"==> trained in {time.monotonic() - started:.0f} s: {model_path(model_dir)}")
    return model_path(model_dir)


def export_language_id(archive: Path, model_dir: Path) -> list[Path]:
    """Copy the language-ID model out of the Rasa archive into models/, where other tools load it
    (`bot.langid.LanguageIdentifier.load(models/)`) without unpacking a Rasa model."""
    wanted = {LANGID_MODEL_FILE, LANGID_VOCABULARY_FILE}
    written = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            if member.isfile() and name in wanted and "LanguageIdentifier" in member.name:
                source = tar.extractfile(member)
                assert source is not None
                (model_dir / name).write_bytes(source.read())
                written.append(model_dir / name)
    if len(written) != len(wanted):
        raise RuntimeError(f"{archive} holds no language-ID model ({sorted(wanted)})")
    return written


if __name__ == "__main__":
    train(force="--force" in sys.argv)
