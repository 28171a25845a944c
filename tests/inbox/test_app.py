"""The inbox web app against a stand-in for Rasa's HTTP API: login, CSRF, roles on every endpoint, replies."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import inbox
from bot.clock import FixedClock
from bot.content import ContentStore
from bot.settings import Settings
from bot.storage import migrated_engine
from inbox.app import create_app
from tests.channels.conftest import free_port

PASSWORD = "correct horse battery"
CONVERSATION = "telegram:777"


class FakeRasa:
    """Rasa's tracker endpoints, recording what the inbox appends."""

    def __init__(self) -> None:
        self.appended: list[dict[str, Any]] = []
        self.queries: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/conversations/{id}/tracker", self.tracker)
        app.router.add_post("/conversations/{id}/tracker/events", self.events)
        return app

    async def tracker(self, request: web.Request) -> web.Response:
        events = [{"event": "user", "text": "أريد التحدث مع شخص", "timestamp": 1_796_000_000, "metadata": {}}]
        events += [{**e, "timestamp": 1_796_000_100} for e in self.appended if e["event"] == "bot"]
        slots = {"language": "ar"}
        return web.json_response({"sender_id": request.match_info["id"], "events": events, "slots": slots})

    async def events(self, request: web.Request) -> web.Response:
        self.queries.append(dict(request.query))
        body = await request.json()
        self.appended.extend(body if isinstance(body, list) else [body])
        return web.json_response({})


