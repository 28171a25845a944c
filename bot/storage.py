"""The project's own database: channel bookkeeping, the handoff inbox (staff, cases, notes, audit log) and
the consultation-hour bookings (locations, schedules, closures, slots, bookings).

SQLite in local mode, PostgreSQL in production (`Settings.app_database_url`). The schema is
created and changed only by migrations (migrations/versions/); the Table objects below mirror it
for queries. Functions that touch storage take a Connection, so a caller decides the transaction.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
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
    sa.Column("reference", sa.String(64), index=True),  # e.g. "staff_reply:12"
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


staff = sa.Table(
    "staff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),  # agent, admin
    sa.Column("languages", sa.JSON, nullable=False),  # codes the person speaks: routing by language
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),  # the cookie holds the token, never stored
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(128), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending → open (assigned) → resolved
    sa.Column("urgent", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("packet", sa.JSON, nullable=False),
    sa.Column("assigned_to", sa.Integer, sa.ForeignKey("staff.id")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
)

case_notes = sa.Table(
    "case_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff.id")),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(128), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)


locations = sa.Table(
    "locations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("aliases", sa.JSON, nullable=False),  # other spellings people type ("ter apel", "تير أبل")
    sa.Column("vwn_on_site", sa.Boolean, nullable=False),
    sa.Column("nearby_vwn_id", sa.Integer, sa.ForeignKey("locations.id")),  # where to meet in person
    sa.Column("active", sa.Boolean, nullable=False),
)

schedules = sa.Table(
    "schedules",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("team", sa.String(200), nullable=False),
    sa.Column("location_id", sa.Integer, sa.ForeignKey("locations.id")),  # None: the digital team
    sa.Column("weekday", sa.Integer, nullable=False),  # 0 = Monday
    sa.Column("start_time", sa.String(5), nullable=False),  # "09:00", Amsterdam time
    sa.Column("end_time", sa.String(5), nullable=False),
    sa.Column("slot_minutes", sa.Integer, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("kinds", sa.JSON, nullable=False),  # video, phone, in_person
    sa.Column("interpreter_languages", sa.JSON, nullable=False),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_until", sa.Date),
    sa.Column("active", sa.Boolean, nullable=False),
)

closures = sa.Table(
    "closures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("location_id", sa.Integer, sa.ForeignKey("locations.id")),  # None: everywhere
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

slots = sa.Table(
    "slots",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("schedule_id", sa.Integer, sa.ForeignKey("schedules.id"), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("booked", sa.Integer, nullable=False),
    sa.Column("cancelled", sa.Boolean, nullable=False),
    sa.UniqueConstraint("schedule_id", "starts_at", name="uq_slot_schedule_start"),
)

bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(128), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("slot_id", sa.Integer, sa.ForeignKey("slots.id"), nullable=False),
    sa.Column("location_id", sa.Integer, sa.ForeignKey("locations.id")),  # where the user lives
    sa.Column("language", sa.String(8), nullable=False),  # the language they want to speak
    sa.Column("topic", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("interpreter", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # booked, cancelled, attended, no_show
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reminder_sent_at", sa.DateTime(timezone=True)),
)


def utc(value: dt.datetime) -> dt.datetime:
    """Timestamps are stored in UTC: SQLite keeps no offset, so an aware value is converted first."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(dt.timezone.utc)


def aware(value: dt.datetime) -> dt.datetime:
    """A stored timestamp back as an aware datetime (SQLite hands back naive UTC values)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


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


@lru_cache(maxsize=4)
def shared_engine(url: str) -> Engine:
    """One migrated engine (and connection pool) per database for the whole process."""
    return migrated_engine(url)
