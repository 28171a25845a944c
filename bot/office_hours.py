"""When staff answer: office hours such as "mon-fri 09:00-17:00", in Amsterdam time."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.clock import AMSTERDAM

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OfficeHours:
    """When staff answer, e.g. "mon-fri 09:00-17:00" (Amsterdam time)."""

    weekdays: frozenset[int]
    opens: dt.time
    closes: dt.time

    @classmethod
    def parse(cls, spec: str) -> OfficeHours:
        match = re.fullmatch(r"\s*([a-z]{3})(?:-([a-z]{3}))?\s+(\d{1,2}):(\d\d)-(\d{1,2}):(\d\d)\s*", spec.lower())
        if not match or match.group(1) not in _DAYS or (match.group(2) or match.group(1)) not in _DAYS:
            raise ValueError(f"office hours {spec!r}: write them like 'mon-fri 09:00-17:00'")
        first, last = _DAYS.index(match.group(1)), _DAYS.index(match.group(2) or match.group(1))
        opens = dt.time(int(match.group(3)), int(match.group(4)))
        closes = dt.time(int(match.group(5)), int(match.group(6)))
        if first > last or opens >= closes:
            raise ValueError(f"office hours {spec!r}: the days and the hours must run forwards")
        return cls(frozenset(range(first, last + 1)), opens, closes)

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(AMSTERDAM)
        return local.weekday() in self.weekdays and self.opens <= local.time() < self.closes

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        local = moment.astimezone(AMSTERDAM)
        for days in range(8):
            day = (local + dt.timedelta(days=days)).date()
            opening = dt.datetime.combine(day, self.opens, tzinfo=AMSTERDAM)
            if day.weekday() in self.weekdays and opening > local:
                return opening
        raise AssertionError("office hours have at least one day a week")
