"""Shared pieces of the fuzz suite: settings, hostile values, state snapshots, assertions."""
from __future__ import annotations

import logging
import os
import warnings
from contextlib import contextmanager

from hypothesis import HealthCheck, Phase, currently_in_test_context, event, note, settings
from hypothesis import strategies as st

from quizapp.errors import MESSAGES
from quizapp.extensions import db

# When a test fails, Hypothesis' pytest plugin imports its patch writer, which imports libcst,
# which triggers a DeprecationWarning from mypy_extensions; with warnings as errors that turns
# every failure report (xfail included) into an INTERNALERROR. Import it once here, quietly.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import hypothesis.extra._patching  # noqa: F401
    except ImportError:  # pragma: no cover - libcst missing: the plugin skips patches itself
        pass

# ----- settings -------------------------------------------------------------------------------

#: Examples per fuzz test. The suite stays well under a minute on two cores with the default;
#: raise it locally (``QUIZAPP_FUZZ_EXAMPLES=500``) for a longer hunt.
EXAMPLES = int(os.environ.get("QUIZAPP_FUZZ_EXAMPLES", "30"))

_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
           HealthCheck.data_too_large, HealthCheck.filter_too_much,
           HealthCheck.large_base_example]

#: One app per test function, many examples against it: function-scoped fixtures are intended.
#: No example database: failures are reported, not replayed from ``.hypothesis/examples``.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=_HEALTH, print_blob=False)

#: For the regression tests of bugs this suite found (each always sends the input that broke
#: the server): a few examples, no shrinking.
REGRESSION = settings(max_examples=8, deadline=None, database=None, suppress_health_check=_HEALTH,
                     phases=[Phase.explicit, Phase.generate], print_blob=False)

# ----- hostile values -------------------------------------------------------------------------

BIDI = ["\u202e", "\u202d", "\u202a", "\u202b", "\u202c", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u3164",
             "\u115f", "\u034f", "\u2800"]
COMBINING = ["\u0301", "\u0300\u0301\u0302\u0303\u0304", "\u0336", "\u20dd", "e\u0301",
             "Z\u0351\u0345\u0358\u035c\u0361\u0489", "a" + "\u0301" * 40]
