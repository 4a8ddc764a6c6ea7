"""Fuzz every Socket.IO event (docs/protocol.md): wrong types, missing fields, 100 KB strings,
unicode tricks, negative and out-of-range indexes, nested structures, extra arguments.

Each input gets an ack. Refused input gets ``{"ok": false, "error", "message"}`` (never
``internal_error``), nothing is logged at ERROR, and the game in memory and every row of every
table are exactly as they were. Input that happens to be valid (Hypothesis does find real
nicknames) may succeed: then the ack has the success shape and the state changed by exactly that
one action.

One app per test function; each test first sends a fixed corpus of nasty inputs, then lets
Hypothesis loop inside it.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.extensions import socketio
from quizapp.realtime.live import live_games

from .common import (DIGITS, FUZZ, REGRESSION, NASTY, any_text, assert_error_ack, assert_ok_ack,
                     big_ints, case, database, json_floats, json_ints, json_values, junk,
                     logged_errors, relax_rate_limits, report, tricky_text)

# A failing example holding a 100 KB string makes Hypothesis warn about the size of its report;
# with warnings as errors that would hide the real failure behind the warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@pytest.fixture(autouse=True)
def _capture_errors(caplog):
    """caplog at ERROR: every test asserts that nothing was logged at that level."""
    caplog.set_level(logging.ERROR)

#: Every client → server event of the protocol. Add new ones here: every test below picks its
#: events from this list (player events from a connection that has not joined, host events from
#: connections that are not the game's host, and from the host with input that must be refused).
EVENTS = (
    "player:join", "player:resume", "player:answer", "player:help",
    "host:join", "host:start", "host:next", "host:reveal", "host:end", "host:kick",
    "host:help_done",
)
PLAYER_EVENTS = tuple(e for e in EVENTS if e.startswith("player:"))
HOST_EVENTS = tuple(e for e in EVENTS if e.startswith("host:"))

#: Keys event payloads carry, so fuzzed objects look like real ones.
PROTOCOL_KEYS = ("pin", "nickname", "class_label", "device", "token", "question", "choice",
                 "player_id", "ban", "id", "phase", "index", "console")


# ----- the state a refused input must leave alone ---------------------------------------------

def engine_state(app, pin: str) -> dict:
    with app.app_context():
        e = live_games(app).get(pin).engine
    return {
        "phase": (e.phase.value, e.index),
        "players": {pid: (p.nickname, p.active, p.score, p.streak,
                          tuple(sorted((i, tuple(sorted(a.choice))) for i, a in p.answers.items())))
                    for pid, p in e.players.items()},
        "counts": {i: list(c) for i, c in getattr(e, "counts", {}).items()},
    }


def snapshot(app, pin: str) -> dict:
    """The game in memory and every row of every table."""
    return {"engine": engine_state(app, pin), "db": database(app)}


def outcome(ack) -> str:
    """For ``--hypothesis-show-statistics``: which answers the fuzzing reached."""
    if isinstance(ack, dict):
        return "ok" if ack.get("ok") is True else str(ack.get("error"))
    return f"no ack: {type(ack).__name__}"


def check_refused(arena: "Arena", before: dict, ack, caplog) -> None:
    assert_error_ack(ack)
    assert not logged_errors(caplog), logged_errors(caplog)
    after = arena.snapshot()
    assert after["engine"] == before["engine"], "a refused input changed the game in memory"
    for table, rows in before["db"].items():
        assert after["db"][table] == rows, f"a refused input changed table {table}"


def assert_one_more_player(before: dict, after: dict, ack: dict) -> None:
    """A successful join: exactly one new Player row and engine player, nothing else moved."""
    old, new = before["db"]["player"], after["db"]["player"]
    assert len(new) == len(old) + 1 and new[:-1] == old, "a join changed other players"
    row = new[-1]
    assert row["public_id"] == ack["player_id"] and row["nickname"] == ack["nickname"]
    assert row["active"] in (1, True) and row["score"] == 0
    assert set(after["engine"]["players"]) - set(before["engine"]["players"]) == {ack["player_id"]}
    assert after["engine"]["phase"] == before["engine"]["phase"]
    for table, rows in before["db"].items():
        if table != "player":
            assert after["db"][table] == rows, f"a join changed table {table}"


# ----- a game under test ------------------------------------------------------------------------

class Arena:
    """One game of the ``test-quiz`` bank, its host connection, and its players."""

    def __init__(self, app, make, sockets, monkeypatch, relax: bool = True, **options):
        self.app, self.make, self.sockets, self.monkeypatch = app, make, sockets, monkeypatch
        if relax:
            relax_rate_limits(app, monkeypatch)
        game = make.game(**options)
        self.pin, self.host_token = game["pin"], game["host_token"]
        self.host = sockets(self.pin, auth={"host_token": self.host_token})
        assert self.host.call("host:join", {"pin": self.pin})["ok"]
        self.tokens: dict[str, str] = {}  # player id -> resume token
        self.taken: set[str] = set()  # nickname keys in use
        self._n = 0

    @property
    def live(self):
        with self.app.app_context():
            return live_games(self.app).get(self.pin)

    def snapshot(self) -> dict:
        return snapshot(self.app, self.pin)

    def tame(self) -> None:
        """Stop the clock and the question timer: an open question stays open for the test."""
        live = self.live
        now = live.clock()
        self.monkeypatch.setattr(live, "clock", lambda: now, raising=False)
        self.monkeypatch.setattr(live, "_schedule_close", lambda *a, **k: None, raising=False)

    def join(self, nickname: str | None = None):
        self._n += 1
        nickname = nickname or f"Player{self._n}"
        s = self.sockets(self.pin)
        ack = s.call("player:join", {"pin": self.pin, "nickname": nickname})
        assert ack["ok"], ack
        s.player_id = ack["player_id"]
        self.tokens[ack["player_id"]] = ack["token"]
        self.taken.add(ascii_key(nickname))
        return s

    def host_call(self, name: str, payload: dict | None = None):
        ack = self.host.call(name, payload or {})
        assert ack["ok"], (name, ack)
        return ack

    def advance_to(self, index: int) -> None:
        """Start (if needed) and move on until question ``index`` is open."""
        self.tame()
        for _ in range(4 * (index + 2)):
            e = self.live.engine
            if e.phase.value == "question" and e.index == index:
                return
            self.host_call("host:start" if e.phase.value == "lobby" else "host:next")
        raise AssertionError(f"question {index} never opened")


@pytest.fixture
def arena(app, make, sockets, monkeypatch):
    return Arena(app, make, sockets, monkeypatch)


def ascii_key(nickname: str) -> str:
    """How the protocol compares nicknames, for plain ASCII ones: no case, only letters/digits."""
    return "".join(c for c in nickname.casefold() if c.isalnum())


def clean(text: str) -> str:
    """The protocol's cleaning of a nickname: Unicode NFC, runs of white space folded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


