"""The public results as a picture a commune/ward can post on its page: 1200×630 (the size
Facebook and Zalo show whole in a post), PNG, with the campaign's name, its figures in big
numbers, the window and the day of the figures, in the reader's language (Vietnamese by default).

What it draws comes in one ``ShareCard``: the campaign's name and aggregate counts only — it has
no field a pupil's nickname could reach the picture through. The text is drawn with the bundled
Noto Sans (``fonts/``, SIL Open Font License), which has every Vietnamese letter; a missing font
is an error, never a silent fallback to a font without diacritics.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).parent / "fonts"
BOLD = FONTS / "NotoSans-Bold.ttf"
REGULAR = FONTS / "NotoSans-Regular.ttf"
WIDTH, HEIGHT = 1200, 630
MARGIN = 60

NAVY, TEAL, TEAL_LIGHT, WHITE = "#0b2d5b", "#0b7577", "#2ec4b6", "#ffffff"  # app.css
INK, MUTED, TRACK, GOLD = "#13233d", "#51607a", "#1d4677", "#f4b400"
#: The answer tiles' colours and shapes (red triangle, blue diamond, yellow circle, green square),
#: the mark of the quiz.
SHAPES = (("#d62839", "triangle"), ("#1f5fcf", "diamond"), ("#f4b400", "circle"),
          ("#1c8642", "square"))


@dataclass(frozen=True)
class ShareCard:
    """Everything the picture shows, already in words: the campaign's name, its window and the
    day of the figures (formatted), the figures (formatted numbers) and their labels."""

    campaign: str
    window: str
    updated: str
    figures: tuple[tuple[str, str], ...]  # (number, label) × 3: sessions, schools, students
    coverage_number: str  # "12/129"
    coverage_label: str
    coverage_share: float  # 0–1, the bar
    footer: str


def card_for(name: str, starts: date, ends: date, figures: dict, day: date) -> ShareCard:
    """The picture's words for a campaign's public figures (``queries.public_summary``) as of
    ``day``, in the current language: only the campaign's name, dates and counts go in."""
    units, covered = figures["units"], figures["units_covered"]
    return ShareCard(
        campaign=name,
        window=f"{starts:%d/%m/%Y} – {ends:%d/%m/%Y}",
        updated=_("Figures as of %(day)s", day=f"{day:%d/%m/%Y}"),
        figures=((format_decimal(figures["sessions"]), _("sessions held")),
                 (format_decimal(figures["schools"]), _("schools")),
                 (format_decimal(figures["students"]), _("students reached"))),
        coverage_number=f"{format_decimal(covered)}/{format_decimal(units)}",
        coverage_label=_("communes/wards held an in-person session in a school"),
        coverage_share=covered / units if units else 0.0,
        footer=_("Helplines: 111 (children) · 113 (police)"))


@dataclass(frozen=True)
class Text:
    """A piece of text as drawn: where (its top-left), with which font file and size, in which
    colour, on which flat background colour."""

    x: int
    y: int
    text: str
    font: Path
    size: int
    fill: str
    background: str


@lru_cache(maxsize=32)
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The bundled font at ``size`` (raises if the file is missing: never a fallback)."""
    return ImageFont.truetype(str(path), size)


def _width(text: str, path: Path, size: int) -> int:
    return int(font(path, size).getlength(text))


def _wrap(text: str, path: Path, size: int, width: int) -> list[str]:
    """Words on lines no wider than ``width``."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(lines[-1] + " " + word, path, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _fit(text: str, path: Path, sizes: tuple[int, ...], width: int,
         max_lines: int) -> tuple[int, list[str]]:
    """The largest size at which ``text`` takes at most ``max_lines`` lines; at the smallest,
    the last line is cut with an ellipsis."""
    for size in sizes:
        lines = _wrap(text, path, size, width)
        if len(lines) <= max_lines and all(_width(line, path, size) <= width for line in lines):
            return size, lines
    size = sizes[-1]
    lines = _wrap(text, path, size, width)[:max_lines]
    words = lines[-1].split()
    while len(words) > 1 and _width(" ".join(words) + "…", path, size) > width:
        words.pop()  # cut between words
    last = " ".join(words)
    while last and _width(last + "…", path, size) > width:
        last = last[:-1]  # one word too long for a line
    lines[-1] = last.rstrip(" ,;:–-") + "…"
    return size, lines


