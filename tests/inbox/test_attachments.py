"""Staff open what users sent: fetched from the (fake) Telegram Bot API and Twilio media URLs with our
credentials, never exposing a token to the browser."""

from __future__ import annotations

import datetime as dt

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import inbox
from bot.clock import FixedClock
from bot.messaging import save_attachment
from bot.storage import migrated_engine
from inbox.app import create_app
from tests.channels.conftest import fakes  # noqa: F401 - the simulator's fake provider APIs
from tests.inbox.test_app import PASSWORD, log_in

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("channel", "kind", "reference", "content_type", "starts"),
    [
        ("telegram", "voice", "voice-abc123", "audio/ogg", b"OggS"),
        ("telegram", "photo", "photo-abc123", "image/jpeg", b"\xff\xd8"),
        ("whatsapp", "photo", "{simulator}/sim/media/sample.jpg", "image/jpeg", b"\xff\xd8"),
    ],
)
async def test_an_attachment_opens_for_logged_in_staff(fakes, store, channel, kind, reference, content_type, starts):  # noqa: F811
    _, settings = fakes
    engine = migrated_engine(settings.app_database_url)
    with engine.begin() as connection:
        inbox.create_staff(connection, "agent@vwn.nl", "Yonas", PASSWORD, "agent", ["ar"], NOW)
        ref = reference.format(simulator=settings.simulator_url)
        attachment_id = save_attachment(connection, f"{channel}:1", channel, kind, ref, NOW, content_type)
    client = TestClient(TestServer(create_app(settings, engine, store, FixedClock(NOW))))
    await client.start_server()
    try:
        assert (await client.get(f"/attachments/{attachment_id}", allow_redirects=False)).status == 401
        await log_in(client, "agent@vwn.nl")
        response = await client.get(f"/attachments/{attachment_id}")
        assert response.status == 200 and response.content_type == content_type
        assert (await response.read()).startswith(starts)
        with engine.begin() as connection:
            assert inbox.audit_entries(connection)[0].action == "view attachment"
    finally:
        await client.close()
