"""The handoff inbox's core: staff accounts and sessions, cases, private notes and the audit log.

Framework-free and storage-explicit: every function takes the SQLAlchemy connection, so the web app
(inbox/) and the Rasa action that opens cases (actions/handoff.py) decide the transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection, Row

from bot.language import LANGUAGES
from bot.storage import audit_log, aware, case_notes, cases, staff, staff_sessions, utc

ROLES = ("agent", "admin")
STATUSES = ("pending", "open", "resolved")
SESSION_LIFETIME = dt.timedelta(hours=12)
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified against when an e-mail address is unknown, so a failed login takes as long either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class InboxError(ValueError):
    """A request the inbox refuses, with a message fit to show to staff."""


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    name: str
    role: str
    languages: tuple[str, ...]
    active: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Case:
    id: int
    conversation_id: str
    channel: str
    language: str
    status: str
    urgent: bool
    reason: str
    packet: dict[str, Any]
    assigned_to: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None


@dataclass(frozen=True)
class Note:
    id: int
    case_id: int
    staff_id: int
    staff_name: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    staff_id: int | None
    staff_name: str | None
    action: str
    target: str
    detail: str | None
    at: dt.datetime


# --- staff -------------------------------------------------------------------------------------------


def _staff(row: Row[Any]) -> Staff:
    return Staff(row.id, row.email, row.name, row.role, tuple(row.languages or ()), bool(row.active))


def _check_staff_fields(role: str | None, languages: list[str] | None, password: str | None) -> None:
    if role is not None and role not in ROLES:
        raise InboxError(f"role must be one of {', '.join(ROLES)}")
    if languages is not None and any(code not in LANGUAGES for code in languages):
        raise InboxError(f"languages must be codes of {', '.join(LANGUAGES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InboxError(f"a password needs at least {MIN_PASSWORD} characters")


def create_staff(
    connection: Connection,
    email: str,
    name: str,
    password: str,
    role: str,
    languages: list[str],
    at: dt.datetime,
) -> Staff:
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email):
        raise InboxError("that is not an e-mail address")
    if not name.strip():
        raise InboxError("a name is needed")
    _check_staff_fields(role, languages, password)
    if connection.execute(sa.select(staff.c.id).where(staff.c.email == email)).first():
        raise InboxError(f"{email} has an account already")
    result = connection.execute(
        staff.insert().values(
            email=email,
            name=name.strip(),
            password_hash=_hasher.hash(password),
            role=role,
            languages=list(languages),
            active=True,
            created_at=utc(at),
        )  # fmt: skip
    )
    return get_staff(connection, int(result.inserted_primary_key[0]))


def get_staff(connection: Connection, staff_id: int) -> Staff:
    row = connection.execute(sa.select(staff).where(staff.c.id == staff_id)).first()
    if row is None:
        raise InboxError(f"no staff member {staff_id}")
    return _staff(row)


def list_staff(connection: Connection) -> list[Staff]:
    return [_staff(row) for row in connection.execute(sa.select(staff).order_by(staff.c.name))]


def update_staff(
    connection: Connection,
    staff_id: int,
    *,
    role: str | None = None,
    languages: list[str] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> Staff:
    _check_staff_fields(role, languages, password)
    values: dict[str, Any] = {}
    if role is not None:
        values["role"] = role
    if languages is not None:
        values["languages"] = list(languages)
    if active is not None:
        values["active"] = active
    if password is not None:
        values["password_hash"] = _hasher.hash(password)
    if values:
        connection.execute(staff.update().where(staff.c.id == staff_id).values(**values))
    if active is False or password is not None:
        connection.execute(staff_sessions.delete().where(staff_sessions.c.staff_id == staff_id))
    return get_staff(connection, staff_id)


def authenticate(connection: Connection, email: str, password: str) -> Staff | None:
    row = connection.execute(sa.select(staff).where(staff.c.email == email.strip().lower())).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return _staff(row)


def open_session(connection: Connection, staff_id: int, at: dt.datetime) -> tuple[str, str]:
    """A new login session: (cookie token, CSRF token). Only a hash of the cookie token is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    connection.execute(
        staff_sessions.insert().values(
            token_hash=_token_hash(token),
            staff_id=staff_id,
            csrf_token=csrf,
            created_at=utc(at),
            expires_at=utc(at + SESSION_LIFETIME),
        )  # fmt: skip
    )
    return token, csrf


def session_staff(connection: Connection, token: str, at: dt.datetime) -> tuple[Staff, str] | None:
    """The active staff member and CSRF token of a session cookie, or None."""
    row = connection.execute(
        sa.select(staff, staff_sessions.c.csrf_token, staff_sessions.c.expires_at)
        .join(staff_sessions, staff_sessions.c.staff_id == staff.c.id)
        .where(staff_sessions.c.token_hash == _token_hash(token))
    ).first()
    if row is None or not row.active or aware(row.expires_at) <= at:
        return None
    return _staff(row), str(row.csrf_token)