EMOJI = ["😀", "👩‍👩‍👧‍👦", "🇻🇳", "👍🏽", "🏳️‍🌈", "🧑‍💻", "❤️", "\U0001f9ff"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x1b[31m", "\t", "\n", "\r", "\r\n", "\x7f", "\x85",
           "\u2028", "\u2029", "\x0b", "\x0c"]
HOMOGLYPHS = ["А", "В", "О", "Ο", "ɑ", "Ｍｉｎｈ", "𝐌𝐢𝐧𝐡", "ℌ", "ǀ", "Ⅻ", "ﬁ", "ß", "İ", "ı",
              "Мinh", "Minh", "mình", "MÌNH", "Đ", "đ"]
DIGITS = ["١٢٣٤٥٦", "１２３４５６", "²³", "۱", "߁", "𝟙𝟚𝟛"]
SPACES = [" ", "\u00a0", "\u3000", "\u2003", "\u2009", "\u202f", "  "]
ODD_CODEPOINTS = ["\ufffd", "\uffff", "\ufffe", "\U0010ffff", "\ue000", "\U000e0041"]
INJECTIONS = ["<script>alert(1)</script>", "' OR 1=1 --", "\"; DROP TABLE player; --", "%s%n%x",
              "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd", "%00", "%", "\\", "null", "None",
              "NaN", "-0", "1e309", "0x10", "true", "[]", "{}", "<b>x</b>", "&amp;", "javascript:x"]

UNICODE_TRICKS = (BIDI + INVISIBLE + COMBINING + EMOJI + CONTROL + HOMOGLYPHS + DIGITS + SPACES
                  + ODD_CODEPOINTS)

#: Text that is short but nasty: tricks mixed with ordinary text (never lone surrogates).
tricky_text = st.lists(
    st.one_of(st.sampled_from(UNICODE_TRICKS), st.sampled_from(INJECTIONS),
              st.text(max_size=6)),
    max_size=10).map("".join)

#: Strings of roughly 100 KB (or more, in UTF-8) made of one nasty piece.
huge_text = st.builds(
    lambda piece, n: (piece * (n // max(1, len(piece)) + 1))[:n],
    st.sampled_from(["a", "1", "\u202e", "😀", "\x00", "e\u0301", "\u200b", "Ｍ", " ", "%"]),
    st.integers(60_000, 110_000))

any_text = st.one_of(tricky_text, st.text(max_size=30), huge_text)

#: Python's JSON refuses integers of more than 4300 digits on the client side already; the
#: server's own limit is test_undecodable_json_gets_an_error_ack.
MAX_INT = 10**300
big_ints = st.sampled_from([2**31, 2**31 - 1, -2**31, 2**53 + 1, 2**63, 2**63 - 1, -2**63,
                            -2**63 - 1, 2**64, 10**30, -10**30, MAX_INT, -MAX_INT])
json_ints = st.one_of(st.integers(-10, 10), big_ints, st.integers(-MAX_INT, MAX_INT))
json_floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                        st.sampled_from([0.0, -0.0, 1.0, 0.5, 1e308, float("nan"), float("inf")]))
json_scalars = st.one_of(st.none(), st.booleans(), json_ints, json_floats, any_text)


def nested(child):
    return st.one_of(st.lists(child, max_size=4),
                     st.dictionaries(st.one_of(tricky_text, st.text(max_size=8)), child,
                                     max_size=4))


#: Any JSON value (what a Socket.IO client can send), nested a few levels.
json_values = st.recursive(json_scalars, nested, max_leaves=10)


def _wrap(value, depth: int, as_dict: bool):
    for _ in range(depth):
        value = {"pin": value} if as_dict else [value]
    return value


#: Deep nesting the test client can still encode (its own encoder recurses per level).
deep_values = st.builds(_wrap, json_scalars, st.integers(20, 120), st.booleans())

junk = st.one_of(json_values, deep_values)

#: A fixed corpus sent by every test before the random examples, so each class of nasty input
#: (wrong type, empty, huge, invisible, look-alike, negative, out of range, nested) is always
#: covered, whatever Hypothesis happens to draw.
NASTY = [
    None, True, False, 0, -1, 2**63, -2**63 - 1, 1.5, float("nan"), float("inf"),
    "", " ", "\x00", "\u202e\u202e", "\u200b\u200b", "e\u0301" * 40, "😀👩‍👩‍👧‍👦", "Ｍｉｎｈ",
    "Мinh", "<script>alert(1)</script>", "a" * 100_000, "😀" * 30_000, [], [None, -1],
    {}, {"": None}, _wrap(0, 100, False), _wrap("x", 100, True),
]

# ----- reporting -----------------------------------------------------------------------------


def report(label: str, detail: str) -> None:
    """Inside Hypothesis: ``event`` (for --hypothesis-show-statistics) and ``note`` (printed
    with a falsifying example). In a corpus loop ``case`` says what was sent instead."""
    if currently_in_test_context():
        event(label)
        note(detail)


@contextmanager
def case(**sent):
    """Name the corpus input in the report if checking it fails."""
    try:
        yield
    except BaseException as exc:
        exc.add_note(f"corpus input: {sent!r:.3000}")
        raise


# ----- assertions -----------------------------------------------------------------------------


def assert_error_ack(ack) -> None:
    """``{"ok": false, "error": code, "message": str}`` with a known code, never internal_error."""
    assert isinstance(ack, dict), f"no ack or not an object: {ack!r}"
    assert ack.get("ok") is False, ack
    assert ack.get("error") in MESSAGES, ack
    assert ack["error"] != "internal_error", ack
    assert isinstance(ack.get("message"), str) and ack["message"], ack


def assert_ok_ack(ack, *keys: str) -> None:
    assert isinstance(ack, dict) and ack.get("ok") is True, ack
    for key in keys:
        assert key in ack, (key, ack)


def assert_json_error(response) -> None:
    """A 4xx with the API's error body ``{"error", "message"}``."""
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    assert response.is_json, (response.status_code, response.data[:300])
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error", "message"}, body
    assert isinstance(body["error"], str) and body["error"] != "internal_error", body
    assert isinstance(body["message"], str) and body["message"], body


def logged_errors(caplog) -> list[str]:
    formatter = logging.Formatter("%(name)s: %(message)s")
    return [formatter.format(r) for r in caplog.records if r.levelno >= logging.ERROR]


# ----- state ----------------------------------------------------------------------------------


def relax_rate_limits(app, monkeypatch) -> None:
    """Lift the rate limits (read from the config at each request or event), which otherwise
    answer ``rate_limited`` / 429 to everything after a few dozen refused guesses and keep the
    fuzzing from reaching the checks behind them. The limiter's own refusal is still valid."""
    for key, value in list(app.config.items()):
        if key.startswith("RATELIMIT_") and isinstance(value, str) and " per " in value:
            monkeypatch.setitem(app.config, key, "1000000 per minute")


#: Figures the records recompute in the background after a reveal, the end or a removal
#: (quizapp/records/summaries.py): derived from the tables below, never written by a handler,
#: and they may land at any moment of a test.
DERIVED = {"session_summary", "session_question"}


def database(app) -> dict[str, list[dict]]:
    """Every row of every table but the derived figures, in primary-key order, as the driver
    returns it (JSON columns as text, booleans as 0/1: cheap enough to take before and after
    every input)."""
    with app.app_context():
        connection = db.session.connection()
        tables = {}
        for table in db.metadata.sorted_tables:
            if table.name in DERIVED:
                continue
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            result = connection.exec_driver_sql(f'SELECT * FROM "{table.name}" ORDER BY {order}')
            columns = list(result.keys())
            tables[table.name] = [dict(zip(columns, row)) for row in result]
        return tables
