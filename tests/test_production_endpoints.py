"""endpoints.production.yml, filled from BOT_* settings, against the real PostgreSQL, Redis and RabbitMQ.

These run on the services that .ci/run (scripts/services.sh) starts on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.settings import ROOT, Settings

LOCAL_SERVICES = {
    "BOT_MODE": "production",
    "BOT_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
    "BOT_REDIS_URL": "redis://127.0.0.1:6379/3",
    "BOT_RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "BOT_API_TOKEN": "test-token",
}
DOMAIN = Domain.load(str(ROOT / "domain"))


@pytest.fixture
def production_endpoints(monkeypatch: pytest.MonkeyPatch):
    settings = Settings.from_env(LOCAL_SERVICES)
    for name, value in settings.rasa_environment().items():
        monkeypatch.setenv(name, value)
    return lambda kind: read_endpoint_config(str(settings.endpoints_file), kind)


async def test_trackers_are_stored_in_postgresql(production_endpoints):
    store = TrackerStore.create(production_endpoints("tracker_store"), DOMAIN)
    assert isinstance(store, SQLTrackerStore)
    assert store.engine.dialect.name == "postgresql"
    sender = f"test-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("ሰላም"), SlotSet("language", "ti")])
    await store.save(tracker)
    again = await store.retrieve(sender)
    assert again is not None
    assert again.get_slot("language") == "ti"
    assert again.latest_message.text == "ሰላም"


async def test_conversations_are_locked_in_redis(production_endpoints):
    store = LockStore.create(production_endpoints("lock_store"))
    assert isinstance(store, RedisLockStore)
    sender = f"test-{uuid.uuid4().hex}"
    async with store.lock(sender):
        assert store.get_lock(sender) is not None
        assert store.red.keys(f"vwn*{sender}")
    assert store.get_lock(sender) is None


async def test_events_are_published_to_rabbitmq(production_endpoints):
    broker = await EventBroker.create(production_endpoints("event_broker"))
    assert broker is not None
    sender = f"test-{uuid.uuid4().hex}"
    broker.publish({"sender_id": sender, "event": "user", "text": "مرحبا"})
    await asyncio.sleep(0.5)
    await broker.close()

    connection = await aio_pika.connect_robust("amqp://guest:guest@127.0.0.1:5672/")
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("rasa_events", durable=True)
        found = None
        while found is None and (message := await queue.get(no_ack=True, fail=False)) is not None:
            body = json.loads(message.body)
            if body.get("sender_id") == sender:
                found = body
    assert found is not None and found["text"] == "مرحبا"
