"""Dates and times as people read them in their language (CLDR through Babel), in Amsterdam time."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime

from bot.clock import AMSTERDAM

# CLDR's names where ours differ: Dari is Persian as written in Afghanistan; Kurmanji is CLDR's "ku".
BABEL_LOCALES = {"prs": "fa_AF", "kmr": "ku"}


def babel_locale(language: str) -> str:
    return BABEL_LOCALES.get(language, language)


def format_moment(moment: dt.datetime, language: str) -> str:
    """E.g. "ሰሉስ 8 ታሕሳስ 09:00", "الثلاثاء 8 ديسمبر 09:00" (no comma: Arabic script has its own)."""
    return str(format_datetime(moment, "EEEE d MMMM HH:mm", tzinfo=AMSTERDAM, locale=babel_locale(language)))
