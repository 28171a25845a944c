"""Sending to a provider: retries with back-off on rate limits and server errors, and a rate limiter.

Framework-free: a channel wraps its provider call in `deliver`, telling it which failures are worth
another try (`Retry`) and which are final (`Failed`). The sleeping and the clock are injectable so
tests run in no time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


class Retry(Exception):
    """A failure worth another try (HTTP 429, 5xx, a network error); `after` is the provider's hint."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Failed(Exception):
    """A final failure: the message did not go out, and staff must be able to see it."""


@dataclass(frozen=True)
class Backoff:
    attempts: int = 5
    first_wait: float = 0.5
    factor: float = 2.0
    max_wait: float = 30.0

    def wait(self, attempt: int, hint: float | None) -> float:
        if hint is not None:
            return min(max(hint, 0.0), self.max_wait)
        return min(self.first_wait * self.factor ** (attempt - 1), self.max_wait)


Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Outcome:
    provider_id: str
    attempts: int


async def deliver(
    send: Callable[[], Awaitable[str]],
    backoff: Backoff | None = None,
    sleep: Sleep = asyncio.sleep,
    on_retry: Callable[[int, Retry], None] | None = None,
) -> Outcome:
    """Call `send` until it returns the provider's message id; raise Failed when it never does."""
    backoff = backoff or Backoff()
    for attempt in range(1, backoff.attempts + 1):
        try:
            return Outcome(await send(), attempt)
        except Retry as retry:
            if attempt == backoff.attempts:
                raise Failed(f"gave up after {attempt} attempts: {retry}") from retry
            if on_retry:
                on_retry(attempt, retry)
            await sleep(backoff.wait(attempt, retry.after))
    raise AssertionError("unreachable")


@dataclass
class RateLimiter:
    """Token buckets: one for everything a bot sends, one per recipient.

    Telegram allows about 30 messages a second per bot and about one a second per chat (short bursts
    are fine); Twilio queues WhatsApp messages beyond its per-sender rate. Waiting here keeps us from
    provoking 429s in the first place.
    """

    per_second: float = 30.0
    per_recipient_per_second: float = 1.0
    burst: int = 3
    clock: Callable[[], float] = time.monotonic
    _global: tuple[float, float] = field(default=(0.0, 0.0), init=False)
    _recipients: dict[str, tuple[float, float]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        now = self.clock()
        self._global = (float(self.per_second), now)

    def delay(self, recipient: str) -> float:
        """Seconds to wait before sending to `recipient`; the send is counted as made after that wait."""
        now = self.clock()
        global_wait, self._global = self._take(self._global, self.per_second, self.per_second, now)
        start = self._recipients.get(recipient, (float(self.burst), now))
        recipient_wait, self._recipients[recipient] = self._take(
            start, self.per_recipient_per_second, float(self.burst), now
        )
        if len(self._recipients) > 10_000:  # forget idle chats; their buckets are full again anyway
            self._recipients = {k: v for k, v in self._recipients.items() if now - v[1] < 60}
        return max(global_wait, recipient_wait)

    @staticmethod
    def _take(
        bucket: tuple[float, float], rate: float, capacity: float, now: float
    ) -> tuple[float, tuple[float, float]]:
        tokens, at = bucket
        tokens = min(capacity, tokens + (now - at) * rate)
        if tokens >= 1:
            return 0.0, (tokens - 1, now)
        wait = (1 - tokens) / rate
        return wait, (0.0, now + wait)

    async def wait(self, recipient: str, sleep: Sleep = asyncio.sleep) -> None:
        delay = self.delay(recipient)
        if delay > 0:
            await sleep(delay)