# ----- strategies and corpora that need the game ----------------------------------------------

HOMOGLYPHS = str.maketrans("aceopxyABCEHKMOPTXy", "асеорхуАВСЕНКМОРТХу")  # Latin -> Cyrillic


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def near_misses(secret: str) -> list[str]:
    """Near misses of a PIN, token or id: case, truncation, padding, invisible and look-alike
    characters, other digits (never the secret itself)."""
    return [v for v in [
            secret.upper(), secret.lower(), secret.swapcase(), secret[:-1], secret + "0",
            secret + "=", " " + secret, secret + " ", secret + "\x00", "\u202e" + secret,
            secret + "\u200b", secret[:3] + "\u200b" + secret[3:], secret[::-1], secret * 2,
            secret[:1], secret.replace("-", "\u2010"), secret.replace("_", "\uff3f"),
            secret.translate(HOMOGLYPHS), fullwidth(secret),
            unicodedata.normalize("NFKD", secret + "\u0301"),
            "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in secret)] if v != secret]


def pins(pin: str, strings_only: bool = False):
    """The real PIN (often), look-alikes of it, and junk."""
    texts = st.one_of(st.sampled_from(near_misses(pin) + ["000000", "999999", "12345a", "-12345",
                                                          "1e5", "", "\x00" * 6, " " * 6]),
                      st.sampled_from(DIGITS), any_text,
                      st.from_regex(r"[0-9]{6}", fullmatch=True))
    if not strings_only:
        texts = st.one_of(texts, json_ints, st.just(int(pin)), st.just([pin]),
                          st.just({"pin": pin}), st.none(), st.booleans(), json_floats)
    return st.one_of(st.just(pin), texts)


def token_variants(token: str):
    return st.sampled_from(near_misses(token))


#: Nicknames that every rule accepts (plain, polite: the profanity filter must not refuse them),
#: so a refusal of one of them in an open game is a failure.
SAFE_WORDS = ("Minh", "Lan", "Hoa", "Mai", "Owl", "Tiger", "Panda", "Otter", "Koala", "Dolphin")
SAFE_NICKNAME = re.compile(rf"(?:{'|'.join(SAFE_WORDS)})[0-9]{{2,5}}")
safe_nicknames = st.builds(lambda word, n: f"{word}{n}", st.sampled_from(SAFE_WORDS),
                           st.integers(10, 99_999))
NASTY_NICKNAMES = ["a", "x" * 21, "  ", "ab" + "\u0301" * 30, "\u3164\u3164", "\u200b\u200b",
                   "<b>hi</b>", "a\x00b", "Ａｎ", "𝐀𝐧", "١٢", "-_-", "...", "Мinh", "Mіnh",
                   "ab\ncd", "ab\u202ecd", "😀😀", "a" * 81, "O'Neil"]
#: Nicknames: safe ones and other plain ones (so successes happen), edge lengths, tricks, wrong
#: types.
nicknames = st.one_of(
    safe_nicknames, st.from_regex(r"[A-Za-z][A-Za-z0-9]{1,14}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9 _.'\-]{0,25}", fullmatch=True), st.sampled_from(NASTY_NICKNAMES),
    tricky_text, any_text, json_values)
NASTY_LABELS = ["x" * 21, "<b>", "8A\u202e", "8\x00A", "a" * 100_000, "\u200b", "８Ａ", 8, ["8A"]]
class_labels = st.one_of(st.just("8A"), st.from_regex(r"[0-9]{1,2}[A-Z]?", fullmatch=True),
                         st.sampled_from(["", "x" * 20, "10/2"] + NASTY_LABELS),
                         tricky_text, any_text, json_values)
devices = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{0,100}", fullmatch=True),
                    st.sampled_from(["x" * 100, "x" * 101]), tricky_text, any_text, json_values)


def extra_keys():
    return st.dictionaries(st.one_of(st.sampled_from(PROTOCOL_KEYS), tricky_text), json_values,
                           max_size=3)


def with_extras(base):
    """``base`` (a dict strategy) with a few unexpected keys mixed in, sometimes."""
    return st.one_of(base, st.builds(lambda extra, b: {**extra, **b}, extra_keys(), base))


NASTY_INDEXES = [-1, -2**63, 2**63, 10**18, 5, True, False, 0.0, 1.0, "0", [0], {"0": 0}, None]


def indexes():
    return st.one_of(st.integers(-3, 6), big_ints, json_ints, st.booleans(), json_floats,
                     st.sampled_from(NASTY_INDEXES + ["", "zero"]), any_text)


#: Choices that look like option indexes to a lax check.
NASTY_CHOICES = [True, False, [True], [0, True], [False, 2], 1.0, [1.0], 2.0, "1", ["1"], [[1]],
                 {"0": True}, -0.0, 1e300, -1, 4, 99, 2**63, -2**63, [], [0, 0], [0, 1, 2, 3, 0],
                 [-1], [4], list(range(100)), [0] * 100, None, "", [None]]


def choices():
    ints = st.one_of(st.integers(-3, 6), big_ints, st.booleans())
    return st.one_of(
        st.integers(-3, 6), big_ints, json_ints, st.sampled_from(NASTY_CHOICES),
        st.lists(st.integers(-2, 5), max_size=6),
        st.lists(ints, min_size=1, max_size=5),
        st.lists(st.integers(0, 3), min_size=50, max_size=120),
        st.lists(st.lists(st.integers(0, 3), max_size=2), max_size=3),
        st.booleans(), json_floats, st.none(), any_text, json_values)


def protocol_payloads(arena: Arena):
    """Objects shaped like the protocol's payloads, every field fuzzed or missing."""
    ids = list(arena.tokens) or ["nobody"]
    return with_extras(st.fixed_dictionaries({}, optional={
        "pin": pins(arena.pin), "nickname": nicknames, "class_label": class_labels,
        "device": devices,
        "token": st.one_of(st.sampled_from(["", "x" * 32, "a" * 300]), any_text, json_values),
        "question": indexes(), "choice": choices(),
        "player_id": st.one_of(st.sampled_from(ids), any_text, json_values),
        "ban": st.one_of(st.booleans(), json_values), "id": indexes(),
        "phase": st.one_of(st.sampled_from(["lobby", "question", "reveal", "over"]), json_values),
        "index": indexes(), "console": st.one_of(st.booleans(), json_values),
    }))


# ----- 1. every event, any junk, from a connection that is neither a player nor the host -----

#: The connection's ``auth``: Socket.IO clients send an object (or nothing); a bare number there
#: cannot even be encoded unambiguously (the decoder reads it as a packet id).
auth_objects = st.one_of(
    st.none(),
    st.dictionaries(st.one_of(st.just("host_token"), tricky_text), json_values, max_size=3),
    st.fixed_dictionaries({"host_token": st.one_of(any_text, json_values)}))


def stranger_corpus(pin: str) -> list[tuple]:
    """(event, args) for every event: no payload, each nasty value alone, each nasty value in
    every protocol field (with the real PIN), and several arguments."""
    cases = []
    for name in EVENTS:
        cases.append((name, ()))
        cases.append((name, ({"pin": pin}, {"pin": pin}, None)))
        for value in NASTY:
            cases.append((name, (value,)))
            if name in PLAYER_EVENTS:  # host events stop at "forbidden" whatever the fields
                cases.append((name, ({**{k: value for k in PROTOCOL_KEYS}, "pin": pin},)))
    return cases


def test_every_event_refuses_junk_from_a_stranger(app, make, sockets, monkeypatch, caplog):
    limits = {k: v for k, v in app.config.items() if k.startswith("RATELIMIT_")}
    arena = Arena(app, make, sockets, monkeypatch)
    arena.join("Alpha")

    def attempt(inner, name: str, args: tuple) -> bool:
        """Send; True if it was a (valid) join, after which the connection is a player."""
        caplog.clear()
        before = arena.snapshot()
        ack = inner.emit(name, *args, callback=True)
        report(f"{name}: {outcome(ack)}", f"ack: {ack!r:.2000}")
        if name == "player:join" and isinstance(ack, dict) and ack.get("ok") is True:
            # a valid join hidden in the junk: one more player, nothing else
            assert_ok_ack(ack, "player_id", "token", "nickname", "state")
            assert not logged_errors(caplog)
            assert_one_more_player(before, arena.snapshot(), ack)
            arena.taken.add(ascii_key(ack["nickname"]))
            return True
        check_refused(arena, before, ack, caplog)
        return False

    inner = socketio.test_client(arena.app, query_string=f"pin={arena.pin}")
    for name, args in stranger_corpus(arena.pin):
        with case(event=name, args=args):
            joined = attempt(inner, name, args)
        if joined:
            inner.disconnect()
            inner = socketio.test_client(arena.app, query_string=f"pin={arena.pin}")
    inner.disconnect()

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        name = data.draw(st.sampled_from(EVENTS), label="event")
        args = data.draw(st.lists(st.one_of(junk, protocol_payloads(arena)), max_size=3),
                         label="args")
        query_pin = data.draw(st.one_of(st.just(arena.pin), tricky_text, st.none()),
                              label="query pin")
        lang = data.draw(st.one_of(st.none(), st.sampled_from(["en", "vi", "xx"]), tricky_text),
                         label="lang")
        auth = data.draw(auth_objects, label="auth")
        if isinstance(auth, dict) and auth.get("host_token") == arena.host_token:
            auth = None
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in (("pin", query_pin),
                                                                  ("lang", lang)) if v is not None)
        stranger = socketio.test_client(arena.app, query_string=query or None, auth=auth)
        try:
            attempt(stranger, name, tuple(args))
        finally:
            stranger.disconnect()

    fuzz()

    # and with the real rate limits: guessing goes on being refused, and changes nothing
    app.config.update(limits)
    guesser = socketio.test_client(app, query_string=f"pin={arena.pin}")
    for i in range(40):
        name = PLAYER_EVENTS[i % len(PLAYER_EVENTS)]
        with case(event=name, guess=i):
            attempt(guesser, name, ({"pin": f"{100000 + i}", "nickname": "Lan42", "token": "x"},))
    guesser.disconnect()


