import random

import pytest

from quizapp.engine.nicknames import (NicknameError, generate_nickname, nickname_key,
                                      validate_class_label, validate_nickname)


@pytest.mark.parametrize("raw, clean", [("  Cú   Mèo ", "Cú Mèo"), ("An_2010", "An_2010"),
                                        ("Đức", "Đức"), ("O'Neil", "O'Neil")])
def test_valid(raw, clean):
    assert validate_nickname(raw) == clean


@pytest.mark.parametrize("raw", ["", "a", " x ", "x" * 21, "<script>", "a\u202eb", "ab\x00",
                                 "😀😀", None, 12, ["ab"], "a" * 10000, "--", "a\u200bb",
                                 "\u3164\u3164", "\u115f\u115fab", "ab\uffa0"])
def test_invalid(raw):
    with pytest.raises(NicknameError):
        validate_nickname(raw)


def test_lookalikes_share_a_key():
    assert nickname_key("Cú Mèo") == nickname_key("cu meo") == nickname_key("CU-MEO")
    assert nickname_key("Đạt") == nickname_key("dat")


def test_class_label():
    assert validate_class_label(None) == ""
    assert validate_class_label(" 8A ") == "8A"
    assert validate_class_label("10/2") == "10/2"
    for bad in ["<b>", "x" * 30, 5]:
        with pytest.raises(NicknameError):
            validate_class_label(bad)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_generated_nicknames_are_valid(language):
    rng = random.Random(7)
    for _ in range(200):
        assert validate_nickname(generate_nickname(language, rng))


def test_stacked_combining_marks_are_refused():
    assert validate_nickname("Nguyễn") == "Nguyễn"
    assert validate_nickname("Nguye\u0302\u0303n") == "Nguyễn"  # decomposed, NFC joins it
    with pytest.raises(NicknameError):
        validate_nickname("Z\u0336\u0337\u0338\u0335algo")
