"""Accessibility (WCAG 2.2 AA) in a real browser, against the real server: axe-core on every
page a pupil, a presenter, a school and the public see (the phone through a whole game with
every question type, the projector, the console, sign-in, the records pages, the quiz editor);
a pupil joins and answers and a presenter runs the session with the keyboard alone; the live
regions tell a screen reader what happens; the phone with its text at 200% keeps every answer
button whole; asking for less motion stops the animations.

axe's results are kept as JSON (``axe/<page>.json``) and screenshots at 1280×720 and 360×740
(the phone also at 200% text) as PNG, in the test's folder or ``$QUIZAPP_TEST_ARTIFACTS``
(tests/browser/a11y.py). Debian's Chromium, driven by Playwright."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support import ADMIN_PASSWORD

from . import a11y
from .conftest import watch_console

pytestmark = pytest.mark.browser

WIDE = {"viewport": {"width": 1280, "height": 720}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
#: The test quiz (tests/data/questions/test-quiz.yaml): its questions' types, in order.
TYPES = ["single", "truefalse", "multiple", "poll", "chat"]


def settle(page) -> None:
    """Wait until every CSS animation that ends has ended (a view's entrance, the podium's
    rise): axe then sees the colours the page rests on, not a frame of a fade. (The countdown's
    transition runs on.) First two frames pass, for what a resize or a new view sets off."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function("""() => document.getAnimations().every((a) => {
        const t = a.effect && a.effect.getComputedTiming();
        return !(a instanceof CSSAnimation) || a.playState !== "running" || t.iterations === Infinity;
    })""", timeout=5000)


class Audit:
    """axe on each page of a walk, with a screenshot; every page's serious or critical
    violations listed together at the end (``assert_clean``)."""

    def __init__(self, folder):
        self.folder = a11y.artifacts(folder)
        self.failures: dict[str, str] = {}
        self.pages: list[str] = []

    def __call__(self, page, name: str, full_page: bool = False) -> dict:
        settle(page)
        results = a11y.run_axe(page, name, self.folder)
        page.screenshot(path=self.folder / f"{name}.png", full_page=full_page)
        assert results["passes"], f"axe checked nothing on {name}"
        bad = a11y.blocking(results)
        if bad:
            self.failures[name] = a11y.describe(bad)
        self.pages.append(name)
        return results

    def assert_clean(self) -> None:
        assert not self.failures, "\n\n".join(f"=== {name}\n{text}"
                                              for name, text in self.failures.items())


def sign_in(page, url: str) -> None:
    page.goto(url + "/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button.btn-primary")
    page.wait_for_url(lambda u: "/login" not in u)


def join(phone, game: dict, nickname: str) -> None:
    phone.goto(game["join_url"])
    phone.fill("#nick", nickname)
    phone.click("#join-btn")
    expect(phone.locator("#v-wait")).to_be_visible()


def test_every_page_passes_axe(server, browser, tmp_path):
    """A whole game (every question type) on two phones, the projector and the console, then the
    records pages, sign-in, the public pages and the quiz editor: no serious or critical
    violation of WCAG 2.0/2.1/2.2 A or AA anywhere."""
    audit = Audit(tmp_path)
    errors: list[str] = []
    game = server.create_game(server.token())

    visitor = browser.new_context(**PHONE)
    page = visitor.new_page()
    watch_console(page, errors)
    page.goto(server.url + "/")
    audit(page, "home-360", full_page=True)
    page.goto(server.url + "/play/")
    audit(page, "enter-pin-360")
    page.goto(server.url + "/public")
    audit(page, "public-360", full_page=True)
    page.goto(server.url + "/login")
    audit(page, "sign-in-360")
    wide_visitor = browser.new_context(**WIDE)
    page = wide_visitor.new_page()
    page.goto(server.url + "/")
    audit(page, "home-1280")
    page.goto(server.url + "/login")
    audit(page, "sign-in-1280")
    page.goto(server.url + "/public")
    audit(page, "public-1280", full_page=True)

    desk = browser.new_context(**WIDE)
    projector = desk.new_page()
    watch_console(projector, errors)
    sign_in(projector, server.url)
    projector.goto(game["host_url"])
    expect(projector.locator("#v-lobby")).to_be_visible()
    console = desk.new_page()
    watch_console(console, errors)
    console.goto(game["host_url"] + "/console")

    phone = browser.new_context(**PHONE).new_page()
    watch_console(phone, errors)
    phone.goto(game["join_url"])
    expect(phone.locator("#v-join")).to_be_visible()
    audit(phone, "phone-join")
    phone.click("#help-btn")
    expect(phone.locator("#help-sheet")).to_be_visible()
    audit(phone, "phone-help-sheet")
    phone.keyboard.press("Escape")
    join(phone, game, "Cú Mèo")
    other = browser.new_context(**PHONE).new_page()
    join(other, game, "Sóc Nâu")
    expect(projector.locator("#count")).to_have_text("2")
    audit(phone, "phone-lobby")
    audit(projector, "projector-lobby")
    audit(console, "console-lobby")

    projector.click("#btn-start")
    for n, kind in enumerate(TYPES):
        expect(phone.locator("#v-q")).to_be_visible()
        expect(phone.locator("#q-ans button").first).to_be_visible(timeout=15000)
        expect(projector.locator("#q-tiles")).to_be_visible(timeout=15000)
        audit(phone, f"phone-question-{kind}")
        audit(projector, f"projector-question-{kind}")
        audit(console, f"console-question-{kind}")
        buttons = phone.locator("#q-ans button")
        buttons.first.click()
        if kind == "multiple":
            phone.click("#q-submit")
        expect(phone.locator("#v-sent")).to_be_visible()
        audit(phone, f"phone-answered-{kind}")
        projector.click("#btn-reveal")
        expect(projector.locator("#v-reveal")).to_be_visible()
        expect(phone.locator("#v-res")).to_be_visible()
        audit(phone, f"phone-result-{kind}", full_page=True)
        audit(projector, f"projector-reveal-{kind}")
        audit(console, f"console-reveal-{kind}", full_page=True)
        projector.click("#btn-next")
        if n + 1 < len(TYPES):
            expect(projector.locator("#v-board")).to_be_visible()
            expect(phone.locator("#v-board")).to_be_visible()
            if n == 0:
                audit(phone, "phone-leaderboard")
                audit(projector, "projector-leaderboard")
                audit(console, "console-leaderboard")
            projector.wait_for_timeout(450)  # the controls ignore a second press within 400 ms
            projector.click("#btn-next")
    expect(projector.locator("#v-over")).to_be_visible()
    expect(phone.locator("#v-over")).to_be_visible()
    audit(phone, "phone-end", full_page=True)
    audit(projector, "projector-podium")
    audit(console, "console-end", full_page=True)
    console.set_viewport_size({"width": 360, "height": 740})
    audit(console, "console-end-360", full_page=True)

    # the records: the session just played is in them
    records = desk.new_page()
    watch_console(records, errors)
    for name, path in [("records-dashboard", "/records/dashboard"),
                       ("records-school", "/records/schools/DEMO"),
                       ("records-me", "/records/me"),
                       ("session-results", f"/host/{game['pin']}/results"),
                       ("my-sessions", "/host/"),
                       ("new-session", "/host/new"),
                       ("quiz-list", "/quizzes/"),
                       ("quiz-locked", "/quizzes/test-quiz/edit"),
                       ("quiz-editor-new", "/quizzes/new"),
                       ("quiz-editor", None)]:
        if path:
            records.goto(server.url + path)
        else:  # a copy of the bank's quiz, in the editor with all its questions
            records.goto(server.url + "/quizzes/test-quiz/edit")
            records.click("form[action$='/duplicate'] button")
            expect(records.locator("input:visible, textarea:visible").first).to_be_visible()
        audit(records, name + "-1280", full_page=True)
        records.set_viewport_size({"width": 360, "height": 740})
        audit(records, name + "-360", full_page=True)
        records.set_viewport_size({"width": 1280, "height": 720})
    # the bank's own quiz is not editable: its page says so with a 403, which is no error here
    errors[:] = [e for e in errors if "status of 403" not in e]

    assert len(audit.pages) > 60
    audit.assert_clean()
    assert not errors, errors


# ----- keyboard -----------------------------------------------------------------------------

def focused(page) -> dict:
    """The focused element: its id, tag, text and whether a focus ring shows around it."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        const s = getComputedStyle(e);
        return {id: e.id, tag: e.tagName.toLowerCase(), text: e.textContent.trim().slice(0, 40),
                inAnswers: !!e.closest(".ans"),
                ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2};
    }""")


def tab_to(page, test, limit: int = 25) -> dict:
    """Press Tab until the focused element passes ``test``; every element on the way shows its
    focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] not in ("body", "html"):
            assert now["ring"], f"no visible focus on {now}"
        if test(now):
            return now
    raise AssertionError(f"Tab never reached it; last: {now}")


