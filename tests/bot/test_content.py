from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, ContentStore
from bot.content_check import ANSWERED_BY_ACTIONS
from bot.language import LANGUAGES
from tests.conftest import SPEC

CORE = [
    "greet",
    "menu_help",
    "out_of_scope",
    "thanks",
    "goodbye",
    "bot_challenge",
    "choose_language",
    "service_emergency",
]
UI = ["ui.language_menu", "ui.change_language", "ui.fallback", "ui.translation_missing", "ui.switch_offer"]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_conversation_core_exists_in_every_language(store, language):
    missing = [topic for topic in CORE + UI if store.get(topic, language) is None]
    assert not missing, f"content/{language}/ lacks {missing}"


def test_every_spec_topic_has_an_english_answer(store):
    topics = set(yaml.safe_load(SPEC.read_text())["topics"]) - ANSWERED_BY_ACTIONS
    assert sorted(topics - store.topics()) == []


def test_every_button_points_at_a_declared_topic(store):
    topics = set(yaml.safe_load(SPEC.read_text())["topics"])
    for record in store:
        for button in record.buttons:
            intent = button.payload.removeprefix("/").split("{")[0]
            assert intent in topics, f"{record.content_id}: button {button.title!r} -> {button.payload}"


def test_content_id_names_topic_and_language(store):
    assert store.get("greet", "ti").content_id == "greet.ti"


def test_a_record_in_the_wrong_folder_is_refused(tmp_path: Path):
    (tmp_path / "ar").mkdir()
    (tmp_path / "ar" / "x.yml").write_text("language: ti\nrecords: []\n")
    with pytest.raises(ContentError, match="lives in content/ar"):
        ContentStore.load(tmp_path)


def test_a_duplicate_record_is_refused(tmp_path: Path):
    (tmp_path / "en").mkdir()
    record = "language: en\nrecords:\n  - {topic: greet, text: Hi}\n"
    (tmp_path / "en" / "a.yml").write_text(record)
    (tmp_path / "en" / "b.yml").write_text(record)
    with pytest.raises(ContentError, match="defined twice"):
        ContentStore.load(tmp_path)