def close_session(connection: Connection, token: str) -> None:
    connection.execute(staff_sessions.delete().where(staff_sessions.c.token_hash == _token_hash(token)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- cases ---------------------------------------------------------------------------------------


def _case(row: Row[Any]) -> Case:
    return Case(
        row.id, row.conversation_id, row.channel, row.language, row.status, bool(row.urgent), row.reason,
        dict(row.packet or {}), row.assigned_to, aware(row.created_at), aware(row.updated_at),
        aware(row.resolved_at) if row.resolved_at else None,
    )  # fmt: skip


def open_case(
    connection: Connection,
    conversation_id: str,
    channel: str,
    language: str,
    reason: str,
    packet: dict[str, Any],
    at: dt.datetime,
    urgent: bool = False,
) -> Case:
    """Open a case, or bring the conversation's unresolved case up to date (one open case per conversation)."""
    existing = unresolved_case(connection, conversation_id)
    if existing is not None:
        values: dict[str, Any] = {"updated_at": utc(at), "packet": packet}
        if urgent and not existing.urgent:
            values.update(urgent=True, reason=reason)
        connection.execute(cases.update().where(cases.c.id == existing.id).values(**values))
        return get_case(connection, existing.id)
    result = connection.execute(
        cases.insert().values(
            conversation_id=conversation_id,
            channel=channel,
            language=language,
            status="pending",
            urgent=urgent,
            reason=reason,
            packet=packet,
            created_at=utc(at),
            updated_at=utc(at),
        )  # fmt: skip
    )
    return get_case(connection, int(result.inserted_primary_key[0]))


def get_case(connection: Connection, case_id: int) -> Case:
    row = connection.execute(sa.select(cases).where(cases.c.id == case_id)).first()
    if row is None:
        raise InboxError(f"no case {case_id}")
    return _case(row)


def unresolved_case(connection: Connection, conversation_id: str) -> Case | None:
    row = connection.execute(
        sa.select(cases)
        .where(cases.c.conversation_id == conversation_id, cases.c.status != "resolved")
        .order_by(cases.c.id.desc())
    ).first()
    return _case(row) if row else None


def queue(
    connection: Connection,
    for_staff: Staff,
    status: str = "pending",
    language: str | None = None,
    channel: str | None = None,
    limit: int = 200,
) -> list[Case]:
    """Cases in the order this staff member should take them: urgent first, then the languages they
    speak (a Tigrinya case goes to Tigrinya speakers first), then the longest waiting."""
    if status not in STATUSES:
        raise InboxError(f"status must be one of {', '.join(STATUSES)}")
    query = sa.select(cases).where(cases.c.status == status)
    if language:
        query = query.where(cases.c.language == language)
    if channel:
        query = query.where(cases.c.channel == channel)
    speaks = cases.c.language.in_(for_staff.languages) if for_staff.languages else sa.false()
    order = [cases.c.urgent.desc(), sa.case((speaks, 0), else_=1)]
    order.append(cases.c.created_at.asc() if status != "resolved" else cases.c.resolved_at.desc())
    return [_case(row) for row in connection.execute(query.order_by(*order).limit(limit))]


def counts(connection: Connection) -> dict[str, int]:
    rows = connection.execute(sa.select(cases.c.status, sa.func.count()).group_by(cases.c.status))
    found = {status: int(count) for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES}


def assign(connection: Connection, case_id: int, staff_id: int | None, at: dt.datetime) -> Case:
    case = get_case(connection, case_id)
    if case.status == "resolved":
        raise InboxError("this case is resolved")
    if staff_id is not None:
        get_staff(connection, staff_id)
    status = "open" if staff_id is not None else "pending"
    connection.execute(
        cases.update().where(cases.c.id == case_id).values(assigned_to=staff_id, status=status, updated_at=utc(at))
    )
    return get_case(connection, case_id)


def resolve(connection: Connection, case_id: int, at: dt.datetime) -> Case:
    case = get_case(connection, case_id)
    if case.status == "resolved":
        raise InboxError("this case is resolved already")
    connection.execute(
        cases.update().where(cases.c.id == case_id).values(status="resolved", resolved_at=utc(at), updated_at=utc(at))
    )
    return get_case(connection, case_id)


def touch(connection: Connection, case_id: int, at: dt.datetime) -> None:
    connection.execute(cases.update().where(cases.c.id == case_id).values(updated_at=utc(at)))


def changed_since(connection: Connection, since: dt.datetime) -> bool:
    """Whether any case changed after `since` (the inbox's live updates)."""
    return connection.execute(sa.select(cases.c.id).where(cases.c.updated_at > utc(since)).limit(1)).first() is not None


def add_note(connection: Connection, case_id: int, staff_id: int, text: str, at: dt.datetime) -> None:
    if not text.strip():
        raise InboxError("an empty note")
    get_case(connection, case_id)
    connection.execute(
        case_notes.insert().values(case_id=case_id, staff_id=staff_id, text=text.strip()[:10_000], created_at=utc(at))
    )
    touch(connection, case_id, at)


def notes(connection: Connection, case_id: int) -> list[Note]:
    rows = connection.execute(
        sa.select(case_notes, staff.c.name)
        .join(staff, staff.c.id == case_notes.c.staff_id)
        .where(case_notes.c.case_id == case_id)
        .order_by(case_notes.c.id)
    )
    return [Note(r.id, r.case_id, r.staff_id, r.name, r.text, aware(r.created_at)) for r in rows]


# --- audit log ---------------------------------------------------------------------------------------


def audit(
    connection: Connection, staff_id: int | None, action: str, target: str, at: dt.datetime, detail: str | None = None
) -> None:
    connection.execute(
        audit_log.insert().values(staff_id=staff_id, action=action, target=target, detail=detail, at=utc(at))
    )


def audit_entries(connection: Connection, limit: int = 200, target: str | None = None) -> list[AuditEntry]:
    query = sa.select(audit_log, staff.c.name).outerjoin(staff, staff.c.id == audit_log.c.staff_id)
    if target:
        query = query.where(audit_log.c.target == target)
    rows = connection.execute(query.order_by(audit_log.c.id.desc()).limit(limit))
    return [AuditEntry(r.id, r.staff_id, r.name, r.action, r.target, r.detail, aware(r.at)) for r in rows]
