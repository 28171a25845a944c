import pytest

from bot.language import LANGUAGES, fold, language_named_in, normalise


def test_thirteen_languages_each_named_in_itself():
    assert list(LANGUAGES) == ["ar", "ti", "prs", "ps", "fa", "so", "tr", "kmr", "ckb", "am", "en", "nl", "fr"]
    assert {code for code, lang in LANGUAGES.items() if lang.rtl} == {"ar", "prs", "ps", "fa", "ckb"}


@pytest.mark.parametrize(
    "variants",
    [
        ("إِجْرَاءُ اللُّجُوءِ", "اجراء اللجوء", "إجـــراء اللجوء"),  # vowel marks, tatweel, hamza forms
        ("كيف", "کیف"),  # Arabic and Persian kaf/yeh
        ("می‌خواهم", "میخواهم"),  # with and without the zero-width non-joiner
        ("ሠላም", "ሰላም"),  # Ge'ez homophones
        ("سڵاو لە ئێوە", "سلاو له ئیوه"),  # Sorani letters typed on an Arabic keyboard
        ("Déjà Vu?", "deja vu ?"),
        ("٣ أشهر", "3 اشهر"),
    ],
)
def test_normalise_folds_spelling_variants(variants):
    assert len({normalise(v) for v in variants}) == 1


def test_normalise_splits_script_punctuation_and_romanises_geez():
    assert normalise("ሰላም።ከመይ፧") == "selam ። kemey ፧"
    assert normalise("ኣለኹም") == "alekhum"
    assert fold("ሰላም።") == "ሰላም ።"
    assert normalise("مرحبا؟") == "مرحبا ؟"


@pytest.mark.parametrize(
    "text, code",
    [
        ("English please", "en"),
        ("ትግርኛ", "ti"),
        ("nl", "nl"),
        ("Türkçe", "tr"),
        ("I want Nederlands", "nl"),
    ],
)
def test_language_named_in_a_message(text, code, content_dir):
    assert language_named_in(text, content_dir) == code


def test_no_language_or_two_languages_named(content_dir):
    assert language_named_in("hello there", content_dir) is None
    assert language_named_in("English or Français?", content_dir) is None
    assert language_named_in("I am so tired in the azc", content_dir) is None  # short codes only count alone


def test_letter_count_weighs_geez_syllables_as_two_letters():
    from bot.language import letter_count

    assert letter_count("ሰላም") == 6
    assert letter_count("ok 1!") == 2


def test_a_longer_name_wins_over_a_name_inside_it(tmp_path):
    (tmp_path / "ps").mkdir()
    (tmp_path / "ps" / "language_names.yml").write_text("language: ps\nnames:\n  prs: [فارسي دري]\n  fa: [فارسي]\n")
    assert language_named_in("فارسي دري غواړم", tmp_path) == "prs"
    assert language_named_in("فارسي غواړم", tmp_path) == "fa"


def test_short_names_match_whole_words_only(tmp_path):
    (tmp_path / "prs").mkdir()
    (tmp_path / "prs" / "language_names.yml").write_text("language: prs\nnames:\n  prs: [دری]\n")
    assert language_named_in("لطفا به دری بنویس", tmp_path) == "prs"
    assert language_named_in("نامه دریافت کردم", tmp_path) is None


def test_proclitics_glue_in_arabic_and_geez_script_but_not_in_latin(tmp_path):
    (tmp_path / "x").mkdir()
    names = "language: ar\nnames:\n  ar: [العربي, erebi, arabe]\n  ti: [ትግርኛ]\n"
    (tmp_path / "x" / "language_names.yml").write_text(names)
    assert language_named_in("احكي بالعربي", tmp_path) == "ar"
    assert language_named_in("ብትግርኛ ጽሓፍ", tmp_path) == "ti"
    assert language_named_in("en l'arabe svp", tmp_path) == "ar"
    assert language_named_in("tigrinyaca cevap verebilir misin", tmp_path) == "ti"  # not also "erebi"