SHAPE, SHAPE_GAP = 34, 12
SHAPES_X = WIDTH - MARGIN - 4 * SHAPE - 3 * SHAPE_GAP
TITLE_WIDTH = SHAPES_X - MARGIN - 24  # the title never runs into the shapes
CARD_Y, CARD_H, CARD_GAP = 262, 178, 24
CARD_W = (WIDTH - 2 * MARGIN - 2 * CARD_GAP) // 3
BAR_Y = 520


def layout(card: ShareCard) -> list[Text]:
    """Every piece of text of the picture, where and how it is drawn."""
    texts: list[Text] = []
    size, lines = _fit(card.campaign, BOLD, (54, 48, 42, 36), TITLE_WIDTH, 2)
    block = len(lines) * int(size * 1.25) + 8 + 36
    y = max(40, (CARD_Y - 24 - block) // 2)  # the title and the dates, centred above the cards
    for line in lines:
        texts.append(Text(MARGIN, y, line, BOLD, size, WHITE, NAVY))
        y += int(size * 1.25)
    texts.append(Text(MARGIN, y + 8, card.window, REGULAR, 26, TEAL_LIGHT, NAVY))
    for i, (number, label) in enumerate(card.figures):
        x = MARGIN + i * (CARD_W + CARD_GAP)
        num_size, _ = _fit(number, BOLD, (76, 64, 54, 44), CARD_W - 48, 1)
        texts.append(Text(x + 28, CARD_Y + 20, number, BOLD, num_size, NAVY, WHITE))
        label_size, label_lines = _fit(label, REGULAR, (28, 24, 20), CARD_W - 48, 1)
        texts.append(Text(x + 28, CARD_Y + 118, label_lines[0], REGULAR, label_size, MUTED,
                          WHITE))
    texts.append(Text(MARGIN, BAR_Y - 58, card.coverage_number, BOLD, 38, GOLD, NAVY))
    number_width = _width(card.coverage_number, BOLD, 38)
    label_size, label_lines = _fit(card.coverage_label, REGULAR, (28, 24, 20),
                                   WIDTH - 2 * MARGIN - number_width - 16, 1)
    texts.append(Text(MARGIN + number_width + 16, BAR_Y - 50, label_lines[0], REGULAR,
                      label_size, WHITE, NAVY))
    texts.append(Text(MARGIN, HEIGHT - 62, card.updated, REGULAR, 22, TEAL_LIGHT, NAVY))
    footer_width = _width(card.footer, BOLD, 22)
    texts.append(Text(WIDTH - MARGIN - footer_width, HEIGHT - 62, card.footer, BOLD, 22, WHITE,
                      NAVY))
    return texts


def _shapes(draw: ImageDraw.ImageDraw) -> None:
    """The quiz's four shapes, top right: the mark people know from the projector."""
    size = SHAPE
    for i, (colour, shape) in enumerate(SHAPES):
        x, y = SHAPES_X + i * (SHAPE + SHAPE_GAP), 56
        box = (x, y, x + size, y + size)
        if shape == "triangle":
            draw.polygon([(x + size / 2, y), (x + size, y + size), (x, y + size)], fill=colour)
        elif shape == "diamond":
            draw.polygon([(x + size / 2, y), (x + size, y + size / 2), (x + size / 2, y + size),
                          (x, y + size / 2)], fill=colour)
        elif shape == "circle":
            draw.ellipse(box, fill=colour)
        else:
            draw.rounded_rectangle(box, radius=5, fill=colour)


def render(card: ShareCard) -> bytes:
    """The picture as PNG bytes."""
    return _render(card)


@lru_cache(maxsize=64)
def _render(card: ShareCard) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), NAVY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 14, HEIGHT), fill=TEAL)  # the brand's edge
    _shapes(draw)
    for i in range(3):
        x = MARGIN + i * (CARD_W + CARD_GAP)
        draw.rounded_rectangle((x, CARD_Y, x + CARD_W, CARD_Y + CARD_H), radius=22, fill=WHITE)
        draw.rectangle((x + 28, CARD_Y + CARD_H - 14, x + 88, CARD_Y + CARD_H - 8),
                       fill=SHAPES[i][0])
    draw.rounded_rectangle((MARGIN, BAR_Y, WIDTH - MARGIN, BAR_Y + 22), radius=11, fill=TRACK)
    share = min(1.0, max(0.0, card.coverage_share))
    if share > 0:
        right = MARGIN + max(22, int((WIDTH - 2 * MARGIN) * share))
        draw.rounded_rectangle((MARGIN, BAR_Y, right, BAR_Y + 22), radius=11, fill=GOLD)
    for t in layout(card):
        draw.text((t.x, t.y), t.text, font=font(t.font, t.size), fill=t.fill)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