# ----- 2. player:join ---------------------------------------------------------------------------

JOIN_PHASES = ["lobby", "question", "late_join_closed", "over"]


def join_payloads(arena: Arena):
    """Fully fuzzed join objects, and real-PIN joins with a safe nickname and a fuzzed class
    label or device (so those checks, and successes, are reached), and non-objects."""
    fuzzed = with_extras(st.fixed_dictionaries(
        {"nickname": nicknames},
        optional={"pin": pins(arena.pin), "class_label": class_labels, "device": devices}))
    labelled = st.fixed_dictionaries({"pin": st.just(arena.pin), "nickname": safe_nicknames},
                                     optional={"class_label": class_labels, "device": devices})
    return st.one_of(fuzzed, labelled, fuzzed, json_values)


def join_corpus(pin: str, phase: str) -> list:
    if phase in ("late_join_closed", "over"):  # nothing may join: a few of each kind
        return [None, {"pin": pin, "nickname": "Minh77"}, {"nickname": "Lan88"},
                {"pin": pin, "nickname": "Hoa99", "class_label": "8A", "device": "d1"},
                {"pin": pin, "nickname": "a" * 100_000}, {"pin": pin, "nickname": "Ｍｉｎｈ"}]
    cases = [v for v in NASTY if not isinstance(v, dict)]
    cases += [{"pin": pin, "nickname": n} for n in NASTY_NICKNAMES + NASTY]
    cases += [{"pin": p, "nickname": "Minh77"} for p in near_misses(pin) + NASTY]
    cases += [{"pin": pin, "nickname": "Lan88", "class_label": c} for c in NASTY_LABELS + NASTY]
    cases += [{"pin": pin, "nickname": "Hoa99", "device": d} for d in ["x" * 101] + NASTY]
    cases += [{"nickname": "Mai55", "pin": pin, **{k: v for k in PROTOCOL_KEYS[4:]}}
              for v in NASTY]
    return cases