@pytest.fixture
async def setup(tmp_path: Path, store: ContentStore) -> AsyncIterator[tuple[TestClient, FakeRasa, Any]]:
    rasa, port = FakeRasa(), free_port()
    runner = web.AppRunner(rasa.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    settings = Settings.from_env({"BOT_RASA_PORT": str(port), "BOT_STATE_DIR": str(tmp_path)})
    engine = migrated_engine(settings.app_database_url)
    clock = FixedClock(dt.datetime(2026, 12, 7, 10, 0))
    with engine.begin() as connection:
        inbox.create_staff(connection, "admin@vwn.nl", "Anna", PASSWORD, "admin", ["nl", "en"], clock.now())
        inbox.create_staff(connection, "agent@vwn.nl", "Yonas", PASSWORD, "agent", ["ti", "ar"], clock.now())
        inbox.open_case(connection, CONVERSATION, "telegram", "ar", "asked for a person", {"topics": []}, clock.now())
    client = TestClient(TestServer(create_app(settings, engine, store, clock)))
    await client.start_server()
    yield client, rasa, engine
    await client.close()
    await runner.cleanup()


async def log_in(client: TestClient, email: str) -> str:
    response = await client.post("/login", data={"email": email, "password": PASSWORD}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/")).text()
    match = re.search(r'name="csrf" content="([^"]+)"', page)
    assert match
    return match.group(1)


GET_PAGES = ["/", "/cases/1", "/cases/1/messages", "/admin/staff", "/admin/audit", "/attachments/1", "/events"]
POSTS = [
    "/cases/next", "/cases/1/assign", "/cases/1/notes", "/cases/1/reply", "/cases/1/resolve",
    "/admin/staff", "/admin/staff/1", "/logout",
]  # fmt: skip


@pytest.mark.parametrize("path", GET_PAGES + POSTS)
async def test_every_endpoint_needs_a_login(setup, path):
    client, _, _ = setup
    method = client.post if path in POSTS else client.get
    response = await method(path, allow_redirects=False)
    assert response.status in (303, 401)
    if response.status == 303:
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", ["/admin/staff", "/admin/audit"])
async def test_an_agent_cannot_open_admin_pages(setup, path):
    client, _, _ = setup
    await log_in(client, "agent@vwn.nl")
    assert (await client.get(path)).status == 403


@pytest.mark.parametrize("path", ["/admin/staff", "/admin/staff/2"])
async def test_an_agent_cannot_manage_accounts_even_with_a_valid_csrf_token(setup, path):
    client, _, engine = setup
    csrf = await log_in(client, "agent@vwn.nl")
    data = {"csrf": csrf, "email": "x@vwn.nl", "name": "X", "password": PASSWORD, "role": "admin", "active": "on"}
    assert (await client.post(path, data=data, allow_redirects=False)).status == 403
    with engine.begin() as connection:
        assert [s.email for s in inbox.list_staff(connection)] == ["admin@vwn.nl", "agent@vwn.nl"]
        assert inbox.audit_entries(connection)[0].action == "refused"


async def test_a_post_without_the_csrf_token_is_refused(setup):
    client, rasa, _ = setup
    await log_in(client, "agent@vwn.nl")
    response = await client.post("/cases/1/reply", data={"text": "hello"}, allow_redirects=False)
    assert response.status == 403
    assert rasa.appended == []


async def test_a_wrong_password_is_refused_and_logged(setup):
    client, _, engine = setup
    response = await client.post("/login", data={"email": "agent@vwn.nl", "password": "nope"}, allow_redirects=False)
    assert response.status == 200 and "Wrong e-mail address or password" in await response.text()
    with engine.begin() as connection:
        assert inbox.audit_entries(connection)[0].action == "login failed"


async def test_an_admin_creates_an_agent_who_can_then_log_in(setup):
    client, _, _ = setup
    csrf = await log_in(client, "admin@vwn.nl")
    data = [("csrf", csrf), ("email", "new@vwn.nl"), ("name", "Mahmoud"), ("password", PASSWORD),
            ("role", "agent"), ("languages", "prs"), ("languages", "fa")]  # fmt: skip
    assert (await client.post("/admin/staff", data=data, allow_redirects=False)).status == 303
    client.session.cookie_jar.clear()
    await log_in(client, "new@vwn.nl")


async def test_reading_a_case_is_audited_and_shows_the_conversation(setup):
    client, _, engine = setup
    await log_in(client, "agent@vwn.nl")
    page = await (await client.get("/cases/1")).text()
    assert "أريد التحدث مع شخص" in page and 'dir="auto"' in page
    with engine.begin() as connection:
        assert ("view", "case:1") in [(e.action, e.target) for e in inbox.audit_entries(connection)]


async def test_a_canned_reply_goes_to_the_users_channel_and_the_case_becomes_mine(setup, store):
    client, rasa, engine = setup
    csrf = await log_in(client, "agent@vwn.nl")
    page = await (await client.get("/cases/1")).text()
    hello = store.get("canned.hello", "ar").text
    assert hello in page and store.get("canned.hello", "nl").text in page  # the Dutch meaning beside it
    response = await client.post(
        "/cases/1/reply", data={"csrf": csrf, "text": hello, "topic": "canned.hello"}, allow_redirects=False
    )
    assert response.status == 303
    [event] = rasa.appended
    assert event["event"] == "bot" and event["text"] == hello
    assert event["metadata"]["staff"] == "Yonas" and event["metadata"]["reference"].startswith("staff_reply:")
    assert rasa.queries[0]["execute_side_effects"] == "true" and rasa.queries[0]["output_channel"] == "latest"
    with engine.begin() as connection:
        case = inbox.get_case(connection, 1)
    assert (case.status, case.assigned_to) == ("open", 2)


async def test_resolving_resumes_the_bot_and_tells_the_user_in_their_language(setup, store):
    client, rasa, engine = setup
    csrf = await log_in(client, "agent@vwn.nl")
    assert (await client.post("/cases/1/resolve", data={"csrf": csrf}, allow_redirects=False)).status == 303
    assert [e["event"] for e in rasa.appended] == ["resume", "slot", "slot", "bot", "action"]
    assert rasa.appended[3]["text"] == store.get("ui.handoff_resumed", "ar").text
    with engine.begin() as connection:
        assert inbox.get_case(connection, 1).status == "resolved"
    again = await client.post("/cases/1/reply", data={"csrf": csrf, "text": "hi"}, allow_redirects=False)
    assert again.status == 400


async def test_take_next_assigns_the_first_case_for_my_languages(setup):
    client, _, engine = setup
    with engine.begin() as connection:
        later = dt.datetime(2026, 12, 7, 10, 5, tzinfo=dt.timezone.utc)
        inbox.open_case(connection, "telegram:9", "telegram", "ti", "asked for a person", {}, later)
    csrf = await log_in(client, "agent@vwn.nl")  # speaks ti and ar: the older Arabic case comes first
    response = await client.post("/cases/next", data={"csrf": csrf}, allow_redirects=False)
    assert response.headers["Location"] == "/cases/1"


async def test_failed_and_waiting_messages_are_visible_to_staff(setup):
    from bot.messaging import record_outbound, update_outbound

    client, _, engine = setup
    now = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)
    with engine.begin() as connection:
        failed = record_outbound(connection, CONVERSATION, "telegram", "مرحبا، هذا رد الموظف", "queued", now)
        update_outbound(connection, failed, now, status="failed", error="gave up after 5 attempts: 502", attempts=5)
        waiting = record_outbound(connection, "whatsapp:+31600000009", "whatsapp", "Reminder", "queued", now)
        update_outbound(connection, waiting, now, error="WhatsApp 24-hour window closed")
        record_outbound(connection, CONVERSATION, "telegram", "delivered fine", "sent", now)
    await log_in(client, "agent@vwn.nl")
    page = await (await client.get("/deliveries")).text()
    assert "gave up after 5 attempts" in page and "24-hour window closed" in page and "delivered fine" not in page
    assert 'href="/cases/1"' in page
