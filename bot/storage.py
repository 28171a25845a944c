"""The project's own database: channel bookkeeping now; bookings and the handoff inbox build on it.

SQLite in local mode, PostgreSQL in production (`Settings.app_database_url`). The schema is
created and changed only by migrations (migrations/versions/); the Table objects below mirror it
for queries. Functions that touch storage take a Connection, so a caller decides the transaction.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from bot.settings import ROOT

metadata = sa.MetaData()

inbound_messages = sa.Table(
    "inbound_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("provider_id", sa.String(128), nullable=False),  # Telegram update_id, Twilio MessageSid
    sa.Column("conversation_id", sa.String(128), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("channel", "provider_id", name="uq_inbound_provider_id"),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("conversation_id", sa.String(128), primary_key=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=False),
)

attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),  # voice, photo, document, sticker, location, video, …
    sa.Column("provider_ref", sa.Text, nullable=False),  # Telegram file_id, Twilio media URL, "lat,lon"
    sa.Column("mime_type", sa.String(128)),
    sa.Column("caption", sa.Text),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

outbound_messages = sa.Table(
    "outbound_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # queued (waiting, e.g. for the WhatsApp window) → sent → delivered/read; or failed
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("provider_id", sa.String(128), index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

button_menus = sa.Table(
    "button_menus",
    metadata,
    # The numbered options last sent to a WhatsApp user, so "2" or the words of option 2 can be
    # turned back into its payload.
    sa.Column("conversation_id", sa.String(128), primary_key=True),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
)


def engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # SQLite serialises writers; waiting beats "database is locked" under a burst of webhooks.
        return sa.create_engine(url, future=True, connect_args={"timeout": 30})
    return sa.create_engine(url, future=True, pool_pre_ping=True)


def migrate(connection: Connection) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def migrated_engine(url: str) -> Engine:
    eng = engine(url)
    with eng.begin() as connection:
        migrate(connection)
    return eng
