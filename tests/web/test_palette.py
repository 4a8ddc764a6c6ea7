"""Contrast of the palette (WCAG 2.2, 1.4.3 and 1.4.11), read from the stylesheets themselves:
static/css/app.css (the site, the phone, the console) and the projector's own styles in
templates/host/projector.html. Each pair is a text colour (or a control's edge) and what lies
under it, both taken from the rules the pages use; a background gradient counts by its worst
stop, a translucent layer by what it is laid over (the stage's glow at full strength), and an
element's opacity by its blend. Text must reach 4.5:1 even where WCAG would take 3:1 for large
text: a projector in a bright classroom washes colours out. Controls' edges and the focus ring
reach 3:1.

axe-core checks the same in the browser (tests/browser/test_accessibility.py), but it cannot see
through gradients or translucent layers, which is most of the phone and the projector."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_CSS = ROOT / "static" / "css" / "app.css"
PROJECTOR = ROOT / "templates" / "host" / "projector.html"
TEXT, UI = 4.5, 3.0

RGBA = tuple[float, float, float, float]


# ----- WCAG's arithmetic ---------------------------------------------------------------------

def luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0–255 channels)."""
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(a, b) -> float:
    """WCAG 2 contrast ratio of two opaque colours, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def over(top: RGBA, under: RGBA) -> RGBA:
    """``top`` laid over the opaque ``under`` (source-over)."""
    a = top[3]
    return (*(a * t + (1 - a) * u for t, u in zip(top[:3], under[:3])), 1.0)


def test_the_arithmetic_is_wcags():
    white, black = (255, 255, 255, 1), (0, 0, 0, 1)
    assert ratio(white, black) == pytest.approx(21)
    assert ratio(white, white) == pytest.approx(1)
    assert ratio((0x76, 0x76, 0x76), white) == pytest.approx(4.54, abs=0.01)  # WCAG's #767676
    assert over((255, 255, 255, 0.5), black)[:3] == (127.5, 127.5, 127.5)


# ----- reading the stylesheets ---------------------------------------------------------------

@dataclass
class Rule:
    selectors: tuple[str, ...]
    declarations: dict[str, str]
    at: tuple[str, ...]  # the @media (or other) blocks it sits in


def parse(css: str) -> list[Rule]:
    """The style rules of a stylesheet, in order, with the at-rules around each."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: list[Rule] = []
    stack: list[str] = []
    i, start = 0, 0
    while i < len(css):
        c = css[i]
        if c == "{":
            prelude = css[start:i].strip()
            if prelude.startswith("@"):
                stack.append(prelude)
                start = i + 1
            else:
                end = css.index("}", i)
                body = css[i + 1:end]
                declarations = {}
                for part in body.split(";"):
                    if ":" in part:
                        name, value = part.split(":", 1)
                        declarations[name.strip()] = value.strip()
                rules.append(Rule(tuple(s.strip() for s in prelude.split(",")), declarations,
                                  tuple(stack)))
                i = end
                start = i + 1
        elif c == "}":
            if stack:
                stack.pop()
            start = i + 1
        i += 1
    return rules


APP_RULES = parse(APP_CSS.read_text())
PROJECTOR_RULES = parse(re.search(r"<style>(.*?)</style>", PROJECTOR.read_text(), re.S).group(1))
VARIABLES = {name: value for rule in APP_RULES if rule.selectors == (":root",)
             for name, value in rule.declarations.items() if name.startswith("--")}


def declared(rules: list[Rule], selector: str, prop: str) -> str:
    """The value the last rule for exactly ``selector`` (outside any @media) gives ``prop``, or
    "missing: …" (which fails that pair's test)."""
    values = [r.declarations[prop] for r in rules
              if selector in r.selectors and prop in r.declarations and not r.at]
    if not values:
        return f"missing: no rule for {selector} sets {prop}"
    return values[-1].replace("!important", "").strip()


def app(selector: str, prop: str) -> str:
    return declared(APP_RULES, selector, prop)