def test_a_pupil_and_a_presenter_by_keyboard_alone(server, browser, tmp_path):
    """A pupil types the PIN, joins and answers every kind of question with Tab, Enter, Space and
    the arrow keys; the presenter starts, reveals and moves on with the keyboard, on the
    projector and on the console. Every focused control shows its focus ring."""
    shots = a11y.artifacts(tmp_path)
    errors: list[str] = []
    game = server.create_game(server.token())
    desk = browser.new_context(**WIDE)
    projector = desk.new_page()
    watch_console(projector, errors)
    sign_in(projector, server.url)
    projector.goto(game["host_url"])
    expect(projector.locator("#v-lobby")).to_be_visible()

    phone = browser.new_context(**PHONE).new_page()
    watch_console(phone, errors)
    phone.goto(server.url + "/lang/en")
    phone.goto(server.url + "/")
    tab_to(phone, lambda f: f["id"] == "pin")
    phone.keyboard.type(game["pin"])
    phone.keyboard.press("Enter")
    expect(phone.locator("#v-join")).to_be_visible()
    assert phone.url.endswith("/play/" + game["pin"])
    tab_to(phone, lambda f: f["id"] == "nick")
    phone.keyboard.type("Cú Mèo")
    tab_to(phone, lambda f: f["id"] == "suggest")  # the dice is a button for the keyboard too
    phone.keyboard.press("Enter")
    assert phone.input_value("#nick") not in ("", "Cú Mèo")
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Control+a")
    phone.keyboard.type("Cú Mèo")
    phone.keyboard.press("Enter")
    expect(phone.locator("#v-wait")).to_be_visible()
    expect(projector.locator("#count")).to_have_text("1")

    # the presenter: Tab to Start on the projector, Enter
    tab_to(projector, lambda f: f["id"] == "btn-start")
    projector.screenshot(path=shots / "keyboard-projector-start.png")
    projector.keyboard.press("Enter")

    # 1. single choice: the arrow keys go into the answers and across them; Enter answers
    expect(phone.locator("#q-ans button")).to_have_count(4)
    phone.keyboard.press("ArrowDown")
    assert focused(phone)["text"].endswith("Zero") and focused(phone)["ring"]
    phone.keyboard.press("ArrowRight")
    assert focused(phone)["text"].endswith("One")
    phone.keyboard.press("ArrowDown")
    assert focused(phone)["text"].endswith("Three")
    phone.keyboard.press("ArrowLeft")
    assert focused(phone)["text"].endswith("Two")
    phone.screenshot(path=shots / "keyboard-phone-answer.png")
    phone.keyboard.press("Enter")
    expect(phone.locator("#v-res")).to_be_visible()  # the only player answered: the reveal
    expect(phone.locator("#res-title")).to_have_text("Correct!")

    # the presenter: the remote's keys on the projector (Space: the leaderboard, then the next)
    expect(projector.locator("#v-reveal")).to_be_visible()
    projector.wait_for_timeout(450)  # the controls ignore a second press within 400 ms
    projector.keyboard.press("Space")
    expect(projector.locator("#v-board")).to_be_visible()
    projector.wait_for_timeout(450)
    projector.keyboard.press("Space")

    # 2. true or false: Tab into the answers, Space answers
    expect(phone.locator("#q-ans button")).to_have_count(2)
    tab_to(phone, lambda f: f["inAnswers"] and f["text"].endswith("False"))
    phone.keyboard.press("Space")
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    projector.wait_for_timeout(450)

    # the console by keyboard: Tab to Next, Enter (twice: the leaderboard, then question 3)
    console = desk.new_page()
    watch_console(console, errors)
    console.goto(game["host_url"] + "/console")
    expect(console.locator("#btn-next")).to_be_visible()
    tab_to(console, lambda f: f["id"] == "btn-next", limit=40)
    console.keyboard.press("Enter")
    expect(projector.locator("#v-board")).to_be_visible()
    console.wait_for_timeout(450)
    tab_to(console, lambda f: f["id"] == "btn-next", limit=40)
    console.screenshot(path=shots / "keyboard-console-next.png")
    console.keyboard.press("Enter")

    # 3. multiple select: Space toggles (aria-pressed), Tab to Submit, Enter
    expect(phone.locator("#q-ans button")).to_have_count(4)
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("Space")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("Space")
    expect(phone.locator("#q-ans button[aria-pressed=true]")).to_have_count(2)
    tab_to(phone, lambda f: f["id"] == "q-submit")
    phone.keyboard.press("Enter")
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    projector.wait_for_timeout(450)
    projector.keyboard.press("ArrowRight")
    expect(projector.locator("#v-board")).to_be_visible()
    projector.wait_for_timeout(450)
    projector.keyboard.press("PageDown")

    # 4. a poll: the presenter reveals it with R before anyone answers
    expect(phone.locator("#q-ans button")).to_have_count(3)
    expect(projector.locator("#v-question")).to_be_visible()
    projector.wait_for_timeout(450)
    projector.keyboard.press("r")
    expect(projector.locator("#v-reveal")).to_be_visible()
    expect(phone.locator("#v-res")).to_be_visible()
    projector.wait_for_timeout(450)
    projector.keyboard.press("Enter")
    expect(projector.locator("#v-board")).to_be_visible()
    projector.wait_for_timeout(450)
    projector.keyboard.press("Enter")

    # 5. the chat scenario: once the conversation has played, the arrow keys and Enter
    expect(phone.locator("#q-ans button").first).to_be_visible(timeout=15000)
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")
    assert focused(phone)["text"].endswith("Block and tell an adult")
    phone.keyboard.press("Enter")
    expect(phone.locator("#res-title")).to_have_text("Correct!")
    projector.wait_for_timeout(450)
    projector.keyboard.press("Space")  # the last reveal: Next is "Finish"
    expect(projector.locator("#v-over")).to_be_visible()
    expect(phone.locator("#v-over")).to_be_visible()
    # the helplines are reachable by keyboard
    tab_to(phone, lambda f: f["tag"] == "a" and f["text"].startswith("111"))
    phone.screenshot(path=shots / "keyboard-phone-helpline.png")
    assert not errors, errors


