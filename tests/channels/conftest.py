"""Channels under test talk to the local fakes of the Telegram and Twilio APIs, over real HTTP on loopback."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage

from bot.clock import FixedClock
from bot.content import ContentStore
from bot.delivery import Backoff, RateLimiter
from bot.settings import Settings
from bot.storage import migrated_engine
from channels.base import ChannelContext
from simulator.app import Simulator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FakeRequest:
    """The parts of a Sanic request the channels read."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    path: str = "/webhooks/telegram/webhook"
    query_string: str = ""


@dataclass
class Heard:
    """Stands in for Rasa: collects what the channel hands over; can be told to fail once."""

    messages: list[UserMessage] = field(default_factory=list)
    fail_next: bool = False

    async def __call__(self, message: UserMessage) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("Rasa fell over")
        self.messages.append(message)

    @property
    def texts(self) -> list[str]:
        return [m.text or "" for m in self.messages]


def body_of(response: Any) -> dict[str, Any]:
    return dict(json.loads(response.body))


@pytest.fixture
async def fakes(tmp_path: Path) -> AsyncIterator[tuple[Simulator, Settings]]:
    port = free_port()
    settings = Settings.from_env({"BOT_SIMULATOR_PORT": str(port), "BOT_STATE_DIR": str(tmp_path)})
    simulator = Simulator(settings)
    runner = web.AppRunner(simulator.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield simulator, settings
    for task in list(simulator.twilio._tasks):
        task.cancel()
    await runner.cleanup()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 12, 7, 10, 0))


@pytest.fixture
def context(fakes: tuple[Simulator, Settings], clock: FixedClock, store: ContentStore) -> ChannelContext:
    _, settings = fakes
    return ChannelContext(
        settings,
        migrated_engine(settings.app_database_url),
        clock=clock,
        limiter=RateLimiter(per_second=1000, per_recipient_per_second=1000, burst=1000),
        backoff=Backoff(attempts=3, first_wait=0.01, max_wait=0.05),
        content=store,
    )
