from pathlib import Path

import pytest

from bot.langid import LanguageIdentifier

EXAMPLES = [
    ("ti", "ሰላም ከመይ ኣለኹም"), ("ti", "ሰላም ኣሎኹም ዶ"), ("ti", "ናረይስ ከመይ ጌረ ይሓትት"), ("ti", "የቐንየለይ ሓወይ"),
    ("am", "ሰላም እንዴት ነህ"), ("am", "ሰላም ነው"), ("am", "ቤተሰቤን እንዴት ማምጣት እችላለሁ"), ("am", "አመሰግናለሁ በጣም"),
    ("ar", "مرحبا كيف الحال"), ("ar", "سلام عليكم"), ("ar", "بدي اسأل عن لم الشمل"),
    ("fa", "سلام خوبی"), ("fa", "میخوام خانوادمو بیارم"), ("prs", "سلام چطور استی"), ("prs", "میخواهم فامیلم را بیارم"),
    ("en", "hello how are you"), ("en", "i want to bring my family"), ("nl", "hallo hoe gaat het"),
]  # fmt: skip


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier.train(EXAMPLES * 5)


def test_a_word_shared_by_two_languages_leans_on_the_user_prior(identifier):
    ranking = identifier.ranking("ሰላም")
    assert [d.language for d in ranking] == ["ti", "am"]
    assert ranking[0].confidence == pytest.approx(0.8)


def test_a_greeting_shared_by_four_languages_is_not_confident(identifier):
    assert identifier.detect("سلام").confidence < 0.65


def test_sentences_go_to_the_classifier(identifier):
    assert identifier.detect("ሰላም እንዴት ነህ").language == "am"
    assert identifier.detect("ሰላም ከመይ ኣለኹም").language == "ti"
    assert 0 < identifier.detect("i want to bring my family").confidence <= 1


@pytest.mark.parametrize("text", ["ok", "1", "", "👍", "?!"])
def test_too_short_to_tell(identifier, text):
    assert identifier.detect(text) is None


def test_saved_and_loaded_identifier_answers_the_same(identifier, tmp_path: Path):
    identifier.save(tmp_path)
    again = LanguageIdentifier.load(tmp_path)
    for text in ["ሰላም", "مرحبا كيف الحال", "hallo hoe gaat het"]:
        assert again.ranking(text) == identifier.ranking(text)
