"""Channel bookkeeping: what the Telegram and WhatsApp channels remember between webhooks.

- processed webhooks, so a retried delivery is handled once;
- when a user last wrote (WhatsApp allows free text only within 24 hours of that);
- attachments (voice notes, photos of letters) kept for staff;
- every outbound message with its delivery status, so nothing is lost silently;
- the numbered options last offered on WhatsApp, to turn "2" back into a button payload.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.language import ascii_digits
from bot.storage import attachments, aware, button_menus, contacts, inbound_messages, outbound_messages, utc

WHATSAPP_WINDOW = dt.timedelta(hours=24)
OUTBOUND_STATUSES = ("queued", "sent", "delivered", "read", "failed")


def first_delivery(
    connection: Connection, channel: str, provider_id: str, conversation_id: str, at: dt.datetime
) -> bool:
    """Record a webhook delivery; False when the same provider id was seen before (a retry)."""
    try:
        with connection.begin_nested():
            connection.execute(
                inbound_messages.insert().values(
                    channel=channel, provider_id=provider_id, conversation_id=conversation_id, received_at=utc(at)
                )
            )
    except IntegrityError:
        return False
    return True


def touch_contact(connection: Connection, conversation_id: str, channel: str, at: dt.datetime) -> None:
    updated = connection.execute(
        contacts.update().where(contacts.c.conversation_id == conversation_id).values(last_inbound_at=utc(at))
    )
    if updated.rowcount == 0:
        connection.execute(
            contacts.insert().values(conversation_id=conversation_id, channel=channel, last_inbound_at=utc(at))
        )


def last_inbound(connection: Connection, conversation_id: str) -> dt.datetime | None:
    value = connection.execute(
        sa.select(contacts.c.last_inbound_at).where(contacts.c.conversation_id == conversation_id)
    ).scalar()
    return aware(value) if value else None


def window_open(connection: Connection, conversation_id: str, now: dt.datetime) -> bool:
    """WhatsApp's customer-service window: free-form messages only within 24 h of the user's last one."""
    last = last_inbound(connection, conversation_id)
    return last is not None and utc(now) - last < WHATSAPP_WINDOW


@dataclass(frozen=True)
class Attachment:
    id: int
    conversation_id: str
    channel: str
    kind: str
    provider_ref: str
    mime_type: str | None
    caption: str | None
    received_at: dt.datetime


def save_attachment(
    connection: Connection,
    conversation_id: str,
    channel: str,
    kind: str,
    provider_ref: str,
    at: dt.datetime,
    mime_type: str | None = None,
    caption: str | None = None,
) -> int:
    result = connection.execute(
        attachments.insert().values(
            conversation_id=conversation_id,
            channel=channel,
            kind=kind,
            provider_ref=provider_ref,
            mime_type=mime_type,
            caption=caption,
            received_at=utc(at),
        )
    )
    return int(result.inserted_primary_key[0])


def get_attachment(connection: Connection, attachment_id: int) -> Attachment | None:
    row = connection.execute(sa.select(attachments).where(attachments.c.id == attachment_id)).first()
    return Attachment(**{**row._mapping, "received_at": aware(row.received_at)}) if row else None


def attachments_of(connection: Connection, conversation_id: str) -> list[Attachment]:
    rows = connection.execute(
        sa.select(attachments).where(attachments.c.conversation_id == conversation_id).order_by(attachments.c.id)
    )
    return [Attachment(**{**row._mapping, "received_at": aware(row.received_at)}) for row in rows]


@dataclass(frozen=True)
class Outbound:
    id: int
    conversation_id: str
    channel: str
    text: str
    status: str
    provider_id: str | None
    attempts: int
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    reference: str | None = None


def record_outbound(
    connection: Connection,
    conversation_id: str,
    channel: str,
    text: str,
    status: str,
    at: dt.datetime,
    reference: str | None = None,
) -> int:
    result = connection.execute(
        outbound_messages.insert().values(
            conversation_id=conversation_id,
            channel=channel,
            text=text,
            status=status,
            created_at=utc(at),
            updated_at=utc(at),
            reference=reference,
        )
    )
    return int(result.inserted_primary_key[0])


def update_outbound(connection: Connection, outbound_id: int, at: dt.datetime, **values: Any) -> None:
    unknown = set(values) - {"status", "provider_id", "attempts", "error"}
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if "status" in values and values["status"] not in OUTBOUND_STATUSES:
        raise ValueError(f"status {values['status']!r} is not one of {OUTBOUND_STATUSES}")
    connection.execute(
        outbound_messages.update().where(outbound_messages.c.id == outbound_id).values(updated_at=utc(at), **values)
    )


def update_outbound_by_provider_id(
    connection: Connection, provider_id: str, status: str, at: dt.datetime, error: str | None = None
) -> bool:
    """A delivery-status callback: False when the provider id is unknown."""
    values: dict[str, Any] = {"status": status, "updated_at": utc(at)}
    if error:
        values["error"] = error
    result = connection.execute(
        outbound_messages.update().where(outbound_messages.c.provider_id == provider_id).values(**values)
    )
    return bool(result.rowcount)


def outbound(
    connection: Connection,
    conversation_id: str | None = None,
    status: str | None = None,
    reference: str | None = None,
) -> list[Outbound]:
    query = sa.select(outbound_messages).order_by(outbound_messages.c.id)
    if reference is not None:
        query = query.where(outbound_messages.c.reference == reference)
    if conversation_id is not None:
        query = query.where(outbound_messages.c.conversation_id == conversation_id)
    if status is not None:
        query = query.where(outbound_messages.c.status == status)
    return [
        Outbound(**{**row._mapping, "created_at": aware(row.created_at), "updated_at": aware(row.updated_at)})
        for row in connection.execute(query)
    ]


def remember_options(
    connection: Connection, conversation_id: str, options: list[dict[str, str]], at: dt.datetime
) -> None:
    connection.execute(button_menus.delete().where(button_menus.c.conversation_id == conversation_id))
    connection.execute(button_menus.insert().values(conversation_id=conversation_id, options=options, sent_at=utc(at)))


def chosen_option(connection: Connection, conversation_id: str, text: str) -> str | None:
    """The payload of the option a WhatsApp user picked by number ("2", "٢", "2.") or by its words."""
    options = connection.execute(
        sa.select(button_menus.c.options).where(button_menus.c.conversation_id == conversation_id)
    ).scalar()
    if not options:
        return None
    answer = ascii_digits(text.strip())
    if match := re.fullmatch(r"(\d{1,2})[.)]?", answer):
        index = int(match.group(1)) - 1
        return str(options[index]["payload"]) if 0 <= index < len(options) else None
    folded = answer.casefold()
    for option in options:
        if option["title"].strip().casefold() == folded:
            return str(option["payload"])
    return None
