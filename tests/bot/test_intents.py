from pathlib import Path

import pytest

from bot.intents import IntentModel, LinearIntentModel

EXAMPLES = [
    ("nareis_deadline", "how long do i have to apply for nareis"), ("nareis_deadline", "3 months deadline family"),
    ("nareis_deadline", "is it too late for family reunification after 4 months"),
    ("procedure_lawyer", "i need a lawyer"), ("procedure_lawyer", "how do i change my advocaat"),
    ("procedure_lawyer", "is the lawyer free"),
    ("greet", "hello"), ("greet", "hi there"), ("greet", "ሰላም ከመይ ኣለኹም"), ("greet", "selam kemey aleka"),
]  # fmt: skip


@pytest.mark.parametrize("model_class", [LinearIntentModel, IntentModel])
def test_ranks_intents_with_confidences_that_sum_to_one(model_class, tmp_path: Path):
    model = model_class.train(EXAMPLES * 3)
    ranking = model.ranking("is my lawyer free", k=3)
    assert ranking[0].intent == "procedure_lawyer"
    assert [p.confidence for p in ranking] == sorted((p.confidence for p in ranking), reverse=True)
    assert 0 < ranking[0].confidence <= 1
    model.save(tmp_path)
    assert model_class.load(tmp_path).ranking("is my lawyer free", k=3) == ranking


def test_latin_and_geez_tigrinya_share_features():
    model = LinearIntentModel.train([e for e in EXAMPLES if e[1] != "ሰላም ከመይ ኣለኹም"] * 3)
    assert model.ranking("ሰላም ከመይ", k=1)[0].intent == "greet"  # learnt only from "selam kemey aleka"