def plainly_valid_join(payload, arena: Arena) -> bool:
    return (isinstance(payload, dict) and payload.get("pin", arena.pin) == arena.pin
            and isinstance(payload.get("nickname"), str)
            and SAFE_NICKNAME.fullmatch(payload["nickname"]) is not None
            and ascii_key(payload["nickname"]) not in arena.taken
            and payload.get("class_label", "8A") in ("", "8A")
            and set(payload) <= {"pin", "nickname", "class_label"})


def test_player_join(app, make, sockets, monkeypatch, caplog):
    arenas = {}
    for phase in JOIN_PHASES:  # one game in each phase, in the same app
        a = arenas[phase] = Arena(app, make, sockets, monkeypatch,
                                  late_join=phase != "late_join_closed")
        a.join("Alpha")
        if phase in ("question", "late_join_closed"):
            a.advance_to(0)
        elif phase == "over":
            a.host_call("host:end")
        a.joiner = sockets(a.pin)

    def attempt(phase: str, payload) -> None:
        a = arenas[phase]
        may_join = phase in ("lobby", "question")
        caplog.clear()
        before = a.snapshot()
        ack = a.joiner.call("player:join", payload)
        report(f"{phase}: {outcome(ack)}", f"ack: {ack!r:.2000}")
        if isinstance(ack, dict) and ack.get("ok") is True:
            assert may_join, f"joined a game in phase {phase}"
            assert_ok_ack(ack, "player_id", "token", "nickname", "state")
            raw = payload["nickname"]
            assert isinstance(raw, str) and ack["nickname"] == clean(raw), ack
            assert 2 <= len(ack["nickname"]) <= 20
            assert isinstance(ack["player_id"], str) and isinstance(ack["token"], str)
            assert ack["token"] and ack["state"]["phase"] == before["engine"]["phase"][0]
            assert not logged_errors(caplog)
            assert_one_more_player(before, a.snapshot(), ack)
            a.taken.add(ascii_key(ack["nickname"]))
            a.joiner = sockets(a.pin)  # one player per connection
            return
        check_refused(a, before, ack, caplog)
        if may_join and plainly_valid_join(payload, a):
            raise AssertionError(f"a valid join was refused: {payload!r} -> {ack!r}")

    for phase, a in arenas.items():
        for payload in join_corpus(a.pin, phase):
            with case(phase=phase, payload=payload):
                attempt(phase, payload)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        phase = data.draw(st.sampled_from(JOIN_PHASES), label="phase")
        attempt(phase, data.draw(join_payloads(arenas[phase]), label="payload"))

    fuzz()