def stage(selector: str, prop: str) -> str:
    return declared(PROJECTOR_RULES, selector, prop)


def var(name: str) -> str:
    return VARIABLES[name]


def test_the_stylesheets_are_read():
    assert var("--navy") == "#0b2d5b"
    assert app(".c2", "color") == "#2b2100"
    assert "radial-gradient" in var("--stage")
    assert stage(".btn-go", "background") == "var(--go)"
    assert len(APP_RULES) > 300 and len(PROJECTOR_RULES) > 100


# ----- colours --------------------------------------------------------------------------------

NAMED = {"white": (255, 255, 255, 1.0), "black": (0, 0, 0, 1.0), "transparent": (0, 0, 0, 0.0)}
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)|\b(?:white|black|transparent)\b")


def substitute(value: str) -> str:
    """``value`` with its var(--name) replaced by the palette's values."""
    for _ in range(5):
        value = re.sub(r"var\((--[\w-]+)\)", lambda m: VARIABLES[m.group(1)], value)
    return value


def colour(token: str) -> RGBA:
    if token in NAMED:
        return NAMED[token]
    if token.startswith("#"):
        h = token[1:]
        if len(h) in (3, 4):
            h = "".join(ch * 2 for ch in h)
        alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha)
    parts = [p.strip() for p in re.split(r"[,/ ]+", token[token.index("(") + 1:-1]) if p.strip()]
    r, g, b = (float(p) for p in parts[:3])
    return (r, g, b, float(parts[3]) if len(parts) > 3 else 1.0)


def layers(value: str) -> list[list[RGBA]]:
    """A background value as its layers, bottom first, each the colours it can show there: a
    plain colour, or every stop of a gradient (its worst one counts)."""
    value = substitute(value)
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(value):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    found = [[colour(t) for t in COLOUR.findall(p)] for p in parts]
    return [stops for stops in reversed(found) if stops]


@functools.lru_cache
def stage_colours(value: str, sizes=((360, 740), (360, 1800), (1280, 720)), step: int = 8):
    """Every colour the stage's background (``--stage``: a radial glow over a linear gradient,
    drawn over the whole page) shows on a phone's page, a long phone page and the projector,
    sampled every ``step`` pixels, as CSS draws it."""
    value = substitute(value)
    glow = re.search(r"radial-gradient\((\d+)px (\d+)px at (-?[\d.]+)% (-?[\d.]+)%,"
                     r"(rgba\([^)]*\)),transparent ([\d.]+)%\)", value)
    base = re.search(r"linear-gradient\((\d+)deg,((?:#\w+(?: [\d.]+%)?,?)+)\)", value)
    assert glow and base, f"the stage's background is no longer read here: {value}"
    rx, ry, px, py = (float(g) for g in glow.groups()[:4])
    light, fade = colour(glow.group(5)), float(glow.group(6)) / 100
    angle = math.radians(float(base.group(1)))
    stops = [s.split() for s in base.group(2).split(",")]
    positions = [float(s[1].rstrip("%")) / 100 if len(s) > 1 else None for s in stops]
    positions[0] = 0.0 if positions[0] is None else positions[0]
    positions[-1] = 1.0 if positions[-1] is None else positions[-1]
    stop_colours = [colour(s[0]) for s in stops]

    def linear(t: float) -> RGBA:
        t = min(max(t, 0.0), 1.0)
        for (p0, c0), (p1, c1) in zip(zip(positions, stop_colours), zip(positions[1:], stop_colours[1:])):
            if p0 <= t <= p1:
                f = (t - p0) / (p1 - p0) if p1 > p0 else 0
                return (*(a + (b - a) * f for a, b in zip(c0[:3], c1[:3])), 1.0)
        return stop_colours[-1]

    seen = set()
    for width, height in sizes:
        length = abs(width * math.sin(angle)) + abs(height * math.cos(angle))
        cx, cy = width * px / 100, height * py / 100
        for x in range(0, width + 1, step):
            for y in range(0, height + 1, step):
                t = ((x - width / 2) * math.sin(angle) - (y - height / 2) * math.cos(angle)) / length + 0.5
                d = math.hypot((x - cx) / rx, (y - cy) / ry)
                alpha = light[3] * max(0.0, 1 - d / fade)
                seen.add(tuple(round(c) for c in over((*light[:3], alpha), linear(t))[:3]))
    return tuple((*c, 1.0) for c in seen)


