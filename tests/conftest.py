from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import ContentStore
from bot.dialogue import Responder
from bot.settings import ROOT

SPEC = ROOT.parent / "shared" / "spec" / "topics.yml"


@pytest.fixture(scope="session")
def content_dir() -> Path:
    return ROOT / "content"


@pytest.fixture(scope="session")
def store(content_dir: Path) -> ContentStore:
    return ContentStore.load(content_dir)


@pytest.fixture(scope="session")
def responder(store: ContentStore, content_dir: Path) -> Responder:
    return Responder(store, content_dir)