# ----- screen readers ----------------------------------------------------------------------

#: Records every text put into a live region (aria-live, or the roles status, alert and log):
#: what a screen reader would say, with the region's politeness.
LISTEN = """
window.__said = [];
new MutationObserver((changes) => {
  for (const c of changes) {
    const node = c.target.nodeType === 1 ? c.target : c.target.parentElement;
    const region = node && node.closest('[aria-live], [role=status], [role=alert], [role=log]');
    if (!region || region.closest('[hidden]')) continue;
    const polite = region.getAttribute('aria-live') ||
      ({status: 'polite', log: 'polite', alert: 'assertive'})[region.getAttribute('role')];
    const text = c.type === 'childList'
      ? Array.from(c.addedNodes, (n) => n.textContent).join(' ').trim()
      : node.textContent.trim();
    if (text) window.__said.push([polite, region.id || region.className, text]);
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def said(page) -> list[tuple[str, str, str]]:
    return [tuple(x) for x in page.evaluate("window.__said")]


def test_live_regions_tell_what_happens(server, browser):
    """The phone's live regions exist from the start and receive, as they happen: the question,
    the chat's messages, "answer sent", right or wrong with the points, score and rank, and the
    end with the pupil's score and rank."""
    game = server.create_game(server.token())
    desk = browser.new_context(**WIDE)
    projector = desk.new_page()
    sign_in(projector, server.url)
    projector.goto(game["host_url"])
    phones = []
    for nickname in ("Cú Mèo", "Sóc Nâu"):
        context = browser.new_context(**PHONE)
        context.add_init_script(LISTEN)
        phone = context.new_page()
        phone.goto(server.url + "/lang/en")
        join(phone, game, nickname)
        phones.append(phone)
    expect(projector.locator("#count")).to_have_text("2")
    phone, other = phones
    regions = phone.evaluate("""() => Array.from(document.querySelectorAll('[aria-live]'),
        (e) => [e.id, e.getAttribute('aria-live')])""")
    assert ["say-polite", "polite"] in regions and ["say-assertive", "assertive"] in regions
    assert ("polite", "say-polite", "You're in! Look at the projector. The game starts soon.") in said(phone)

    projector.click("#btn-start")
    expect(phone.locator("#q-ans button")).to_have_count(4)
    phone.wait_for_function("window.__said.some((s) => s[2].includes('Which one is correct?'))")
    question = [s for s in said(phone) if "Which one is correct?" in s[2]][-1]
    assert question[0] == "polite" and question[1] == "say-polite"
    assert question[2].startswith("Question 1/5")

    phone.locator("#q-ans button").nth(2).click()  # right
    phone.wait_for_function("window.__said.some((s) => s[2].includes('Answer sent'))")
    assert any("Waiting for the others" in s[2] for s in said(phone) if s[1] == "say-polite")
    other.locator("#q-ans button").nth(0).click()  # wrong; both answered: the reveal
    phone.wait_for_function("window.__said.some((s) => s[2].startsWith('Correct!'))")
    other.wait_for_function("window.__said.some((s) => s[2].startsWith('Wrong'))")
    result = [s for s in said(phone) if s[2].startswith("Correct!")][-1][2]
    points = phone.text_content("#res-pts")
    assert points.startswith("+") and points in result, result
    assert "Score" in result and "Rank" in result and "1/2" in result, result
    wrong = [s for s in said(other) if s[2].startswith("Wrong")][-1][2]
    assert "Score, 0" in wrong and "2/2" in wrong, wrong

    # the leaderboard, then the chat question: its messages go to a log as they appear
    projector.click("#btn-next")
    phone.wait_for_function("window.__said.some((s) => s[2].startsWith('Leaderboard'))")
    for _ in range(3):  # questions 2–4: everyone answers, the presenter moves on
        projector.wait_for_timeout(450)
        projector.click("#btn-next")
        expect(phone.locator("#v-q")).to_be_visible()
        for p in phones:
            p.locator("#q-ans button").first.click()
            if p.locator("#q-submit").is_visible():
                p.click("#q-submit")
        expect(projector.locator("#v-reveal")).to_be_visible()
        projector.click("#btn-next")
        expect(projector.locator("#v-board")).to_be_visible()
    projector.wait_for_timeout(450)
    projector.click("#btn-next")
    phone.wait_for_function("window.__said.some((s) => s[1] === 'q-chat' && s[2].includes('Why?'))")
    chat = [s for s in said(phone) if s[1] == "q-chat"]
    assert all(s[0] == "polite" for s in chat)
    assert any("send me your photo <b>now</b>" in s[2] for s in chat), chat  # as text, never markup
    expect(phone.locator("#q-ans button").first).to_be_visible(timeout=15000)

    projector.once("dialog", lambda d: d.accept())
    projector.click("#btn-end")
    phone.wait_for_function("window.__said.some((s) => s[2].startsWith('Game over'))")
    end = [s for s in said(phone) if s[2].startswith("Game over")][-1][2]
    assert "Score" in end and "Rank" in end and "/2" in end, end


