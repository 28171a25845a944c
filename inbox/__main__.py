"""python -m inbox [create-admin EMAIL NAME | seed-booking]"""

import asyncio
import getpass
import logging
import sys

from aiohttp import web

from bot.booking import seed
from bot.clock import SystemClock
from bot.inbox import InboxError, create_staff
from bot.language import LANGUAGES
from bot.settings import Settings, SettingsError
from bot.storage import migrated_engine
from inbox.app import create_app
from scripts.run import BOOKING_SETUP


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if argv[:1] == ["seed-booking"]:
        with migrated_engine(settings.app_database_url).begin() as connection:
            done = seed(connection, BOOKING_SETUP)
        print("consultation-hour set-up loaded" if done else "there is a set-up already; nothing changed")
        return 0
    if argv[:1] == ["create-admin"]:
        if len(argv) != 3:
            print("usage: python -m inbox create-admin EMAIL NAME", file=sys.stderr)
            return 2
        password = getpass.getpass("password (10+ characters): ")
        engine = migrated_engine(settings.app_database_url)
        try:
            with engine.begin() as connection:
                create_staff(connection, argv[1], argv[2], password, "admin", list(LANGUAGES), SystemClock().now())
        except InboxError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"administrator {argv[1]} created")
        return 0
    asyncio.set_event_loop(asyncio.new_event_loop())
    web.run_app(create_app(settings, reminders=True), host=settings.host, port=settings.inbox_port, access_log=None)
    return 0


sys.exit(main(sys.argv[1:]))
