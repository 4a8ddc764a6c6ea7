"""Nickname rules and friendly generated nicknames.

Students are children: a nickname is the only thing they type about themselves, so it is kept
short, printable and plain, and compared without case, accents or spacing to prevent look-alikes.
"""
from __future__ import annotations

import random
import re
import unicodedata

from .moderation import is_abusive

MIN_LENGTH = 2
MAX_LENGTH = 20
CLASS_LABEL_MAX = 20

# Letters (any script's letters are allowed so Vietnamese works), digits, space and a little
# punctuation; no markup, no emoji, no control or invisible characters.
_ALLOWED_PUNCT = set(" -_.'")
# Letters to Unicode that draw nothing (Hangul fillers): a "nickname" of them is blank on screen.
_BLANK_LETTERS = set("\u115f\u1160\u3164\uffa0")


class NicknameError(ValueError):
    """A nickname breaks a rule; ``code`` is the protocol's error code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.code = "nickname_invalid"
        self.reason = reason


def clean(text: str) -> str:
    """NFC-normalise and fold runs of white space into one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def nickname_key(nickname: str) -> str:
    """The form two nicknames are compared in: no case, no diacritics, no spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", nickname.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def validate_nickname(raw: object) -> str:
    """Return the cleaned nickname or raise ``NicknameError`` saying why it is refused."""
    if not isinstance(raw, str):
        raise NicknameError("type")
    if len(raw) > MAX_LENGTH * 4:
        raise NicknameError("too_long")
    name = clean(raw)
    if len(name) < MIN_LENGTH:
        raise NicknameError("too_short")
    if len(name) > MAX_LENGTH:
        raise NicknameError("too_long")
    _check_characters(name, "characters")
    if not nickname_key(name):
        raise NicknameError("characters")
    if is_abusive(name):
        raise NicknameError("abusive")
    return name


def _check_characters(text: str, reason: str, extra: str = "") -> None:
    """Letters, digits, a little punctuation, and at most two combining marks in a row (enough
    for any Vietnamese letter, too few to stack marks over the text around it)."""
    marks = 0
    for char in text:
        category = unicodedata.category(char)
        if category == "Mn":
            marks += 1
            if marks > 2:
                raise NicknameError(reason)
            continue
        marks = 0
        if char in _BLANK_LETTERS or (char not in _ALLOWED_PUNCT and char not in extra
                                      and category[0] not in "LN"):
            raise NicknameError(reason)


def validate_class_label(raw: object) -> str:
    """A class label is optional: "" when absent, else the same characters as a nickname."""
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or len(raw) > CLASS_LABEL_MAX * 4:
        raise NicknameError("class_label")
    label = clean(raw)
    if len(label) > CLASS_LABEL_MAX:
        raise NicknameError("class_label")
    _check_characters(label, "class_label", extra="/")
    if is_abusive(label):
        raise NicknameError("class_label")
    return label


ANIMALS_VI = [
    "Cú Mèo", "Cá Heo", "Gấu Trúc", "Sóc Nâu", "Hổ Con", "Voi Con", "Chim Sẻ", "Rùa Biển",
    "Thỏ Trắng", "Mèo Mun", "Cáo Nhỏ", "Sư Tử", "Hươu Sao", "Đại Bàng", "Chim Cánh Cụt",
    "Ong Vàng", "Bướm Xanh", "Khủng Long", "Kỳ Lân", "Ngựa Vằn",
]
TRAITS_VI = [
    "Dũng Cảm", "Thông Minh", "Nhanh Nhẹn", "Vui Vẻ", "Tỉnh Táo", "Cẩn Thận", "Tinh Mắt",
    "Chăm Chỉ", "Hiền Lành", "Sáng Suốt", "Tự Tin", "Kiên Nhẫn",
]
ANIMALS_EN = [
    "Owl", "Dolphin", "Panda", "Squirrel", "Tiger", "Elephant", "Sparrow", "Turtle", "Rabbit",
    "Fox", "Lion", "Deer", "Eagle", "Penguin", "Bee", "Otter", "Koala", "Zebra",
]
TRAITS_EN = [
    "Brave", "Clever", "Quick", "Happy", "Alert", "Careful", "Sharp", "Kind", "Wise", "Calm",
    "Bold", "Bright",
]


def generate_nickname(language: str = "vi", rng: random.Random | None = None) -> str:
    """A friendly animal-and-trait nickname that fits the length rule."""
    rng = rng or random.SystemRandom()
    animals, traits = (ANIMALS_EN, TRAITS_EN) if language == "en" else (ANIMALS_VI, TRAITS_VI)
    while True:
        if language == "en":
            name = f"{rng.choice(traits)} {rng.choice(animals)}"
        else:
            name = f"{rng.choice(animals)} {rng.choice(traits)}"
        if len(name) <= MAX_LENGTH:
            return name


#: Team names: "Đội Sao Biển", "Team Starfish" (a team's name follows the nickname rules).
TEAM_VI = "Đội"
TEAM_NAMES_VI = [
    "Sao Biển", "Cá Heo", "Đại Bàng", "Hải Đăng", "Cầu Vồng", "Mặt Trời", "Sao Băng",
    "Phi Thuyền", "Tên Lửa", "Hoa Sen", "Rồng Xanh", "Cánh Diều", "Gấu Trúc", "Hổ Con",
    "Ong Vàng", "Kỳ Lân", "Sóc Nâu", "Rùa Biển", "Chim Én", "Trăng Non",
]
TEAM_TRAITS_VI = ["Dũng Cảm", "Tỉnh Táo", "Vui Vẻ", "Nhanh Trí", "Đoàn Kết", "Tinh Mắt"]
TEAM_EN = "Team"
TEAM_NAMES_EN = [
    "Starfish", "Dolphins", "Eagles", "Lighthouse", "Rainbow", "Sunshine", "Comets", "Rockets",
    "Lotus", "Dragons", "Kites", "Pandas", "Tigers", "Bees", "Otters", "Owls", "Foxes",
    "Turtles", "Swallows", "Moonbeams",
]
TEAM_TRAITS_EN = ["Brave", "Alert", "Happy", "Quick", "United", "Sharp"]


def generate_team_name(language: str = "vi", rng: random.Random | None = None) -> str:
    """A friendly team name that fits the length rule: "Đội Sao Biển", "Đội Cá Heo Tỉnh Táo",
    "Team Starfish", "Team Brave Otters". One in three carries a trait, for more names."""
    rng = rng or random.SystemRandom()
    english = language == "en"
    names, traits = (TEAM_NAMES_EN, TEAM_TRAITS_EN) if english else (TEAM_NAMES_VI, TEAM_TRAITS_VI)
    while True:
        name, trait = rng.choice(names), rng.choice(traits)
        with_trait = rng.randrange(3) == 0
        if english:
            team = f"{TEAM_EN} {trait} {name}" if with_trait else f"{TEAM_EN} {name}"
        else:
            team = f"{TEAM_VI} {name} {trait}" if with_trait else f"{TEAM_VI} {name}"
        if len(team) <= MAX_LENGTH:
            return team
