from pathlib import Path

import pytest

from bot.content import ContentStore, Record
from bot.dialogue import Responder, Turn
from bot.language import LANGUAGES, Detection

ARABIC = Detection("ar", 0.97)


def ids(reply):
    return [m.content_id for m in reply.messages]


def test_bare_greeting_on_first_contact_greets_and_offers_the_language_menu(responder):
    reply = responder.respond(Turn("greet", "مرحبا", ARABIC))
    assert ids(reply) == ["greet.ar", "ui.language_menu.ar"]
    assert reply.language == "ar"
    menu = reply.messages[-1]
    assert [b.title for b in menu.buttons] == [lang.autonym for lang in LANGUAGES.values()]
    assert menu.buttons[1].payload == '/choose_language{"language":"ti"}'
    assert menu.rtl


def test_question_on_first_contact_is_answered_at_once_with_a_change_language_button(responder):
    reply = responder.respond(Turn("bot_challenge", "هل انت روبوت", ARABIC))
    assert ids(reply) == ["bot_challenge.ar"]
    assert reply.messages[-1].buttons[-1].payload == "/choose_language"
    assert reply.language == "ar"


@pytest.mark.parametrize("detected", [None, Detection("ar", 0.3), Detection("xx", 0.99)])
def test_unclear_language_on_first_contact_gets_the_menu_and_sets_nothing(responder, detected):
    reply = responder.respond(Turn("menu_help", "1", detected))
    assert ids(reply) == ["ui.language_menu.en"]
    assert reply.language is None


def test_known_language_wins_over_detection(responder):
    reply = responder.respond(Turn("thanks", "thanks", Detection("en", 0.99), language="ti"))
    assert ids(reply) == ["thanks.ti"]
    assert reply.language == "ti"


def test_choose_language_by_button_payload(responder):
    reply = responder.respond(Turn("choose_language", "/choose_language", language="ar", requested_language="ti"))
    assert ids(reply) == ["choose_language.ti"]
    assert reply.language == "ti"


def test_choose_language_in_words(responder):
    reply = responder.respond(Turn("choose_language", "English please", Detection("en", 0.9), language="ar"))
    assert (ids(reply), reply.language) == (["choose_language.en"], "en")


def test_choose_language_without_a_name_shows_the_menu_in_the_current_language(responder):
    reply = responder.respond(Turn("choose_language", "/choose_language", language="ar"))
    assert ids(reply) == ["ui.language_menu.ar"]
    assert reply.language == "ar"


def test_low_confidence_gets_did_not_understand_with_menu_and_person(responder):
    reply = responder.respond(Turn("nlu_fallback", "blah", language="ti"))
    assert ids(reply) == ["ui.fallback.ti"]
    assert {b.payload for b in reply.messages[0].buttons} == {"/menu_help", "/human_handoff"}


def test_missing_translation_falls_back_to_english_with_a_note(tmp_path: Path):
    store = ContentStore(
        [
            Record("procedure_lawyer", "en", "Every asylum seeker gets a free lawyer."),
            Record("ui.translation_missing", "ti", "ኣብ ትግርኛ የለን።"),
        ]
    )
    reply = Responder(store, tmp_path).respond(Turn("procedure_lawyer", language="ti"))
    assert ids(reply) == ["ui.translation_missing.ti", "procedure_lawyer.en"]
    assert reply.language == "ti"


def test_missing_translation_without_a_note_still_answers_in_english(tmp_path: Path):
    store = ContentStore([Record("procedure_lawyer", "en", "Every asylum seeker gets a free lawyer.")])
    reply = Responder(store, tmp_path).respond(Turn("procedure_lawyer", language="so"))
    assert ids(reply) == ["procedure_lawyer.en"]


def test_a_confident_other_language_mid_conversation_is_offered_not_forced(responder):
    turn = Turn("thanks", "ኣዝየ የመስግን ብጣዕሚ ሓወይ", Detection("ti", 0.97), language="en")
    reply = responder.respond(turn)
    assert ids(reply) == ["thanks.en", "ui.switch_offer.ti"]
    assert reply.language == "en"
    assert reply.offered_language == "ti"
    assert reply.messages[-1].buttons[0].payload == '/choose_language{"language":"ti"}'


@pytest.mark.parametrize(
    "turn",
    [
        Turn("thanks", "ok merci", Detection("fr", 0.99), language="en"),  # too short
        Turn("thanks", "ኣዝየ የመስግን ብጣዕሚ", Detection("ti", 0.7), language="en"),  # not sure enough
        Turn("thanks", "خیلی ممنون از کمک شما", Detection("fa", 0.99), language="prs"),  # Dari reads Farsi
        Turn("thanks", "ኣዝየ የመስግን ብጣዕሚ", Detection("ti", 0.99), language="en", offered_language="ti"),  # asked
    ],
)
def test_no_switch_offer(responder, turn):
    reply = responder.respond(turn)
    assert not any(m.content_id.startswith("ui.switch_offer") for m in reply.messages)
    assert reply.offered_language == turn.offered_language