STAGE = "var(--stage)"


def grounds(*backgrounds: str) -> list[RGBA]:
    """Every colour the stack of ``backgrounds`` (bottom first) can show under a text."""
    out: list[RGBA] = [(255, 255, 255, 1.0)]
    for background in backgrounds:
        if background == STAGE:
            out = list(stage_colours(background))
            continue
        for stops in layers(background):
            out = [over(stop, under) for stop, under in product(stops, out)]
    return out


def worst(fg: str, backgrounds: tuple[str, ...], opacity: float = 1.0) -> float:
    """The lowest contrast of the text colour ``fg`` (with the element's ``opacity``) on any of
    the colours its backgrounds can show."""
    text = colour(COLOUR.findall(substitute(fg))[0])
    text = (*text[:3], text[3] * opacity)
    return min(ratio(over(text, ground), ground) for ground in grounds(*backgrounds))


# ----- the pairs ------------------------------------------------------------------------------

PAGE = app("body", "background")          # the site's pages: #eef3f8
CARD = "#fff"
TOPBAR = app(".topbar", "background")
CONSOLE_BAR = app(".cbar", "background")
DECK_BAR = (STAGE, stage(".deck-bar", "background"))


def pairs():
    """(what, text colour, backgrounds bottom first, minimum, opacity)."""
    yield "body text", app("body", "color"), (PAGE,), TEXT, 1
    yield "muted text on a page", app(".muted", "color"), (PAGE,), TEXT, 1
    yield "muted text on a card", app(".muted", "color"), (CARD,), TEXT, 1
    yield "table headings", app(".table th", "color"), (app(".table th", "background"),), TEXT, 1
    yield "links", app("a", "color"), (PAGE,), TEXT, 1
    yield "a field's label", app(".card label", "color"), (CARD,), TEXT, 1
    yield "placeholders", app("::placeholder", "color"), (CARD,), TEXT, 1
    yield "field errors", app(".field-error", "color"), (CARD,), TEXT, 1
    yield "alerts", app(".alert", "color"), (app(".alert", "background"),), TEXT, 1
    yield "notices", app(".notice", "color"), (app(".notice", "background"),), TEXT, 1
    yield "eyebrows on a page", app(".eyebrow", "color"), (PAGE,), TEXT, 1
    yield "the home page's subtitle", app(".hero .sub", "color"), (PAGE,), TEXT, 1
    yield "top bar links", "#fff", (TOPBAR,), TEXT, app(".topbar nav a", "opacity")
    yield "primary buttons", app(".btn-primary", "color"), (app(".btn-primary", "background"),), TEXT, 1
    yield "soft buttons", app(".btn-soft", "color"), (app(".btn-soft", "background"),), TEXT, 1
    yield "green text on a page (the editor's 'saved')", var("--ok"), (PAGE,), TEXT, 1
    yield "right answers in a session's record", app(".bars li.right .bar-label", "color"), (CARD,), TEXT, 1
    yield "an active account", app(".state.on", "color"), (CARD,), TEXT, 1
    yield "a knowledge gain", app(".cg-delta b", "color"), (app(".cg-delta.up", "background"),), TEXT, 1
    yield "a knowledge loss", app(".cg-delta b", "color"), (app(".cg-delta.down", "background"),), TEXT, 1
    yield "covered", app(".mark-yes", "color"), (app(".mark-yes", "background"),), TEXT, 1
    yield "not covered", app(".mark-no", "color"), (app(".mark-no", "background"),), TEXT, 1
    yield "the toast", app(".toast", "color"), (app(".toast", "background"),), TEXT, 1
    yield "back online", app(".net.up", "color"), (app(".net.up", "background"),), TEXT, 1
    yield "reconnecting", app(".net.down", "color"), (app(".net.down", "background"),), TEXT, 1
    # answer tiles: the phone, the projector and the console
    for i, var_name in enumerate("abcd"):
        fg = app(f".c{i}", "color") if i == 2 else app(".ch", "color")
        yield f"answer tile {var_name.upper()}", fg, (app(f".c{i}", "background"),), TEXT, 1
    # the phone
    yield "the phone's text", "#fff", (STAGE,), TEXT, 1
    yield "the phone's lead", app(".phone .lead", "color"), (STAGE,), TEXT, 1
    yield "the phone's muted text", app(".phone .muted", "color"), (STAGE,), TEXT, 1
    yield "the phone's hint", app(".q-hint", "color"), (STAGE,), TEXT, 1
    yield "the phone's pills", "#fff", (STAGE, app(".pbar-score", "background")), TEXT, 1
    yield "score and rank labels", "#fff", (STAGE, app(".stats2 div", "background")), TEXT, app(".stats2 span", "opacity")
    yield "the low countdown", app(".q-head .low", "color"), (STAGE,), TEXT, 1
    for kind in ("ok", "bad", "late", "poll", "rec"):
        yield f"the result ({kind})", "#fff", (app(f".res-{kind} .res-top", "background"),), TEXT, 1
    for kind in ("ok", "bad", "late", "poll"):
        yield f"the result's icon ({kind})", app(f".res-{kind} .res-icon", "color"), (app(".res-icon", "background"),), TEXT, 1
    yield "the result's note", app(".res-note", "color"), (app(".res-note", "background"),), TEXT, 1
    yield "a lesson's heading", app(".lesson h2", "color"), (CARD,), TEXT, 1
    yield "the check's part", app(".q-part", "color"), (app(".q-part", "background"),), TEXT, 1
    yield "the check's part after", app(".q-part.after", "color"), (app(".q-part.after", "background"),), TEXT, 1
    yield "never", app(".no h3", "color"), (app(".no", "background"),), TEXT, 1
    yield "always", app(".yes h3", "color"), (app(".yes", "background"),), TEXT, 1
    yield "the helplines", "#fff", (app(".call", "background"),), TEXT, 1
    yield "help seen", app(".sheet-seen", "color"), (app(".sheet-seen", "background"),), TEXT, 1
    yield "first place", app(".podium-list li:nth-child(1) .rk", "color"), (app(".podium-list li:nth-child(1) .rk", "background"),), TEXT, 1
    yield "third place", app(".podium-list li:nth-child(3) .rk", "color"), (app(".podium-list li:nth-child(3) .rk", "background"),), TEXT, 1
    # the console
    yield "the console's phase", app(".cphase", "color"), (CONSOLE_BAR, app(".cphase", "background")), TEXT, 1
    yield "the console's phase at the end", app(".cphase.over", "color"), (CONSOLE_BAR, app(".cphase.over", "background")), TEXT, 1
    yield "the console's PIN", "#fff", (CONSOLE_BAR, app(".cpin", "background")), TEXT, 1
    yield "the console's lesson heading", app(".now-lesson h2", "color"), (app(".now-lesson", "background"),), TEXT, 1
    yield "the console's wrong answers", app(".now-choices .dim", "color"), (app(".now-choices .dim", "background"),), TEXT, 1
    yield "the console's End", app(".btn-end", "color"), (CARD,), TEXT, 1
    yield "help requests", app(".help-alert h2", "color"), (app(".help-alert", "background"),), TEXT, 1
    # the projector (its own styles), at 4.5:1 for its large text too
    yield "the projector's text", "#fff", (STAGE,), TEXT, 1
    yield "the projector's top bar", "#fff", DECK_BAR, TEXT, stage(".deck-where", "opacity")
    yield "the projector's key hints", "#fff", (STAGE,), TEXT, stage(".keys", "opacity")
    yield "the projector's console link", "#fff", (STAGE,), TEXT, stage(".console-link", "opacity")
    yield "a question's kind", "#fff", (STAGE,), TEXT, stage(".q-kind", "opacity")
    yield "answered", "#fff", (STAGE,), TEXT, stage(".answered small", "opacity")
    yield "read the conversation", "#fff", (STAGE,), TEXT, stage(".reading", "opacity")
    yield "waiting for players", "#fff", (STAGE,), TEXT, stage(".lobby-empty", "opacity")
    yield "subtitles", "#fff", (STAGE,), TEXT, stage(".stage .sub", "opacity")
    yield "the question number", stage(".q-num", "color"), (stage(".q-num", "background"),), TEXT, 1
    yield "the check's number", stage(".q-num.check", "color"), (stage(".q-num.check", "background"),), TEXT, 1
    yield "the check's part on the projector", stage(".q-kind.part", "color"), (STAGE,), TEXT, 1
    yield "Start and Next", stage(".btn-go", "color"), (stage(".btn-go", "background"),), TEXT, 1
    yield "End and Reveal", stage(".btn-ghost", "color"), (STAGE, stage(".btn-ghost", "background")), TEXT, 1
    yield "the lesson on the projector", stage(".lesson h2", "color"), (stage(".lesson", "background"),), TEXT, 1
    yield "the low countdown ring", stage(".ring.low b", "color"), (STAGE,), TEXT, 1
    yield "wrong answers at the reveal", stage(".tiles .ch.dim", "color"), (stage(".tiles .ch.dim", "background"),), TEXT, 1
    yield "the gain", "#fff", (stage(".over-check em", "background"),), TEXT, 1
    yield "a loss", "#fff", (stage(".over-check em.down", "background"),), TEXT, 1
    yield "the helpline numbers", stage(".stage .help b", "color"), (stage(".stage .help b", "background"),), TEXT, 1
    yield "removing a player", "#fff", (stage(".btn-ban", "background"),), TEXT, 1
    yield "the lobby's check note", "#fff", (STAGE, stage(".lobby-check", "background")), TEXT, 1
    # edges of controls and the focus ring (1.4.11: 3:1)
    yield "a field's edge", app("input:not([type=checkbox])", "border-color"), (CARD,), UI, 1
    yield "the focus ring on a page", app(":focus-visible", "outline"), (PAGE,), UI, 1
    yield "the focus ring on a card", app(":focus-visible", "outline"), (CARD,), UI, 1
    yield "the focus ring on the top bar", app(".topbar :focus-visible", "outline-color"), (TOPBAR,), UI, 1
    yield "the focus ring on the phone", app(".play :focus-visible", "outline-color"), (STAGE,), UI, 1
    yield "the focus ring on the projector", app(".stage :focus-visible", "outline-color"), (STAGE,), UI, 1
    yield "the focus ring on the phone's cards", app(".play .card :focus-visible", "outline-color"), (CARD,), UI, 1
    yield "wrong answers' bars", stage(".col.dim .bar", "background"), (STAGE,), UI, 1


PAIRS = list(pairs())


@pytest.mark.parametrize("what, fg, backgrounds, minimum, opacity", PAIRS,
                         ids=[p[0] for p in PAIRS])
def test_contrast(what, fg, backgrounds, minimum, opacity):
    missing = [v for v in (fg, *backgrounds, str(opacity)) if v.startswith("missing:")]
    assert not missing, missing
    got = worst(fg, backgrounds, float(opacity))
    assert got >= minimum, f"{what}: {fg} on {backgrounds} (opacity {opacity}) is {got:.2f}:1"


def test_a_failing_pair_is_caught():
    """The check can fail: the teal and green this palette had before 2.2 did not pass."""
    assert worst("#0f8b8d", (PAGE,)) < TEXT
    assert worst("#fff", ("linear-gradient(160deg,#22b35f,#158146)",)) < TEXT
    assert worst("#fff", (STAGE,), opacity=0.45) < TEXT
