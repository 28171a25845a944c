"""What the Telegram and WhatsApp channels share: storage, the clock, sending with retries, log-safe ids.

A channel translates; everything it must remember goes through bot.messaging, everything about
retrying through bot.delivery.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.content import ContentStore
from bot.delivery import Backoff, RateLimiter, Retry, deliver
from bot.language import FALLBACK_LANGUAGE
from bot.messaging import record_outbound, update_outbound
from bot.settings import Settings
from bot.storage import inbound_messages, shared_engine

logger = logging.getLogger(__name__)

# The most a webhook body may carry; Telegram updates and Twilio forms are a few kB. Anything
# larger is refused before it is parsed.
MAX_BODY = 256 * 1024
# A user message is cut to this many characters before NLU (a 50 kB paste still gets an answer).
MAX_TEXT = 4000


def log_id(conversation_id: str) -> str:
    """A conversation id that is safe to log: the channel, then a short hash instead of the phone number."""
    channel, _, provider_id = conversation_id.partition(":")
    return f"{channel}:{hashlib.sha256(provider_id.encode()).hexdigest()[:10]}"


@dataclass
class ChannelContext:
    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    backoff: Backoff = field(default_factory=Backoff)
    content: ContentStore | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ChannelContext:
        return cls(settings, shared_engine(settings.app_database_url)).with_content()

    def with_content(self) -> ChannelContext:
        if self.content is None:
            self.content = ContentStore.load(self.settings.content_dir, self.clock)
        return self

    def ui_text(self, topic: str, language: str | None) -> str:
        assert self.content is not None
        resolved = self.content.resolve(topic, language or FALLBACK_LANGUAGE)
        return resolved.record.text if resolved else ""

    async def send(
        self,
        conversation_id: str,
        channel: str,
        text: str,
        call: Callable[[], Awaitable[str]],
        outbound_id: int | None = None,
        reference: str | None = None,
    ) -> int:
        """Send one message with rate limiting and retries; every attempt ends up in outbound_messages
        (a new row, or `outbound_id`'s when a held message finally goes out)."""
        if outbound_id is None:
            with self.engine.begin() as connection:
                outbound_id = record_outbound(
                    connection, conversation_id, channel, text, "queued", self.clock.now(), reference
                )

        def note_retry(attempt: int, retry: Retry) -> None:
            logger.warning("%s: send attempt %d failed (%s); retrying", log_id(conversation_id), attempt, retry)

        async def attempt() -> str:
            await self.limiter.wait(conversation_id)
            return await call()

        try:
            outcome = await deliver(attempt, self.backoff, on_retry=note_retry)
        except Exception as failure:  # Failed, or anything the provider library raised unexpectedly
            logger.error("%s: message %d not delivered: %s", log_id(conversation_id), outbound_id, failure)
            with self.engine.begin() as connection:
                update_outbound(
                    connection, outbound_id, self.clock.now(), status="failed", error=str(failure),
                    attempts=self.backoff.attempts,
                )  # fmt: skip
            return outbound_id
        with self.engine.begin() as connection:
            update_outbound(
                connection, outbound_id, self.clock.now(), status="sent", provider_id=outcome.provider_id,
                attempts=outcome.attempts,
            )  # fmt: skip
        return outbound_id


def split_text(text: str, limit: int) -> list[str]:
    """Cut a long answer into messages of at most `limit` characters, at line breaks where possible."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # one enormous line: cut at the last space before the limit
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


async def hand_over(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    messages: Callable[[], list[tuple[str, dict[str, Any]]]],
    output: OutputChannel | None,
    conversation_id: str,
    channel: str,
    engine: Engine,
    provider_id: str,
) -> bool:
    """Give each message to Rasa (`messages` is called inside the guard: it may save attachments). On a
    failure the delivery is forgotten, so that the provider's retry is processed instead of dropped as a
    duplicate; False tells the webhook to answer 500."""
    try:
        for text, metadata in messages():
            await on_new_message(UserMessage(text, output, conversation_id, input_channel=channel, metadata=metadata))
    except Exception:
        logger.exception("%s: delivery %s failed", log_id(conversation_id), provider_id)
        forget_delivery(engine, channel, provider_id)
        return False
    return True


def forget_delivery(engine: Engine, channel: str, provider_id: str) -> None:
    """Undo `first_delivery` after a failure, so the provider's retry is processed, not dropped."""
    with engine.begin() as connection:
        connection.execute(
            inbound_messages.delete().where(
                (inbound_messages.c.channel == channel) & (inbound_messages.c.provider_id == provider_id)
            )
        )
