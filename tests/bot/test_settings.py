import pytest

from bot.settings import Settings, SettingsError

PRODUCTION = {
    "BOT_MODE": "production",
    "BOT_DATABASE_URL": "postgresql://rasa:s%40cret@db.internal:5433/tracker",
    "BOT_REDIS_URL": "redis://cache:6380/2",
    "BOT_RABBITMQ_URL": "amqp://bot:pw@mq:5673/",
    "BOT_API_TOKEN": "t0ken",
}


def test_local_mode_needs_nothing():
    settings = Settings.from_env({})
    assert settings.mode == "local"
    assert settings.endpoints_file.name == "endpoints.yml"
    assert settings.rasa_environment()["BOT_TRACKER_DB"].endswith(".run/tracker.db")


def test_production_mode_names_every_missing_secret():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"BOT_MODE": "production", "BOT_REDIS_URL": "redis://localhost:6379/0"})
    message = str(error.value)
    for name in ("BOT_DATABASE_URL", "BOT_RABBITMQ_URL", "BOT_API_TOKEN"):
        assert name in message
    assert "BOT_REDIS_URL" not in message


def test_production_mode_splits_urls_for_rasa():
    env = Settings.from_env(PRODUCTION).rasa_environment()
    assert env["BOT_PG_HOST"] == "db.internal"
    assert env["BOT_PG_PORT"] == "5433"
    assert env["BOT_PG_PASSWORD"] == "s@cret"
    assert env["BOT_PG_DB"] == "tracker"
    assert (env["BOT_REDIS_HOST"], env["BOT_REDIS_PORT"], env["BOT_REDIS_DB"]) == ("cache", "6380", "2")
    assert (env["BOT_RABBITMQ_USER"], env["BOT_RABBITMQ_PORT"]) == ("bot", "5673")
    assert Settings.from_env(PRODUCTION).endpoints_file.name == "endpoints.production.yml"


@pytest.mark.parametrize(
    "env, fragment",
    [
        ({"BOT_MODE": "staging"}, "BOT_MODE"),
        ({"BOT_RASA_PORT": "http"}, "BOT_RASA_PORT"),
        ({**PRODUCTION, "BOT_DATABASE_URL": "mysql://x/y"}, "BOT_DATABASE_URL"),
    ],
)
def test_malformed_settings_fail_fast_with_the_variable_named(env, fragment):
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env(env)