# ----- 3. player:resume -------------------------------------------------------------------------

def test_player_resume(arena, caplog):
    alpha, bravo = arena.join("Alpha"), arena.join("Bravo")
    arena.host_call("host:kick", {"player_id": bravo.player_id})
    good, kicked = arena.tokens[alpha.player_id], arena.tokens[bravo.player_id]
    resumer = arena.sockets(arena.pin)

    def attempt(payload) -> None:
        caplog.clear()
        before = arena.snapshot()
        ack = resumer.call("player:resume", payload)
        report(outcome(ack), f"ack: {ack!r:.2000}")
        valid = (isinstance(payload, dict) and payload.get("token") == good
                 and payload.get("pin", arena.pin) == arena.pin)
        if not valid:
            check_refused(arena, before, ack, caplog)
            return
        assert_ok_ack(ack, "player_id", "nickname", "score", "state")
        assert ack["player_id"] == alpha.player_id and ack["nickname"] == "Alpha"
        assert not logged_errors(caplog)
        assert arena.snapshot() == before, "resume changed the game"

    corpus = [v for v in NASTY if not isinstance(v, dict)]
    corpus += [{"pin": arena.pin, "token": t} for t in near_misses(good) + [kicked] + NASTY]
    corpus += [{"pin": p, "token": good} for p in near_misses(arena.pin) + NASTY]
    corpus += [{"token": good}, {"pin": arena.pin, "token": good}]
    for payload in corpus:
        with case(payload=payload):
            attempt(payload)

    @FUZZ
    @given(payload=st.one_of(
        with_extras(st.fixed_dictionaries({}, optional={
            "pin": pins(arena.pin),
            "token": st.one_of(st.just(good), st.just(kicked), token_variants(good),
                               token_variants(kicked), any_text, json_values)})),
        json_values))
    def fuzz(payload):
        attempt(payload)

    fuzz()


# ----- 4. player:answer against an open question -----------------------------------------------

def classify(payload, target: int, n_choices: int, multiple: bool) -> str:
    """What the protocol says of an answer to the open question ``target``: "valid", "invalid",
    or "either" ([i] for a single-choice question, which the protocol leaves open)."""
    if not isinstance(payload, dict):
        return "invalid"
    index, choice = payload.get("question"), payload.get("choice")
    if type(index) is not int or index != target:
        return "invalid"
    if type(choice) is int:
        items, listed = [choice], False
    elif isinstance(choice, list) and choice:
        items, listed = choice, True
    else:
        return "invalid"
    if any(type(i) is not int or not 0 <= i < n_choices for i in items):
        return "invalid"
    if len(set(items)) != len(items):
        return "invalid"
    if multiple or not listed:
        return "valid"
    return "either" if len(items) == 1 else "invalid"


def answer_payloads(target: int):
    """Mostly the open question with a fuzzed choice (to reach the choice checks), sometimes a
    fuzzed question index, missing keys, extra keys, or no object at all."""
    return st.one_of(
        with_extras(st.fixed_dictionaries({"question": st.just(target), "choice": choices()})),
        st.fixed_dictionaries({"question": st.just(target), "choice": choices()}),
        st.fixed_dictionaries({"question": indexes(), "choice": choices()}),
        with_extras(st.fixed_dictionaries({}, optional={"question": indexes(),
                                                        "choice": choices()})),
        json_values)


def answer_corpus(target: int) -> list:
    cases = [v for v in NASTY if not isinstance(v, dict)] + [{}, {"question": target}]
    cases += [{"question": target, "choice": c} for c in NASTY_CHOICES + NASTY]
    cases += [{"question": q, "choice": 0} for q in NASTY_INDEXES + NASTY + [target + 1]]
    cases += [{"question": target, "choice": 0, **{k: v for k in PROTOCOL_KEYS}}
              for v in NASTY[:6]]
    return cases


ANSWER_TARGETS = {"single": 0, "multiple": 2, "poll": 3}  # question indexes in test-quiz


