"""The one settings object of the project, read from the environment.

Local mode (the default) needs nothing: SQLite tracker store, in-memory lock store, no event broker,
everything bound to 127.0.0.1. Production mode switches Rasa to PostgreSQL, Redis and RabbitMQ and
refuses to start unless every secret it needs is set, so a misconfigured deployment fails at once
instead of on the first user message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping
from urllib.parse import unquote, urlsplit

from bot.office_hours import OfficeHours

ROOT = Path(__file__).resolve().parent.parent

Mode = Literal["local", "production"]


class SettingsError(RuntimeError):
    """A setting is missing or malformed; the message names the variable and how to fix it."""


@dataclass(frozen=True)
class ServiceUrl:
    """The parts of a service URL that Rasa's endpoint configuration wants as separate fields."""

    host: str
    port: int | None
    username: str | None
    password: str | None
    path: str

    @classmethod
    def parse(cls, name: str, url: str, schemes: tuple[str, ...]) -> ServiceUrl:
        parts = urlsplit(url)
        if parts.scheme not in schemes or not parts.hostname:
            raise SettingsError(
                f"{name}={url!r} is not a valid URL; expected {schemes[0]}://[user[:password]@]host[:port]/…"
            )
        return cls(
            host=parts.hostname,
            port=parts.port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            path=parts.path.lstrip("/"),
        )


# Local mode's fixed credentials: only the local fakes of the provider APIs accept them.
LOCAL_TELEGRAM_TOKEN = "123456:local-telegram-token"
LOCAL_TWILIO_SID = "AC" + "0" * 32
LOCAL_WHATSAPP_FROM = "whatsapp:+10000000000"
LOCAL_SECRET = "local-secret"


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    secret: str
    api_url: str  # python-telegram-bot's base_url: the token is appended
    file_url: str  # its base_file_url, for downloading what users sent
    local: bool


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    whatsapp_from: str
    api_url: str | None  # None: Twilio's own
    template_sid: str | None
    local: bool


