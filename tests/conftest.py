from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.content import ContentStore
from bot.dialogue import Responder
from bot.settings import ROOT
from bot.storage import metadata, migrated_engine

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


# --- databases: the project's tables on SQLite (local mode) and on real PostgreSQL (production) ---------

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"vwn_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is needed (scripts/services.sh starts it): {error}")
    yield f"{POSTGRES}/{name}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database of each kind the project runs on."""
    if request.param == "sqlite":
        engine = migrated_engine(f"sqlite:///{tmp_path / 'app.db'}")
    else:
        engine = migrated_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
    yield engine
    engine.dispose()