def test_player_answer(app, make, sockets, monkeypatch, caplog):
    arenas = {}
    for kind, target in ANSWER_TARGETS.items():  # one game per open question, same app
        a = arenas[kind] = Arena(app, make, sockets, monkeypatch, leaderboard_every=0)
        a.join("Bystander")  # never answers, so the question stays open
        a.advance_to(target)
        question = a.live.engine.question
        a.n_choices, a.multiple = len(question.choices), question.is_multiple
        a.answerer = a.join()

    def attempt(kind: str, payload) -> None:
        a, target = arenas[kind], ANSWER_TARGETS[kind]
        s = a.answerer
        caplog.clear()
        before = a.snapshot()
        ack = s.call("player:answer", payload)
        report(f"{kind}: {outcome(ack)}", f"ack: {ack!r:.2000}")
        expected = classify(payload, target, a.n_choices, a.multiple)
        if not (isinstance(ack, dict) and ack.get("ok") is True):
            assert expected != "valid", f"a valid answer was refused: {payload!r} -> {ack!r}"
            check_refused(a, before, ack, caplog)
            assert ack["error"] != "not_joined", ack
            return
        assert expected != "invalid", f"an invalid answer was accepted: {payload!r} -> {ack!r}"
        assert_ok_ack(ack, "question", "choice")
        picked = sorted({payload["choice"]} if type(payload["choice"]) is int
                        else set(payload["choice"]))
        assert ack["question"] == target and ack["choice"] == picked and "duplicate" not in ack
        assert not logged_errors(caplog)
        after = a.snapshot()
        old, new = before["db"]["answer"], after["db"]["answer"]
        assert len(new) == len(old) + 1 and new[:-1] == old
        assert new[-1]["question_index"] == target
        assert sorted(json.loads(new[-1]["choice"])) == picked
        assert after["engine"]["phase"] == before["engine"]["phase"] == ("question", target)
        mine = after["engine"]["players"][s.player_id]
        assert mine[4] == ((target, tuple(picked)),)
        row = next(r for r in after["db"]["player"] if r["public_id"] == s.player_id)
        assert (row["score"], row["streak"]) == mine[2:4], "database and engine disagree"
        for table, rows in before["db"].items():
            if table not in ("answer", "player"):
                assert after["db"][table] == rows, f"an answer changed table {table}"
        # the same answer again is acknowledged and changes nothing; another one is refused
        again = s.call("player:answer", payload)
        assert again.get("ok") is True and again.get("duplicate") is True, again
        other = (picked[0] + 1) % a.n_choices
        if [other] != picked:
            assert_error_ack(s.call("player:answer", {"question": target, "choice": other}))
        assert a.snapshot() == after
        a.answerer = a.join()  # a fresh player for the next example

    for kind, target in ANSWER_TARGETS.items():
        for payload in answer_corpus(target):
            with case(question=kind, payload=payload):
                attempt(kind, payload)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        kind = data.draw(st.sampled_from(sorted(ANSWER_TARGETS)), label="question type")
        attempt(kind, data.draw(answer_payloads(ANSWER_TARGETS[kind]), label="payload"))

    fuzz()


# ----- 5. host events from connections that are not this game's host --------------------------

HOST_PHASES = ["lobby", "question"]


def hosted_games(app, make, sockets, monkeypatch) -> dict[str, Arena]:
    """A game in each of HOST_PHASES, with two players who asked for help."""
    arenas = {}
    for phase in HOST_PHASES:
        a = arenas[phase] = Arena(app, make, sockets, monkeypatch)
        players = [a.join("Alpha"), a.join("Bravo")]
        a.ids = [p.player_id for p in players]
        a.help_ids = [p.call("player:help", {})["id"] for p in players]
        if phase == "question":
            a.advance_to(0)
    return arenas