@dataclass(frozen=True)
class Settings:
    mode: Mode = "local"
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    # Where local-mode state (SQLite tracker store, logs, pid files) lives.
    state_dir: Path = ROOT / ".run"
    content_dir: Path = ROOT / "content"
    model_dir: Path = ROOT / "models"
    # Required in production mode only.
    database_url: str | None = None
    redis_url: str | None = None
    rabbitmq_url: str | None = None
    api_token: str | None = None
    # The address the providers reach the Rasa server at: Twilio signs requests for this URL, and
    # Telegram is told to send its webhook there.
    public_url: str = "http://127.0.0.1:5005"
    # Messaging channels. Without a token a channel runs in local mode: it talks to the local fakes of
    # the provider APIs that the phone simulator serves, with the fixed credentials below.
    simulator_port: int = 5080
    # The staff handoff inbox (a web app) and when staff answer (Amsterdam time).
    inbox_port: int = 5070
    office_hours: str = "mon-fri 09:00-17:00"
    # How many future consultation-hour appointments one user may hold at once.
    max_appointments: int = 2
    telegram_token: str | None = None
    telegram_secret: str | None = None
    telegram_api_url: str | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None
    twilio_api_url: str | None = None
    # A pre-approved WhatsApp template (Twilio Content SID) for messages outside the 24-hour window.
    twilio_template_sid: str | None = None

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def api_query(self) -> str:
        """The query string that authenticates a call to Rasa's HTTP API; empty without a token."""
        return f"?token={self.api_token}" if self.api_token else ""

    def hours(self) -> OfficeHours:
        return OfficeHours.parse(self.office_hours)

    @property
    def inbox_url(self) -> str:
        return f"http://{self.host}:{self.inbox_port}"

    @property
    def simulator_url(self) -> str:
        return f"http://{self.host}:{self.simulator_port}"

    @property
    def app_database_url(self) -> str:
        """The project's own tables (bookings, handoff cases, channel bookkeeping): SQLite locally,
        the production PostgreSQL database otherwise (beside Rasa's tracker table)."""
        if self.mode == "production" and self.database_url:
            return "postgresql+psycopg2://" + self.database_url.split("://", 1)[1]
        return f"sqlite:///{self.state_dir / 'app.db'}"

    @property
    def telegram(self) -> TelegramSettings:
        if self.telegram_token:
            return TelegramSettings(
                self.telegram_token,
                self.telegram_secret or "",
                self.telegram_api_url or "https://api.telegram.org/bot",
                (self.telegram_api_url or "https://api.telegram.org/bot").removesuffix("/bot") + "/file/bot",
                local=False,
            )
        return TelegramSettings(
            LOCAL_TELEGRAM_TOKEN,
            LOCAL_SECRET,
            f"{self.simulator_url}/telegram/bot",
            f"{self.simulator_url}/telegram/file/bot",
            local=True,
        )

    @property
    def twilio(self) -> TwilioSettings:
        if self.twilio_account_sid:
            return TwilioSettings(
                self.twilio_account_sid,
                self.twilio_auth_token or "",
                self.twilio_whatsapp_from or "",
                self.twilio_api_url,
                self.twilio_template_sid,
                local=False,
            )
        return TwilioSettings(
            LOCAL_TWILIO_SID, LOCAL_SECRET, LOCAL_WHATSAPP_FROM, f"{self.simulator_url}/twilio", None, local=True
        )

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def endpoints_file(self) -> Path:
        return ROOT / ("endpoints.production.yml" if self.mode == "production" else "endpoints.yml")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        mode = env.get("BOT_MODE", "local")
        if mode not in ("local", "production"):
            raise SettingsError(f"BOT_MODE={mode!r}: use 'local' (default) or 'production'")
        rasa_port = _port(env, "BOT_RASA_PORT", cls.rasa_port)
        settings = cls(
            mode=mode,  # type: ignore[arg-type]  # checked just above
            host=env.get("BOT_HOST", cls.host),
            rasa_port=rasa_port,
            action_port=_port(env, "BOT_ACTION_PORT", cls.action_port),
            state_dir=Path(env.get("BOT_STATE_DIR", str(cls.state_dir))),
            content_dir=Path(env.get("BOT_CONTENT_DIR", str(cls.content_dir))),
            model_dir=Path(env.get("BOT_MODEL_DIR", str(cls.model_dir))),
            database_url=env.get("BOT_DATABASE_URL") or None,
            redis_url=env.get("BOT_REDIS_URL") or None,
            rabbitmq_url=env.get("BOT_RABBITMQ_URL") or None,
            api_token=env.get("BOT_API_TOKEN") or None,
            public_url=(env.get("BOT_PUBLIC_URL") or "").rstrip("/") or f"http://127.0.0.1:{rasa_port}",
            simulator_port=_port(env, "BOT_SIMULATOR_PORT", cls.simulator_port),
            inbox_port=_port(env, "BOT_INBOX_PORT", cls.inbox_port),
            office_hours=env.get("BOT_OFFICE_HOURS") or cls.office_hours,
            max_appointments=_positive(env, "BOT_MAX_APPOINTMENTS", cls.max_appointments),
            telegram_token=env.get("BOT_TELEGRAM_TOKEN") or None,
            telegram_secret=env.get("BOT_TELEGRAM_SECRET") or None,
            telegram_api_url=env.get("BOT_TELEGRAM_API_URL") or None,
            twilio_account_sid=env.get("BOT_TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("BOT_TWILIO_AUTH_TOKEN") or None,
            twilio_whatsapp_from=env.get("BOT_TWILIO_WHATSAPP_FROM") or None,
            twilio_api_url=env.get("BOT_TWILIO_API_URL") or None,
            twilio_template_sid=env.get("BOT_TWILIO_TEMPLATE_SID") or None,
        )
        settings._check_channels()
        try:
            settings.hours()
        except ValueError as error:
            raise SettingsError(f"BOT_OFFICE_HOURS: {error}") from error
        if settings.mode == "production":
            settings._check_production()
        return settings

    def _check_channels(self) -> None:
        # A channel is configured all or nothing: half a configuration would fail on the first message.
        if self.telegram_token and not self.telegram_secret:
            raise SettingsError(
                "BOT_TELEGRAM_TOKEN is set but BOT_TELEGRAM_SECRET is not: the webhook must check Telegram's "
                "secret-token header (choose a random string of 1-256 characters A-Z a-z 0-9 _ -)"
            )
        twilio = {
            "BOT_TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "BOT_TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "BOT_TWILIO_WHATSAPP_FROM": self.twilio_whatsapp_from,
        }
        if any(twilio.values()) and not all(twilio.values()):
            missing = ", ".join(name for name, value in twilio.items() if not value)
            raise SettingsError(f"WhatsApp (Twilio) is half configured: {missing} not set")
        if self.twilio_whatsapp_from and not self.twilio_whatsapp_from.startswith("whatsapp:+"):
            raise SettingsError(
                f"BOT_TWILIO_WHATSAPP_FROM={self.twilio_whatsapp_from!r}: write it as whatsapp:+<number>"
            )

    def _check_production(self) -> None:
        required = {
            "BOT_DATABASE_URL": (self.database_url, "postgresql://user:password@host:5432/rasa"),
            "BOT_REDIS_URL": (self.redis_url, "redis://host:6379/0"),
            "BOT_RABBITMQ_URL": (self.rabbitmq_url, "amqp://user:password@host:5672/"),
            "BOT_API_TOKEN": (self.api_token, "a long random string protecting Rasa's HTTP API"),
        }
        missing = [f"  {name}  (e.g. {example})" for name, (value, example) in required.items() if not value]
        if missing:
            raise SettingsError(
                "BOT_MODE=production needs these environment variables, which are not set:\n" + "\n".join(missing)
            )
        self.database()
        self.redis()
        self.rabbitmq()

    def database(self) -> ServiceUrl:
        return ServiceUrl.parse("BOT_DATABASE_URL", self.database_url or "", ("postgresql", "postgres"))

    def redis(self) -> ServiceUrl:
        return ServiceUrl.parse("BOT_REDIS_URL", self.redis_url or "", ("redis",))

    def rabbitmq(self) -> ServiceUrl:
        return ServiceUrl.parse("BOT_RABBITMQ_URL", self.rabbitmq_url or "", ("amqp",))

    def rasa_environment(self) -> dict[str, str]:
        """Variables that endpoints*.yml refer to as ${…}; Rasa substitutes them when it reads the file."""
        env = {"BOT_ACTION_URL": self.action_url, "BOT_TRACKER_DB": str(self.state_dir / "tracker.db")}
        if self.mode == "production":
            db, redis, amqp = self.database(), self.redis(), self.rabbitmq()
            env.update(
                BOT_PG_HOST=db.host,
                BOT_PG_PORT=str(db.port or 5432),
                BOT_PG_USER=db.username or "",
                BOT_PG_PASSWORD=db.password or "",
                BOT_PG_DB=db.path or "rasa",
                BOT_REDIS_HOST=redis.host,
                BOT_REDIS_PORT=str(redis.port or 6379),
                BOT_REDIS_PASSWORD=redis.password or "",
                BOT_REDIS_DB=redis.path or "0",
                BOT_RABBITMQ_HOST=amqp.host,
                BOT_RABBITMQ_PORT=str(amqp.port or 5672),
                BOT_RABBITMQ_USER=amqp.username or "guest",
                BOT_RABBITMQ_PASSWORD=amqp.password or "guest",
            )
        return env


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name}={raw!r} is not a TCP port number")
    return int(raw)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r} is not a whole number of at least 1")
    return int(raw)
