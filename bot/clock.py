"""The clock, behind a small interface so that everything time-based is tested with a fixed time.

All local dates are Amsterdam dates: content validity windows, consultation hours and reminders are
Dutch arrangements, whatever time zone a server runs in.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """An aware datetime in Europe/Amsterdam."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(tz=AMSTERDAM)


class FixedClock:
    """A clock that only moves when a test moves it."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=AMSTERDAM)
        self._now = at.astimezone(AMSTERDAM)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, at: dt.datetime) -> None:
        self._now = (at if at.tzinfo else at.replace(tzinfo=AMSTERDAM)).astimezone(AMSTERDAM)

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta


def today(clock: Clock) -> dt.date:
    return clock.now().date()
