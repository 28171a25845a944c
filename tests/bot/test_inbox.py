"""Staff, sessions, cases, notes and the audit log, on SQLite and on real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine

from bot import inbox
from bot.inbox import InboxError

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone.utc)


def staff(engine: Engine, email: str = "sara@vwn.nl", languages: tuple[str, ...] = ("ti",), role: str = "agent"):
    with engine.begin() as connection:
        return inbox.create_staff(
            connection, email, email.split("@")[0].title(), "correct horse battery", role, list(languages), NOW
        )


def case(engine: Engine, conversation: str, language: str, minutes: int = 0, urgent: bool = False):
    with engine.begin() as connection:
        return inbox.open_case(
            connection, conversation, "telegram", language, "asked for a person", {"topics": []},
            NOW + dt.timedelta(minutes=minutes), urgent=urgent,
        )  # fmt: skip


def test_passwords_are_hashed_with_argon2_and_checked(database):
    created = staff(database)
    with database.begin() as connection:
        stored = connection.exec_driver_sql("select password_hash from staff").scalar()
        assert stored.startswith("$argon2") and "battery" not in stored
        assert inbox.authenticate(connection, "SARA@vwn.nl ", "correct horse battery") == created
        assert inbox.authenticate(connection, "sara@vwn.nl", "wrong password") is None
        assert inbox.authenticate(connection, "nobody@vwn.nl", "correct horse battery") is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short"}, "at least 10"),
        ({"role": "boss"}, "role must be"),
        ({"languages": ["xx"]}, "languages must be"),
        ({"email": "not-an-address"}, "not an e-mail"),
    ],
)
def test_bad_staff_fields_are_refused_clearly(database, fields, message):
    values = {"email": "a@vwn.nl", "name": "A", "password": "long enough pw", "role": "agent", "languages": ["ar"]}
    values.update(fields)
    with database.begin() as connection, pytest.raises(InboxError, match=message):
        inbox.create_staff(connection, at=NOW, **values)


def test_a_session_expires_and_a_deactivated_account_loses_it(database):
    person = staff(database)
    with database.begin() as connection:
        token, csrf = inbox.open_session(connection, person.id, NOW)
        assert inbox.session_staff(connection, token, NOW + dt.timedelta(hours=1)) == (person, csrf)
        assert inbox.session_staff(connection, token, NOW + inbox.SESSION_LIFETIME) is None
        assert inbox.session_staff(connection, "forged", NOW) is None
        inbox.update_staff(connection, person.id, active=False)
        assert inbox.session_staff(connection, token, NOW) is None


def test_one_open_case_per_conversation_and_urgency_sticks(database):
    first = case(database, "telegram:1", "ti")
    again = case(database, "telegram:1", "ti", minutes=5, urgent=True)
    assert again.id == first.id and again.urgent
    assert case(database, "telegram:1", "ti", minutes=6).urgent


def test_the_queue_puts_urgent_first_then_my_languages_then_the_longest_waiting(database):
    tigrinya_speaker = staff(database, languages=("ti",))
    arabic_old = case(database, "whatsapp:+1", "ar", minutes=0)
    tigrinya_new = case(database, "telegram:2", "ti", minutes=10)
    urgent_farsi = case(database, "telegram:3", "fa", minutes=20, urgent=True)
    with database.begin() as connection:
        order = [c.id for c in inbox.queue(connection, tigrinya_speaker)]
        arabic_view = [c.id for c in inbox.queue(connection, staff(database, "ali@vwn.nl", ("ar",)))]
    assert order == [urgent_farsi.id, tigrinya_new.id, arabic_old.id]
    assert arabic_view == [urgent_farsi.id, arabic_old.id, tigrinya_new.id]


def test_assign_resolve_and_notes(database):
    person = staff(database)
    opened = case(database, "telegram:1", "ti")
    with database.begin() as connection:
        assert inbox.assign(connection, opened.id, person.id, NOW).status == "open"
        assert inbox.assign(connection, opened.id, None, NOW).status == "pending"
        inbox.add_note(connection, opened.id, person.id, "Letter is a herstelverzuim", NOW)
        assert [n.text for n in inbox.notes(connection, opened.id)] == ["Letter is a herstelverzuim"]
        resolved = inbox.resolve(connection, opened.id, NOW)
        assert resolved.status == "resolved" and resolved.resolved_at == NOW
        with pytest.raises(InboxError, match="resolved"):
            inbox.assign(connection, opened.id, person.id, NOW)
        assert inbox.counts(connection) == {"pending": 0, "open": 0, "resolved": 1}
    assert case(database, "telegram:1", "ti").id != opened.id  # a new request after resolving is a new case


def test_the_audit_log_keeps_who_did_what(database):
    person = staff(database)
    with database.begin() as connection:
        inbox.audit(connection, person.id, "view", "case:1", NOW)
        inbox.audit(connection, None, "login failed", "email:x@y.z", NOW)
        entries = inbox.audit_entries(connection)
    assert [(e.staff_name, e.action, e.target) for e in entries] == [
        (None, "login failed", "email:x@y.z"),
        (person.name, "view", "case:1"),
    ]
