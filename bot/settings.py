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

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def api_query(self) -> str:
        """The query string that authenticates a call to Rasa's HTTP API; empty without a token."""
        return f"?token={self.api_token}" if self.api_token else ""

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
        settings = cls(
            mode=mode,  # type: ignore[arg-type]  # checked just above
            host=env.get("BOT_HOST", cls.host),
            rasa_port=_port(env, "BOT_RASA_PORT", cls.rasa_port),
            action_port=_port(env, "BOT_ACTION_PORT", cls.action_port),
            state_dir=Path(env.get("BOT_STATE_DIR", str(cls.state_dir))),
            content_dir=Path(env.get("BOT_CONTENT_DIR", str(cls.content_dir))),
            model_dir=Path(env.get("BOT_MODEL_DIR", str(cls.model_dir))),
            database_url=env.get("BOT_DATABASE_URL") or None,
            redis_url=env.get("BOT_REDIS_URL") or None,
            rabbitmq_url=env.get("BOT_RABBITMQ_URL") or None,
            api_token=env.get("BOT_API_TOKEN") or None,
        )
        if settings.mode == "production":
            settings._check_production()
        return settings

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