# ----- text at 200% ------------------------------------------------------------------------

#: Text zoom as a phone's text-size setting does it: every text twice as large (each font-size
#: of the page's stylesheets doubled, the root's too, so em and rem follow), the boxes' own
#: sizes kept.
TEXT_ZOOM = """(factor) => {
  const scale = (rules) => {
    for (const rule of rules) {
      if (rule.cssRules) scale(rule.cssRules);
      const size = rule.style && rule.style.getPropertyValue("font-size");
      if (!size || /^(inherit|initial|unset)$/.test(size) || /(em|%)$/.test(size)) continue;
      rule.style.setProperty("font-size", `calc(${factor} * (${size}))`,
                             rule.style.getPropertyPriority("font-size"));
    }
  };
  for (const sheet of document.styleSheets) scale(sheet.cssRules);
  document.documentElement.style.fontSize = factor * 100 + "%";
}"""

#: Where each answer button, the Submit button and "I need help" are, and whether anything in
#: them is cut off.
BOXES = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top + scrollY, w: r.width, h: r.height}; };
  const cut = (e) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1 ||
    Array.from(e.querySelectorAll("*")).some((c) => { const a = c.getBoundingClientRect(),
      b = e.getBoundingClientRect(); return a.width && (a.left < b.left - 1 || a.right > b.right + 1 ||
      a.top < b.top - 1 || a.bottom > b.bottom + 1); });
  const controls = [...document.querySelectorAll("#q-ans button, #help-btn"),
                    ...document.querySelectorAll("#q-submit:not([hidden])")];
  return {page: {w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight},
          text: parseFloat(getComputedStyle(document.querySelector("#q-text")).fontSize),
          controls: controls.map((e) => ({name: e.textContent.trim(), cut: cut(e), ...box(e)}))};
}"""


def assert_whole(layout: dict, width: int) -> None:
    """Every control inside the page's width (no sideways scrolling), within the page's height
    (reachable by scrolling), not cut off and not on top of another."""
    assert layout["page"]["w"] <= width, f"the page scrolls sideways: {layout['page']}"
    controls = layout["controls"]
    for c in controls:
        assert c["x"] >= 0 and c["x"] + c["w"] <= width + 0.5, f"outside the screen: {c}"
        assert c["y"] >= 0 and c["y"] + c["h"] <= layout["page"]["h"] + 0.5, f"out of reach: {c}"
        assert not c["cut"], f"cut off: {c}"
    for i, a in enumerate(controls):
        for b in controls[i + 1:]:
            apart = (a["x"] + a["w"] <= b["x"] + 0.5 or b["x"] + b["w"] <= a["x"] + 0.5 or
                     a["y"] + a["h"] <= b["y"] + 0.5 or b["y"] + b["h"] <= a["y"] + 0.5)
            assert apart, f"overlapping: {a} and {b}"


def test_the_phone_at_200_percent_text(server, browser, tmp_path):
    """At 360×740 with the text twice as large, the join form, and every answer button of every
    question type (and Submit, and "I need help") is whole, on the screen's width and reachable
    by scrolling, overlapping nothing; the top bar keeps some of the nickname; the result and the
    end screen do not scroll sideways. A second phone at 100% beside it: screenshots of both."""
    shots = a11y.artifacts(tmp_path)
    game = server.create_game(server.token())
    desk = browser.new_context(**WIDE)
    projector = desk.new_page()
    sign_in(projector, server.url)
    projector.goto(game["host_url"])
    plain = browser.new_context(**PHONE).new_page()
    big = browser.new_context(**PHONE).new_page()
    big.goto(game["join_url"])
    expect(big.locator("#v-join")).to_be_visible()
    big.evaluate(TEXT_ZOOM, 2)
    big.screenshot(path=shots / "phone-200-join.png", full_page=True, animations="disabled")
    form = big.evaluate("""() => Array.from(document.querySelectorAll('#join-form input, #join-form button'),
        (e) => { const r = e.getBoundingClientRect(); return [e.id, r.left, r.right,
                 e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1]; })""")
    assert all(left >= 0 and right <= 360 and fits for _, left, right, fits in form), form
    big.fill("#nick", "Chim Cánh Cụt Dũng")
    big.click("#join-btn")
    expect(big.locator("#v-wait")).to_be_visible()
    join(plain, game, "Cá Heo Vui Vẻ")
    expect(projector.locator("#count")).to_have_text("2")
    big.screenshot(path=shots / "phone-200-lobby.png", full_page=True, animations="disabled")
    name = big.evaluate("""() => { const e = document.querySelector('#me-name');
        return [e.clientWidth, parseFloat(getComputedStyle(e).fontSize)]; }""")
    assert name[0] >= 3 * name[1], f"the nickname is squeezed out of the top bar: {name}"

    projector.click("#btn-start")
    for n, kind in enumerate(TYPES):
        for phone in (plain, big):
            expect(phone.locator("#q-ans button").first).to_be_visible(timeout=15000)
        at_100, at_200 = plain.evaluate(BOXES), big.evaluate(BOXES)
        assert at_200["text"] == pytest.approx(2 * at_100["text"]), "the text did not double"
        plain.screenshot(path=shots / f"phone-100-{kind}.png", full_page=True, animations="disabled")
        big.screenshot(path=shots / f"phone-200-{kind}.png", full_page=True, animations="disabled")
        assert_whole(at_100, 360)
        assert_whole(at_200, 360)
        assert len(at_200["controls"]) == len(at_100["controls"]) >= 3
        projector.wait_for_timeout(450)  # the controls ignore a second press within 400 ms
        projector.click("#btn-reveal")
        expect(big.locator("#v-res")).to_be_visible()
        if n == 0:
            big.screenshot(path=shots / "phone-200-result.png", full_page=True, animations="disabled")
            assert big.evaluate("document.documentElement.scrollWidth") <= 360
        projector.wait_for_timeout(450)
        projector.click("#btn-next")
        if n + 1 < len(TYPES):
            expect(projector.locator("#v-board")).to_be_visible()
            projector.wait_for_timeout(450)
            projector.click("#btn-next")
    expect(big.locator("#v-over")).to_be_visible()
    big.screenshot(path=shots / "phone-200-end.png", full_page=True, animations="disabled")
    assert big.evaluate("document.documentElement.scrollWidth") <= 360
    calls = big.evaluate("""() => Array.from(document.querySelectorAll('#v-over .call'), (e) => {
        const r = e.getBoundingClientRect(); return [r.left, r.right, e.scrollWidth <= e.clientWidth + 1]; })""")
    assert calls and all(left >= 0 and right <= 360 and fits for left, right, fits in calls), calls


# ----- less motion -------------------------------------------------------------------------

def test_less_motion_stops_the_animations(server, browser):
    """With prefers-reduced-motion, nothing on the phone, the projector or the console animates
    or glides (the waiting dots, the entrances, the bars); the countdown still counts, its bar
    stepping with the number. Without it, the same screens do animate."""
    game = server.create_game(server.token())

    def motions(page) -> list:
        return page.evaluate("""() => document.getAnimations().map((a) =>
            [a.constructor.name, a.animationName || a.transitionProperty,
             (a.effect.target && (a.effect.target.id || a.effect.target.className)) || ""])""")

    moving = browser.new_context(**PHONE).new_page()
    join(moving, game, "Hổ Con")
    assert motions(moving), "the waiting screen should animate for everyone else"

    still = browser.new_context(**PHONE, reduced_motion="reduce")
    phone = still.new_page()
    join(phone, game, "Rùa Biển")
    desk = browser.new_context(**WIDE, reduced_motion="reduce")
    projector = desk.new_page()
    sign_in(projector, server.url)
    projector.goto(game["host_url"])
    console = desk.new_page()
    console.goto(game["host_url"] + "/console")
    expect(console.locator("#btn-start")).to_be_visible()
    expect(projector.locator("#count")).to_have_text("2")
    for page in (phone, projector, console):
        assert motions(page) == [], page.url
    projector.click("#btn-start")
    expect(phone.locator("#q-ans button")).to_have_count(4)
    expect(projector.locator("#q-tiles .ch")).to_have_count(4)
    phone.wait_for_timeout(300)
    for page in (phone, projector, console):
        assert motions(page) == [], (page.url, motions(page))
    # every element's animations and transitions are off (computed), not merely finished
    for page in (phone, projector):
        moving_parts = page.evaluate("""() => Array.from(document.querySelectorAll('*')).filter((e) => {
            const s = getComputedStyle(e);
            const long = (v) => v.split(',').some((d) => parseFloat(d) > 0.01);
            return (s.animationName !== 'none' && long(s.animationDuration)) || long(s.transitionDuration);
        }).map((e) => e.id || e.className)""")
        assert moving_parts == [], moving_parts
    # the countdown bar steps with the number: after a second and a half it is below full
    first = phone.evaluate("getComputedStyle(document.querySelector('#q-bar')).transform")
    phone.wait_for_timeout(1600)
    later = phone.evaluate("getComputedStyle(document.querySelector('#q-bar')).transform")
    assert first != later and later != "none", (first, later)
    scale = float(later.split("(")[1].split(",")[0])
    assert 0.5 < scale < 1, later
    # the same question for a pupil who did not ask for less motion: its tiles and bar move
    expect(moving.locator("#q-ans button")).to_have_count(4)
    assert motions(moving)


def test_axe_is_for_the_tests_only(server):
    """axe-core is vendored under tests/ and the app serves no copy of it."""
    import requests

    from .a11y import AXE

    assert AXE.is_file() and AXE.read_text()[:20].startswith("/*! axe v4.")
    assert not [p for p in (a11y.AXE.parents[3] / "static").rglob("*") if "axe" in p.name.lower()]
    for path in ("/static/axe.min.js", "/static/vendor/axe.min.js", "/tests/vendor/axe-core/axe.min.js"):
        assert requests.get(server.url + path, timeout=5).status_code == 404
