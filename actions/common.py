"""What the Rasa actions share: their dependencies (built once per action-server process) and sending."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.content import ContentStore
from bot.dialogue import OutMessage
from bot.settings import Settings
from bot.storage import shared_engine


@dataclass(frozen=True)
class Dependencies:
    settings: Settings
    store: ContentStore
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)


@lru_cache(maxsize=1)
def default_dependencies() -> Dependencies:
    settings = Settings.from_env()
    return Dependencies(settings, ContentStore.load(settings.content_dir), shared_engine(settings.app_database_url))


def utter(dispatcher: CollectingDispatcher, message: OutMessage, **metadata: Any) -> None:
    # Keyword arguments become the bot event's metadata: staff and tests read the content id there,
    # and the channels read the language and the writing direction.
    dispatcher.utter_message(
        text=message.text,
        buttons=[{"title": b.title, "payload": b.payload} for b in message.buttons],
        content_id=message.content_id,
        language=message.language,
        direction="rtl" if message.rtl else "ltr",
        **metadata,
    )