def test_host_events_from_strangers(app, make, sockets, monkeypatch, caplog):
    arenas = hosted_games(app, make, sockets, monkeypatch)
    other_game = make.game()  # its host token must not open these games
    other_presenter = app.test_client()
    make.login(other_presenter, make.user("presenter"))
    staff = app.test_client()
    make.login(staff, make.user("staff", school="DEMO"))
    other_before = engine_state(app, other_game["pin"])

    def attempt(a: Arena, name: str, identity: tuple, query_pin: str, args: list) -> None:
        label, auth, flask_client = identity
        if isinstance(auth, dict) and auth.get("host_token") == a.host_token:
            return
        inner = socketio.test_client(app, query_string=f"pin={quote(query_pin, safe='')}",
                                     auth=auth, flask_test_client=flask_client)
        try:
            caplog.clear()
            before = a.snapshot()
            ack = inner.emit(name, *args, callback=True)
            report(f"{label}: {outcome(ack)}", f"ack: {ack!r:.2000}")
            check_refused(a, before, ack, caplog)
        finally:
            inner.disconnect()

    fixed_identities = [("anonymous", None, None),
                        ("another game's host token", {"host_token": other_game["host_token"]},
                         None),
                        ("another presenter", None, other_presenter),
                        ("school staff", None, staff)]
    for a in arenas.values():
        payload = [{"pin": a.pin, "player_id": a.ids[0], "id": a.help_ids[0]}]
        for identity in fixed_identities:
            for name in HOST_EVENTS:
                with case(event=name, identity=identity[:2]):
                    attempt(a, name, identity, a.pin, payload)
        # every host event checks the identity the same way: near-miss tokens against one
        for token in near_misses(a.host_token) + [v for v in NASTY if v is not None]:
            identity = ("junk host token", {"host_token": token}, None)
            with case(event="host:end", identity=identity[:2]):
                attempt(a, "host:end", identity, a.pin, payload)

    def payloads(a: Arena):
        return st.one_of(json_values, with_extras(st.fixed_dictionaries({}, optional={
            "pin": st.one_of(st.just(a.pin), pins(a.pin).filter(lambda p: p != other_game["pin"])),
            "player_id": st.one_of(st.sampled_from(a.ids), any_text, json_values),
            "ban": st.one_of(st.booleans(), json_values),
            "id": st.one_of(st.sampled_from(a.help_ids), indexes()),
            "console": st.one_of(st.just(True), json_values),
            "phase": st.one_of(st.sampled_from(["lobby", "question", "reveal"]), json_values),
            "index": indexes()})))

    def identities(a: Arena):
        return st.one_of(
            st.sampled_from(fixed_identities),
            st.builds(lambda t: ("junk host token", {"host_token": t}, None),
                      st.one_of(token_variants(a.host_token), any_text, json_values)),
            st.builds(lambda j: ("junk auth", j, None), auth_objects))

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        a = arenas[data.draw(st.sampled_from(HOST_PHASES), label="phase")]
        name = data.draw(st.sampled_from(HOST_EVENTS), label="event")
        identity = data.draw(identities(a), label="identity")
        # mostly this game's PIN, so the identity check is what is tested
        query_pin = data.draw(st.sampled_from(["real"] * 3 + ["fuzzed"]).flatmap(
            lambda k: st.just(a.pin) if k == "real" else pins(a.pin, strings_only=True).filter(
                lambda p: p != other_game["pin"])), label="query pin")
        args = data.draw(st.lists(payloads(a), max_size=2), label="args")
        attempt(a, name, identity, query_pin, args)

    fuzz()
    assert engine_state(app, other_game["pin"]) == other_before
    for phase, a in arenas.items():
        assert a.live.engine.phase.value == phase and len(a.live.engine.active_players) == 2


# ----- 6. the real host, with input that must be refused --------------------------------------

def test_host_events_from_the_host_with_bad_input(app, make, sockets, monkeypatch, caplog):
    arenas = hosted_games(app, make, sockets, monkeypatch)

    def attempt(a: Arena, name: str, payload) -> None:
        caplog.clear()
        before = a.snapshot()
        ack = a.host.call(name, payload)
        report(f"{name}: {outcome(ack)}", f"ack: {ack!r:.2000}")
        check_refused(a, before, ack, caplog)

    def checked(a: Arena, name: str, payload) -> None:
        with case(event=name, payload=payload):
            attempt(a, name, payload)

    for a in arenas.values():
        bad_pins = [p for p in near_misses(a.pin) + NASTY if p != a.pin]
        for name in ("host:start", "host:end", "host:kick"):
            for pin in bad_pins:
                checked(a, name, {"pin": pin, "player_id": a.ids[0], "id": a.help_ids[0]})
        for value in NASTY + near_misses(a.ids[0]):
            if not isinstance(value, dict):
                checked(a, "host:kick", value)
            checked(a, "host:kick", {"player_id": value})
            if not isinstance(value, bool):
                checked(a, "host:kick", {"player_id": a.ids[0], "ban": value})
        for value in NASTY + NASTY_INDEXES:
            if not (type(value) is int and value in a.help_ids):
                checked(a, "host:help_done", {"id": value})

    def payloads(a: Arena, name: str):
        bad_pins = pins(a.pin).filter(lambda p: p != a.pin)
        if name == "host:kick":
            return st.one_of(
                json_values.filter(lambda v: not isinstance(v, dict)),
                with_extras(st.fixed_dictionaries(
                    {"player_id": st.one_of(any_text, json_values, token_variants(a.ids[0]))
                     .filter(lambda p: p not in a.ids)},
                    optional={"pin": st.just(a.pin)})),
                st.fixed_dictionaries({"pin": bad_pins, "player_id": st.sampled_from(a.ids)}),
                st.fixed_dictionaries({"player_id": st.sampled_from(a.ids), "ban": json_values
                                       .filter(lambda b: not isinstance(b, bool))}))
        if name == "host:help_done":
            return st.one_of(
                json_values.filter(lambda v: not isinstance(v, dict)),
                with_extras(st.fixed_dictionaries(
                    {"id": st.one_of(indexes(), json_values).filter(
                        lambda i: not (type(i) is int and i in a.help_ids))},
                    optional={"pin": st.just(a.pin)})),
                st.fixed_dictionaries({"pin": bad_pins, "id": st.sampled_from(a.help_ids)}))
        # any other host event (present or future): a PIN that is not this game's
        return with_extras(st.fixed_dictionaries({"pin": bad_pins}))

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        a = arenas[data.draw(st.sampled_from(HOST_PHASES), label="phase")]
        name = data.draw(st.sampled_from(HOST_EVENTS), label="event")
        attempt(a, name, data.draw(payloads(a, name), label="payload"))

    fuzz()
    for phase, a in arenas.items():
        assert a.live.engine.phase.value == phase and len(a.live.engine.active_players) == 2


