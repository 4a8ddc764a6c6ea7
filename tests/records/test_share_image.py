"""The public results' picture (``quizapp/records/share_image.py``): a 1200×630 PNG whose every
letter is drawn with the bundled Noto Sans (Vietnamese marks included), never a fallback font."""
from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from quizapp.records import share_image
from quizapp.records.share_image import BOLD, REGULAR, ShareCard, font, layout, render

FIGURES = {"sessions": 1234, "schools": 312, "students": 45678, "units": 129,
           "units_covered": 87}
#: Every tone mark and the letters Vietnamese adds to Latin.
VIETNAMESE = "Ăắằẳẵặ Ââấầẩẫậ Đđ Êếềểễệ Ôốồổỗộ Ơớờởỡợ Ưứừửữự Ỳýỷỹỵ"


def card(name: str = "Không một mình – Cùng nhau an toàn trực tuyến 2025", **figures) -> ShareCard:
    return ShareCard(campaign=name, window="06/10/2025 – 30/11/2025",
                     updated="Số liệu ngày 14/11/2025",
                     figures=(("1.234", "buổi tuyên truyền"), ("312", "trường học"),
                              ("45.678", "học sinh được tiếp cận")),
                     coverage_number="87/129", coverage_label="xã/phường đã có buổi trực tiếp",
                     coverage_share=87 / 129, footer="Đường dây nóng: 111 · 113", **figures)


def test_the_picture_is_a_1200_by_630_png():
    image = Image.open(io.BytesIO(render(card())))
    assert image.format == "PNG" and image.size == (1200, 630) and image.mode == "RGB"


def test_the_fonts_are_bundled_with_their_licence():
    assert BOLD.parent == REGULAR.parent and BOLD.parent.name == "fonts"
    assert font(BOLD, 20).getname() == ("Noto Sans", "Bold")
    assert font(REGULAR, 20).getname() == ("Noto Sans", "Regular")
    licence = (BOLD.parent / "OFL.txt").read_text()
    assert "SIL OPEN FONT LICENSE" in licence and "Version 1.1" in licence


def notdef(face: ImageFont.FreeTypeFont) -> bytes:
    """What the font draws for a character it does not have (a private-use one)."""
    return bytes(face.getmask("\ue000"))


def test_every_letter_drawn_has_a_glyph_in_the_bundled_font():
    pieces = layout(card(name=VIETNAMESE))
    assert len(pieces) > 10
    missing = []
    for piece in pieces:
        assert piece.font in (BOLD, REGULAR)
        face = font(piece.font, piece.size)
        for char in set(piece.text) - {" ", "…"}:
            if bytes(face.getmask(char)) == notdef(face):
                missing.append((piece.text, char))
    assert not missing, missing


@pytest.mark.parametrize("name", ["Không một mình – Cùng nhau an toàn trực tuyến 2025",
                                  VIETNAMESE])
def test_the_text_in_the_picture_is_drawn_with_the_bundled_font(name):
    """Each piece of text, drawn alone with the bundled font on its background, is exactly what
    the picture holds there; drawn with Pillow's own font it is not (so the check can fail)."""
    c = card(name=name)
    image = Image.open(io.BytesIO(render(c))).convert("RGB")
    fallback_differs = 0
    for piece in layout(c):
        face = font(piece.font, piece.size)
        left, top, right, bottom = face.getbbox(piece.text)
        box = (piece.x + left, piece.y + top, piece.x + right, piece.y + bottom)
        alone = Image.new("RGB", image.size, piece.background)
        ImageDraw.Draw(alone).text((piece.x, piece.y), piece.text, font=face, fill=piece.fill)
        diff = ImageChops.difference(image.crop(box), alone.crop(box)).getbbox()
        assert diff is None, (piece.text, diff)
        other = Image.new("RGB", image.size, piece.background)
        ImageDraw.Draw(other).text((piece.x, piece.y), piece.text,
                                   font=ImageFont.load_default(piece.size), fill=piece.fill)
        fallback_differs += ImageChops.difference(image.crop(box), other.crop(box)).getbbox() \
            is not None
    assert fallback_differs == len(layout(c))


def test_a_long_name_takes_two_lines_and_stops_between_words():
    long = "Chiến dịch tuyên truyền phòng, chống bắt cóc trực tuyến cho học sinh " * 3
    title = [p for p in layout(card(name=long)) if p.font == BOLD and p.fill == "#ffffff"
             and p.y < 200]
    assert len(title) == 2 and title[-1].text.endswith("…")
    assert title[-1].text[:-1].split()[-1] in long.split()  # a whole word before the ellipsis
    for piece in title:
        assert font(piece.font, piece.size).getlength(piece.text) <= share_image.TITLE_WIDTH
    short = [p for p in layout(card(name="Chiến dịch 2026")) if p.y < 200 and p.font == BOLD]
    assert [p.text for p in short] == ["Chiến dịch 2026"] and short[0].size == 54


@pytest.mark.parametrize("lang, sessions", [("vi", "1.234"), ("en", "1,234")])
def test_the_card_speaks_the_readers_language(app, lang, sessions):
    with app.test_request_context(f"/?lang={lang}"):
        c = share_image.card_for("Không một mình 2025", date(2025, 10, 6), date(2025, 11, 30),
                                 FIGURES, date(2025, 11, 14))
    assert c.figures[0][0] == sessions and c.coverage_number == "87/129"
    assert c.window == "06/10/2025 – 30/11/2025" and "14/11/2025" in c.updated
    assert c.coverage_share == pytest.approx(87 / 129)
    with app.test_request_context("/"):
        empty = share_image.card_for("X", date(2025, 1, 1), date(2025, 1, 2),
                                     dict(FIGURES, units=0, units_covered=0), date(2025, 1, 1))
    assert empty.coverage_share == 0.0
    Image.open(io.BytesIO(render(empty))).verify()
