"""Starts the real action server and Rasa server (as `make run` does) once for all end-to-end tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from bot import booking
from bot.settings import ROOT, Settings
from bot.storage import migrated_engine
from scripts.run import BOOKING_SETUP, processes, wait_until_healthy
from scripts.train import train


@dataclass
class Assistant:
    settings: Settings
    http: httpx.Client

    def say(self, sender: str, message: str) -> list[dict]:
        response = self.http.post("/webhooks/rest/webhook", json={"sender": sender, "message": message})
        response.raise_for_status()
        return response.json()

    def bot_events(self, sender: str) -> list[dict]:
        tracker = self.http.get(f"/conversations/{sender}/tracker").json()
        return [e for e in tracker["events"] if e["event"] == "bot"]

    def simulator(self) -> httpx.Client:
        return httpx.Client(base_url=self.settings.simulator_url, timeout=60)

    def slot(self, sender: str, name: str) -> object:
        return self.http.get(f"/conversations/{sender}/tracker").json()["slots"].get(name)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    state = tmp_path_factory.mktemp("state")
    # Ports of their own, so a `make run` on the same machine does not get in the way; the children
    # read the same variables, so they agree on ports, state directory and the simulator's address.
    overrides = {
        "BOT_RASA_PORT": "15005", "BOT_ACTION_PORT": "15055", "BOT_SIMULATOR_PORT": "15080", "BOT_INBOX_PORT": "15070",
        "BOT_STATE_DIR": str(state),
        # Staff "always in": the handoff tests do not depend on the hour CI runs at (office hours are
        # tested with a fixed clock in tests/actions/test_handoff.py).
        "BOT_OFFICE_HOURS": "mon-sun 00:00-23:59",
    }  # fmt: skip
    settings = Settings.from_env(overrides)
    model = train(settings.model_dir)
    engine = migrated_engine(settings.app_database_url)
    with engine.begin() as connection:
        booking.seed(connection, BOOKING_SETUP)
    engine.dispose()
    env = {**os.environ, **overrides, **settings.rasa_environment(), "PYTHONPATH": str(ROOT)}
    procs = processes(settings, model)
    try:
        for proc in procs:
            proc.start(env)
        wait_until_healthy(procs, timeout=240)
        with httpx.Client(base_url=settings.rasa_url, timeout=30) as http:
            yield Assistant(settings, http)
    finally:
        for proc in reversed(procs):
            proc.stop()