@REGRESSION
@given(n=st.one_of(st.integers(min_value=2**63), st.integers(max_value=-2**63 - 1)),
       with_pin=st.booleans())
def test_help_done_with_an_id_beyond_64_bits(arena, caplog, n, with_pin):
    """Found by this suite: an id outside SQLite's 64-bit integers reached
    db.session.get(HelpRequest, id) and raised OverflowError (ack internal_error, logged)."""
    caplog.clear()
    before = arena.snapshot()
    ack = arena.host.call("host:help_done", {"id": n, **({"pin": arena.pin} if with_pin else {})})
    check_refused(arena, before, ack, caplog)


# ----- 7. packets the JSON decoder cannot take --------------------------------------------------

def raw_event(inner, body: str):
    """Send a hand-written Socket.IO EVENT packet with ack id 1 (what any client could send)."""
    inner.acks = None
    socketio.server._handle_eio_message(inner.eio_sid, "21" + body)
    return inner.acks["args"][0] if inner.acks else None


@REGRESSION
@given(name=st.sampled_from(EVENTS), size=st.integers(1_100, 20_000),
       kind=st.sampled_from(["array", "object", "integer"]))
def test_undecodable_json_gets_an_error_ack(arena, name, size, kind):
    """Found by this suite: python-socketio's packet decoder raised RecursionError (nesting
    ~1000 deep, 2 KB) or ValueError (integers over 100 digits) before any handler ran, so the
    client got no ack and Engine.IO logged 'message handler error'."""
    if kind == "array":
        body = f'["{name}",' + "[" * size + "]" * size + "]"
    elif kind == "object":
        body = f'["{name}",' + '{"pin":' * size + "0" + "}" * size + "]"
    else:
        body = f'["{name}",{{"pin":"{arena.pin}","question":{"9" * (size // 10)}}}]'
    inner = arena.sockets(arena.pin).inner
    before = arena.snapshot()
    try:
        ack = raw_event(inner, body)
    except (RecursionError, ValueError) as exc:
        raise AssertionError(f"{type(exc).__name__} escaped the Socket.IO layer: no ack") from exc
    assert_error_ack(ack)
    assert arena.snapshot() == before


def raw_packet(inner, encoded: str):
    """Send any text as a Socket.IO packet; the ack it got, or None if none came."""
    inner.acks = None
    socketio.server._handle_eio_message(inner.eio_sid, encoded)
    return inner.acks["args"][0] if inner.acks else None


#: Packets whose header or shape python-socketio cannot take, each with the ack id the sender
#: gave (None: no id could be read, so no ack can be sent).
UNREADABLE = [
    ("2" + "9" * 120, None),  # an ack id of over 100 digits
    ("25-3[]", None),  # "attachments" on a packet type that has none
    ("x", None), ("", None), ("9", None),
    ("\u0662" + "1[]", 1),  # Python's int() reads the Arabic-Indic two as 2: an empty event
    ("21{\"pin\":1}", 1), ("21\"player:join\"", 1), ("21[]", 1), ("21[1,2]", 1),
    ("21[null]", 1), ("21" + "[" * 1500 + "]" * 1500, 1),
    ("51-[\"player:answer\",{\"_placeholder\":true,\"num\":0}]", None),  # binary event, no id
    ("51-7[\"player:answer\",{\"_placeholder\":true,\"num\":0}]", 7),
    ("47[\"x\"]", 7),  # CONNECT_ERROR may only come from the server
    ("3", None), ("37[1]", None),  # an ack nobody asked for
]


def _changes_the_connection(text: str) -> bool:
    """A CONNECT (0) or DISCONNECT (1) packet is the protocol's own way in or out, not bad input
    (python-socketio reads any Unicode decimal digit as the type)."""
    return text[:1].isdecimal() and int(text[:1]) in (0, 1)


@REGRESSION
@given(packet=st.sampled_from(UNREADABLE) | st.tuples(
    st.text(max_size=300).filter(lambda t: not _changes_the_connection(t)), st.just("any")))
def test_unreadable_packets_get_an_error_ack_or_nothing(arena, caplog, packet):
    """Found by this suite: an ack id of over 100 digits, an event whose payload is not a list
    and a binary or CONNECT_ERROR packet from a client each raised in python-socketio's decoder
    or server ("message handler error" and a traceback in the log), and the sender heard
    nothing. Now each is read as ``bad_payload``: an error ack when it had an id."""
    encoded, ack_id = packet
    caplog.clear()
    inner = arena.sockets(arena.pin).inner
    before = arena.snapshot()
    ack = raw_packet(inner, encoded)
    if ack_id not in (None, "any"):
        assert_error_ack(ack)  # it had an id: the sender hears why
    elif ack is not None:  # no id could be read (python-socketio may still find one): an error
        assert_error_ack(ack)
    assert not logged_errors(caplog), logged_errors(caplog)
    assert arena.snapshot() == before
    # the connection still works
    assert raw_event(inner, '["player:answer",{"question":0,"choice":0}]')["error"] == "not_joined"
