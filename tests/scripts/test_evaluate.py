import pytest

from scripts.evaluate import macro_f1


def test_macro_f1_weighs_every_intent_alike():
    assert macro_f1([("a", "a"), ("b", "b")]) == 1.0
    # "a": P=1/2 R=1 → 2/3; "b": never right → 0
    assert macro_f1([("a", "a"), ("b", "a")]) == pytest.approx(1 / 3)
