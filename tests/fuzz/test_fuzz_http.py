"""Fuzz every HTTP endpoint: arbitrary bodies, path segments, query strings and headers
(malformed ``Authorization`` included).

Nothing may answer 5xx or log an ERROR. Under ``/api/`` every error is JSON
``{"error", "message"}`` with a 4xx status. Refused requests leave the database exactly as it
was (in particular ``POST /api/v1/games`` with a bad body creates no Game row); a request that
happens to be valid gets the success shape. Redirects never leave the site.

One app per test function; each test first sends a fixed corpus of nasty requests, then lets
Hypothesis loop inside it.
"""
from __future__ import annotations

import base64
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.security import generate_password_hash

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.accounts import issue_api_token

from .common import (FUZZ, REGRESSION, NASTY, any_text, assert_json_error, case, database,
                     huge_text, json_values, logged_errors, relax_rate_limits, report,
                     tricky_text)

# A failing example holding a 100 KB string makes Hypothesis warn about the size of its report;
# with warnings as errors that would hide the real failure behind the warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@pytest.fixture(autouse=True)
def _capture_errors(caplog):
    """caplog at ERROR: every test asserts that nothing was logged at that level."""
    caplog.set_level(logging.ERROR)

#: Every HTTP endpoint: (method, path); ``{pin}`` and ``{code}`` are fuzzed path segments.
#: Add new ones here: test_any_endpoint fuzzes them all.
ENDPOINTS = (
    ("POST", "/api/v1/tokens"),
    ("GET", "/api/v1/quizzes"),
    ("POST", "/api/v1/games"),
    ("GET", "/api/v1/games/{pin}"),
    ("GET", "/api/v1/games/{pin}/results"),
    ("GET", "/api/v1/schools"),
    ("GET", "/api/v1/schools/{code}/records"),
    ("GET", "/healthz"),
    ("POST", "/login"),
    ("POST", "/host/new"),
    ("GET", "/play/"),
    ("GET", "/play/{pin}"),
    ("GET", "/play/{pin}/qr.svg"),
    ("GET", "/lang/{code}"),
)
#: Other pages: only the basics (status < 500, nothing logged, nothing written, redirects stay).
OTHER_ENDPOINTS = (
    ("GET", "/"),
    ("POST", "/logout"),
    ("GET", "/host/"),
    ("GET", "/host/{pin}"),
    ("GET", "/host/{pin}/console"),
    ("GET", "/host/{pin}/results"),
)
API_ENDPOINTS = tuple(e for e in ENDPOINTS if e[1].startswith("/api/") or e[1] == "/healthz")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
GAME_LINKS = {"pin", "join_url", "host_url", "host_token", "qr_url"}
PASSWORD = "pw-secret-1"


# ----- the site under test ----------------------------------------------------------------------

@dataclass
class Site:
    app: object
    client: object
    pin: str
    users: dict  # role -> (id, username, bearer token)
    codes: tuple  # school codes that exist


@pytest.fixture
def site(app, client, make, monkeypatch):
    relax_rate_limits(app, monkeypatch)
    make.school("OTHER")
    ids = {"presenter": make.user("presenter"), "staff": make.user("staff", school="DEMO"),
           "outsider": make.user("staff", school="OTHER")}
    users = {}
    with app.app_context():
        ids["admin"] = db.session.query(User).filter_by(username="admin").one().id
        for role, user_id in ids.items():
            user = db.session.get(User, user_id)
            # the same password, hashed cheaply: the fuzzing signs in (and fails to) hundreds of
            # times, and scrypt's deliberate slowness would be most of the suite's run time
            user.password_hash = generate_password_hash(
                PASSWORD if role != "admin" else "admin-password", method="pbkdf2:sha256:1000")
            db.session.commit()
            users[role] = (user_id, user.username, issue_api_token(user))
    game = make.game(presenter_id=ids["presenter"])
    return Site(app, client, game["pin"], users, ("DEMO", "OTHER"))


def check_no_errors_logged(caplog) -> None:
    assert not logged_errors(caplog), logged_errors(caplog)


# ----- hostile requests -------------------------------------------------------------------------

def as_header(text: str) -> str:
    """What a header carries when a client sends ``text`` as UTF-8 bytes (WSGI decodes headers
    as Latin-1); a header cannot hold a line break."""
    return text.encode("utf-8").decode("latin-1").replace("\r", "").replace("\n", "")


header_text = st.one_of(tricky_text, st.text(alphabet=st.characters(max_codepoint=255)),
                        huge_text).map(as_header)
ascii_text = st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=40),
                       st.sampled_from(["=", "==", "!!!", "a" * 100_000, "Og", "\x00"])
                       ).map(as_header)
#: The nasty corpus values that fit in a header, a form field or a URL.
NASTY_TEXT = [v for v in NASTY if isinstance(v, str)]
#: The same for URLs: one 100 KB string is enough there (each costs a megabyte of percent-escapes).
NASTY_URL_TEXT = [v for v in NASTY_TEXT if len(v) < 1000] + ["a" * 100_000]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def bad_authorizations(site: Site) -> list[str]:
    """Authorization headers that sign nobody in: forged, truncated, wrong scheme, garbage."""
    t = site.users["admin"][2]
    forged = [t.swapcase(), t[:-2], t + "x", "x" + t, t.replace(".", "", 1), t + "\x00",
              t.split(".")[0], "..", ".".join(reversed(t.split(".")))]
    return [f"Bearer {f}" for f in forged] + [
        "", "Bearer", "Bearer ", f"bearer {t}", f"BEARER {t}", f"Token {t}", t, "Basic",
        "Basic ", "Basic Og==", "Basic =====", "Basic \x00", basic("admin", "wrong"),
        basic("nobody", "x"), basic("", ""), basic("admin", ""), basic("admin\x00", "x"),
        "Digest username=admin", "Negotiate " + "A" * 5000, "Bearer " + "a" * 100_000,
        *[as_header("Bearer " + v) for v in NASTY_TEXT],
        *[as_header("Basic " + v) for v in NASTY_TEXT]]


def authorizations(site: Site):
    """(Authorization header or None, who it signs in: a role, or None)."""
    tokens = {role: token for role, (_, _, token) in site.users.items()}
    good = st.sampled_from(sorted(tokens)).flatmap(lambda role: st.sampled_from([
        (f"Bearer {tokens[role]}", role), (f"Bearer  {tokens[role]}  ", role)]))
    bad = st.one_of(
        st.sampled_from(bad_authorizations(site)),
        st.builds(lambda s: "Bearer " + s, header_text),
        st.builds(lambda s: "Basic " + s, ascii_text),
        st.builds(lambda b: "Basic " + base64.b64encode(b).decode(), st.binary(max_size=64)),
        st.builds(lambda s: "Basic " + s, header_text),
        header_text.filter(lambda h: not h.startswith("Bearer ")))
    kinds = {"none": st.just((None, None)), "good": good, "bad": bad.map(lambda h: (h, None))}
    return st.sampled_from(["good", "good", "good", "none", "bad", "bad"]).flatmap(kinds.get)


NASTY_HEADERS = [{"Cookie": "session=" + "x" * 5000}, {"Cookie": "session=.eJy.broken"},
                 {"Cookie": as_header("lang=\u202e; session=\x00")},
                 {"Accept-Language": as_header("vi\u200b;q=2, *;q=-1")},
                 {"Referer": "http://[::1"}, {"Referer": as_header("/\u202e")},
                 {"Authorization": "Basic Og=="}, {"X-Forwarded-For": "1.2.3.4, [::1], ;;"},
                 {"Content-Encoding": "gzip"}, {"Accept": "*/*;q=NaN"}]


def extra_headers():
    names = st.sampled_from(["Cookie", "Referer", "Accept", "Accept-Language", "User-Agent",
                             "X-Forwarded-For", "X-Requested-With", "Origin", "If-None-Match",
                             "Content-Encoding", "Transfer-Encoding-X", "X-" + "A" * 100])
    cookies = st.one_of(header_text, st.builds(lambda v: f"session={v}", header_text),
                        st.builds(lambda v: f"lang={v}", header_text))
    authorization = st.one_of(st.sampled_from(["Bearer", "Bearer x", "Basic", "Basic Og=="]),
                              header_text)
    return st.one_of(st.dictionaries(names, header_text, max_size=4),
                     st.sampled_from(NASTY_HEADERS),
                     st.fixed_dictionaries({"Cookie": cookies}),
                     st.fixed_dictionaries({"Authorization": authorization}))


def near_segments(*real: str) -> list[str]:
    return [v for r in real for v in (
        r.lower(), r.upper(), r + " ", " " + r, r + "\x00", r[:-1], r + "0", "\u202e" + r,
        "\u200b" + r, "".join(chr(ord(c) + 0xFEE0) for c in r),
        unicodedata.normalize("NFKD", r + "\u0301")) if v not in real]


ODD_SEGMENTS = ["", ".", "..", "%", "%00", "?", "#", "/", "a/b", "~", "-1", "0" * 6, "9" * 6,
                "1e6", "null", "[]"]


#: Long text for URLs in the random phase (the corpus sends 100 KB ones to every endpoint once;
#: percent-decoding megabytes of emoji on every example would only make the suite slow).
long_text = st.builds(lambda piece, n: piece * n, st.sampled_from(["a", "\u202e", "😀", "%", "/"]),
                      st.integers(500, 5_000))


def segments(*real: str):
    """A path segment: a real one (often), look-alikes, tricks, long, empty, dots."""
    return st.one_of(st.sampled_from(real), st.sampled_from(near_segments(*real)),
                     st.sampled_from(ODD_SEGMENTS), tricky_text, st.text(max_size=30), long_text)


NASTY_QUERIES = ["", "%", "%zz", "q=%", "q=%ff%fe", "q=%ED%A0%80", "&&==&", "q", "q=a&q=b", "=x",
                 "q=%00", "q=" + "%25" * 2000, "lang=en&lang=xx", "next=%0d%0aSet-Cookie:%20x",
                 "pin=" + "9" * 10_000, "q=" + quote("\u202e" * 20) + "&q[]=1"]


def query_strings():
    """Raw query strings: fuzzed pairs (keys the views read included), malformed escapes."""
    keys = st.one_of(st.sampled_from(["q", "pin", "next", "lang", "page", "q[]"]), tricky_text)
    values = st.one_of(tricky_text, st.text(max_size=30), long_text,
                       st.sampled_from(["", "%", "1", "DEMO", "demo"]))
    pairs = st.lists(st.tuples(keys, values), max_size=4).map(
        lambda ps: "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in ps))
    raw = st.sampled_from(NASTY_QUERIES)
    return st.one_of(pairs, raw, st.tuples(pairs, raw).map("&".join))


CONTENT_TYPES = ["application/json", "application/json; charset=utf-16", "text/plain",
                 "application/x-www-form-urlencoded", "multipart/form-data",
                 "multipart/form-data; boundary=xyz", "application/xml", "*/*",
                 "application/json;;;"]
NASTY_BODIES = ["{", "[", '{"a":', "null", "NaN", "\x00", "{}" * 5000, '{"quiz": "test-quiz"',
                "a=1&b=2", "--xyz--", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf{}", "[" * 500 + "]" * 500,
                '{"a": 1' + "0" * 5000 + "}", json.dumps(["x" * 100_000]),
                json.dumps({k: v for k, v in zip("abcdefgh", NASTY)}, default=str)]


def bodies():
    """(data, content type) pairs: nothing, bytes, JSON of anything, forms, 100 KB."""
    types = st.one_of(st.none(), st.sampled_from(CONTENT_TYPES), header_text)
    data = st.one_of(st.none(), st.binary(max_size=300), json_values.map(json.dumps),
                     st.sampled_from(NASTY_BODIES), huge_text)
    return st.tuples(data, types)


def path_for(template: str, segment: str) -> str:
    return template.replace("{pin}", quote(segment, safe="")).replace(
        "{code}", quote(segment, safe=""))


def routable(segment: str) -> bool:
    """Whether the fuzzed segment still names the same route once decoded."""
    return segment not in ("", ".", "..") and "/" not in segment


def lands_on_site(location: str) -> bool:
    """Where a browser goes with this Location: leading controls and spaces dropped, tabs and
    line breaks removed, backslashes taken as slashes, relative to a page of this site."""
    loc = re.sub(r"[\t\n\r]", "", location).lstrip("".join(map(chr, range(0x21))))
    parts = urlsplit(urljoin("http://localhost/a/b", loc.replace("\\", "/")))
    return parts.scheme in ("http", "https") and parts.netloc == "localhost"


#: Pages with a WTForms form (which once read their fields from a JSON body too).
FORM_PAGES = ("/login", "/host/new")


# ----- 1. any endpoint, any method, path segment, query, header and body ---------------------

def endpoint_corpus(site: Site) -> list[dict]:
    """For every endpoint: the plain request, then one nasty part at a time (the pages with a
    test of their own below get a shorter list here)."""
    cases = []
    for method, template in ENDPOINTS:
        base = {"method": method, "template": template, "segment": site.pin, "query": "",
                "headers": {}, "body": None, "content_type": None}
        api = template.startswith("/api/")
        cases.append(base)
        cases += [{**base, "method": m} for m in ("GET", "DELETE", "HEAD", "OPTIONS")
                  if m != method]
        if "{" in template:
            cases += [{**base, "segment": s} for s in (ODD_SEGMENTS + NASTY_URL_TEXT if api
                                                       else ["", "..", "\x00", "a" * 100_000])]
        reads_query = template in ("/api/v1/schools", "/play/", "/lang/{code}", "/login")
        cases += [{**base, "query": q} for q in (NASTY_QUERIES if reads_query
                                                 else NASTY_QUERIES[:3])]
        cases += [{**base, "headers": h} for h in (NASTY_HEADERS if api else NASTY_HEADERS[:2])]
        if method == "POST":
            cases += [{**base, "body": b, "content_type": "application/json"}
                      for b in NASTY_BODIES]
            cases.append({**base, "body": "x" * 100_000, "content_type": "multipart/form-data"})
    for method, template in OTHER_ENDPOINTS:
        base = {"method": method, "template": template, "segment": site.pin, "query": "",
                "headers": {}, "body": None, "content_type": None}
        cases += [base, {**base, "method": "DELETE"}, {**base, "headers": NASTY_HEADERS[0]}]
        if "{" in template:
            cases += [{**base, "segment": s} for s in ("", "\x00", "a" * 100_000, "Ｍ")]
    return cases


def send(site, caplog, method, path, query, headers, body, content_type, label):
    """Make one request; check it did not fail on the server (no 5xx, nothing logged). Returns
    the response and the database as it was before."""
    caplog.clear()
    before = database(site.app)
    response = site.client.open(path, method=method, query_string=query, headers=headers,
                                data=body, content_type=content_type)
    status = response.status_code
    report(f"{label}: {status}", f"{method} {path[:200]} -> {status} {response.data[:300]!r}")
    assert status < 500, response.data[:500]
    check_no_errors_logged(caplog)
    return response, before


def test_any_endpoint(site, caplog):
    """The basics for every endpoint in ENDPOINTS (each also has its own test below)."""

    def attempt(method, template, segment, query, headers, body, content_type) -> None:
        response, before = send(site, caplog, method, path_for(template, segment), query,
                                headers, body, content_type, template)
        status = response.status_code
        if 300 <= status < 400:
            assert lands_on_site(response.headers["Location"]), response.headers["Location"]
        if template.startswith("/api/") and status >= 400:
            assert response.mimetype == "application/json", (status, response.data[:300])
            if method != "HEAD":
                assert_json_error(response)
        after = database(site.app)
        if (method, template, status) == ("POST", "/api/v1/games", 201):
            assert len(after["game"]) == len(before["game"]) + 1
        else:
            assert after == before, "a request that created nothing changed the database"

    for request in endpoint_corpus(site):
        with case(**request):
            attempt(**request)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        method, template = data.draw(st.sampled_from(ENDPOINTS + OTHER_ENDPOINTS),
                                     label="endpoint")
        method = data.draw(st.sampled_from([method] * 4 + list(METHODS) + ["HEAD", "OPTIONS"]),
                           label="method")
        body, content_type = data.draw(bodies(), label="body")
        attempt(method, template, data.draw(segments(site.pin, "DEMO", "en", "vi"),
                                            label="segment"),
                data.draw(query_strings(), label="query"),
                data.draw(extra_headers(), label="headers"), body, content_type)

    fuzz()


# ----- 2. the JSON API: who may do what, whatever else the request carries -------------------

def test_api_requests(site, caplog):
    expected_methods = {t: m for m, t in API_ENDPOINTS}

    def attempt(method, template, segment, query, auth, who, headers, body, content_type):
        headers = dict(headers)
        if auth is not None:
            headers["Authorization"] = auth
        response, before = send(site, caplog, method, path_for(template, segment), query,
                                headers, body, content_type, f"{template} as {who}")
        status = response.status_code
        if 300 <= status < 400:
            # Werkzeug's own redirect for a path with "//" in it (an empty segment): not an error
            assert not routable(segment) and lands_on_site(response.headers["Location"]), status
            assert database(site.app) == before
            return
        assert response.is_json, (status, response.data[:300])
        if status >= 400:
            assert_json_error(response)
        body_json = response.get_json()
        after = database(site.app)
        if (template, method, status) == ("/api/v1/games", "POST", 201):
            assert set(body_json) == GAME_LINKS
            assert len(after["game"]) == len(before["game"]) + 1
        else:
            assert after == before, "a request that created nothing changed the database"

        if "{" in template and not routable(segment):
            return
        if method != expected_methods[template]:
            assert status == 405, status
            return
        if template not in ("/api/v1/tokens", "/healthz") and who is None:
            assert status == 401 and body_json["error"] == "unauthorized", (status, body_json)
            return
        if template == "/api/v1/tokens":
            assert status == 401, (status, body_json)  # no fuzzed header has real credentials
        elif template == "/healthz":
            assert status == 200 and body_json["status"] == "ok"  # fields may be added
        elif template == "/api/v1/quizzes":
            assert status == 200 and isinstance(body_json["quizzes"], list)
        elif template == "/api/v1/games":
            assert status == 403 if who in ("staff", "outsider") else status in (201, 400, 404)
        elif template.startswith("/api/v1/games/"):
            if segment != site.pin:
                assert status == 404, status
            else:
                assert status == (403 if who == "outsider" else 200), (who, status)
        elif template == "/api/v1/schools":
            assert status == 200 and isinstance(body_json["schools"], list)
            codes = {s["code"] for s in body_json["schools"]}
            assert codes <= set(site.codes)
            if who in ("staff", "outsider"):
                assert codes <= {"DEMO" if who == "staff" else "OTHER"}
        elif template == "/api/v1/schools/{code}/records":
            code = segment.strip().upper()  # as the API reads a code
            if code not in site.codes:
                assert status == 404, status
            elif (who, code) in (("staff", "OTHER"), ("outsider", "DEMO")):
                assert status == 403, status
            else:
                assert status == 200 and set(body_json) >= {"school", "name", "sessions"}

    tokens = {role: token for role, (_, _, token) in site.users.items()}
    for method, template in API_ENDPOINTS:
        segment = "DEMO" if "{code}" in template else site.pin
        identities = [(None, None)] + [(f"Bearer {t}", role) for role, t in tokens.items()]
        if template in ("/api/v1/tokens", "/api/v1/games", "/api/v1/schools/{code}/records"):
            identities += [(h, None) for h in bad_authorizations(site)]
        for auth, who in identities:
            request = {"method": method, "template": template, "segment": segment, "query": "",
                       "auth": auth, "who": who, "headers": {}, "body": None,
                       "content_type": None}
            with case(**request):
                attempt(**request)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        method, template = data.draw(st.sampled_from(API_ENDPOINTS), label="endpoint")
        method = data.draw(st.sampled_from([method] * 6 + list(METHODS)), label="method")
        segment = data.draw(segments(site.pin, "DEMO", "demo", "OTHER"), label="segment")
        query = data.draw(query_strings(), label="query")
        auth, who = data.draw(authorizations(site), label="authorization")
        headers = data.draw(extra_headers(), label="headers")
        headers.pop("Authorization", None)
        body, content_type = data.draw(bodies(), label="body")
        attempt(method, template, segment, query, auth, who, headers, body, content_type)

    fuzz()


# ----- 3. POST /api/v1/games: near-valid bodies -----------------------------------------------

OPTION_KEYS = ("speed_scoring", "leaderboard_every", "late_join", "check")
#: The knowledge check of the test bank (a quiz of kind "check"); "test-quiz" is a quiz.
CHECK = "test-check"


def option_objects():
    flags = st.one_of(st.booleans(), json_values)
    every = st.one_of(st.integers(-3, 12), st.integers(-10**30, 10**30), st.booleans(),
                      json_values)
    check = st.one_of(st.sampled_from([CHECK, CHECK, "test-quiz", "TEST-CHECK", "nope", ""]),
                      tricky_text, json_values)
    known = st.fixed_dictionaries({}, optional={"speed_scoring": flags, "late_join": flags,
                                                "leaderboard_every": every, "check": check})
    unknown = st.builds(lambda k, v, d: {**d, k: v},
                        st.one_of(st.sampled_from(["typo", "Speed_Scoring", ""]), tricky_text)
                        .filter(lambda k: k not in OPTION_KEYS), json_values, known)
    return st.one_of(known, known, unknown, json_values)


def game_bodies():
    return st.fixed_dictionaries({}, optional={
        "quiz": st.one_of(st.just("test-quiz"), st.just("test-quiz"),
                          st.sampled_from(["TEST-QUIZ", " test-quiz", "test-quiz\x00", "test_quiz",
                                           "test-quiz\u200b", "", "nope"]),
                          tricky_text, any_text, json_values),
        "school": st.one_of(st.sampled_from(["DEMO", "demo", "Demo", "OTHER", " demo ", "DEMO\n",
                                             "ＤＥＭＯ", "DEM0", "DEMO\u200b", "NOPE", "", "demo x"]),
                            tricky_text, any_text, json_values),
        "class_label": st.one_of(st.sampled_from(["9B", "", "x" * 40, "x" * 41, " 9B ", "9/B"]),
                                 tricky_text, huge_text, json_values),
        "in_person": st.one_of(st.booleans(), json_values),
        "options": option_objects(),
    })


def judge_game_body(body: dict, codes) -> str:
    """"valid", "invalid" or "either" by the protocol (and the hand-written API tests)."""
    verdicts = []
    verdicts.append("valid" if body.get("quiz") == "test-quiz" else "invalid")
    school = body.get("school")
    if not isinstance(school, str):
        verdicts.append("invalid")
    elif school in codes or school in ("demo", "Demo", "other"):
        verdicts.append("valid")
    elif (school.strip().upper() in codes
          or unicodedata.normalize("NFKC", school).strip().upper() in codes):
        verdicts.append("either")
    else:
        verdicts.append("invalid")
    label = body.get("class_label", "")
    if not isinstance(label, str) or len(label) > 40:
        verdicts.append("invalid")
    else:
        verdicts.append("valid" if re.fullmatch(r"[0-9A-Za-z/ ]*", label) else "either")
    verdicts.append("valid" if isinstance(body.get("in_person", True), bool) else "invalid")
    options = body.get("options")
    if options is None:
        verdicts.append("valid")
    elif not isinstance(options, dict) or set(options) - set(OPTION_KEYS):
        verdicts.append("invalid")
    else:
        flags_ok = all(isinstance(options[k], bool) for k in ("speed_scoring", "late_join")
                       if k in options)
        every = options.get("leaderboard_every", 1)
        check_ok = options.get("check") in (None, CHECK)  # null: no check
        if not flags_ok or not check_ok or type(every) is not int or every < 0:
            verdicts.append("invalid")
        else:
            verdicts.append("valid" if every <= 10 else "either")
    if "invalid" in verdicts:
        return "invalid"
    return "either" if "either" in verdicts else "valid"


def game_body_corpus() -> list[dict]:
    base = {"quiz": "test-quiz", "school": "DEMO"}
    values = [v for v in NASTY if not (isinstance(v, float) and v != v)]  # NaN != NaN
    cases = [base, {}, {"quiz": "test-quiz"}, {"school": "DEMO"}]
    cases += [{**base, field: v} for field in ("quiz", "school", "class_label", "in_person",
                                               "options") for v in values]
    cases += [{**base, "options": {key: v}} for key in OPTION_KEYS + ("typo",) for v in values]
    cases += [{**base, "options": {"leaderboard_every": v}} for v in (-1, 0, 101, 2**63, True)]
    cases += [{**base, "options": {"check": v}} for v in (CHECK, "test-quiz", "nope")]
    return cases


def test_create_game_bodies(site, caplog):
    tokens = {role: {"Authorization": f"Bearer {site.users[role][2]}"}
              for role in ("admin", "presenter")}

    def attempt(role: str, body: dict) -> None:
        token = tokens[role]
        caplog.clear()
        before = database(site.app)
        response = site.client.post("/api/v1/games", headers=token, json=body)
        status = response.status_code
        report(str(status), f"-> {status} {response.data[:300]!r}")
        assert status < 500, response.data[:500]
        check_no_errors_logged(caplog)
        verdict = judge_game_body(body, site.codes)
        after = database(site.app)
        if status != 201:
            assert verdict != "valid", f"a valid body was refused: {status} {response.data!r}"
            assert_json_error(response)
            assert after == before, "a refused body changed the database"
            return
        assert verdict != "invalid", f"an invalid body was accepted: {body!r}"
        links = response.get_json()
        assert set(links) == GAME_LINKS and re.fullmatch(r"[0-9]{6}", links["pin"])
        assert len(after["game"]) == len(before["game"]) + 1
        for table, rows in before.items():
            if table != "game":
                assert after[table] == rows, f"opening a game changed table {table}"
        state = site.client.get(f"/api/v1/games/{links['pin']}", headers=token).get_json()
        assert state["phase"] == "lobby" and state["quiz"] == "test-quiz"
        expected_options = {"speed_scoring": True, "leaderboard_every": 1, "late_join": True,
                            **(body.get("options") or {})}
        if expected_options.get("check", 0) is None:
            del expected_options["check"]  # stored only when the session has one
        assert state["options"] == expected_options
        assert state["in_person"] == body.get("in_person", True)

    for body in game_body_corpus():
        with case(body=body):
            attempt("presenter", body)

    @FUZZ
    @given(role=st.sampled_from(sorted(tokens)), body=game_bodies())
    def fuzz(role, body):
        attempt(role, body)

    fuzz()


def test_create_game_raw_bodies(site, caplog):
    """Bodies that are not a JSON object (or not JSON, or not declared as JSON)."""
    token = {"Authorization": f"Bearer {site.users['presenter'][2]}"}

    def attempt(body, content_type) -> None:
        caplog.clear()
        before = database(site.app)
        response = site.client.post("/api/v1/games", headers=token, data=body,
                                    content_type=content_type)
        report(str(response.status_code), f"-> {response.status_code} {response.data[:300]!r}")
        assert response.status_code < 500, response.data[:500]
        check_no_errors_logged(caplog)
        assert_json_error(response)
        assert database(site.app) == before

    for body in NASTY_BODIES + [None, b""]:
        for content_type in CONTENT_TYPES + [None]:
            with case(body=body, content_type=content_type):
                attempt(body, content_type)

    @FUZZ
    @given(body=bodies())
    def fuzz(body):
        attempt(*body)

    fuzz()


# ----- 4. regressions: bugs this suite found in the JSON API -------------------------------

@REGRESSION
@given(depth=st.integers(1_100, 50_000), bracket=st.sampled_from(["[]", "{}"]))
def test_create_game_with_deeply_nested_json(site, caplog, depth, bracket):
    """Found by this suite: get_json(silent=True) swallows only ValueError; json.loads raised
    RecursionError -> 500 and a logged traceback."""
    token = {"Authorization": f"Bearer {site.users['presenter'][2]}"}
    opening = "[" if bracket == "[]" else '{"a":'
    body = '{"quiz": "test-quiz", "school": "DEMO", "options": ' + opening * depth + "1" + (
        bracket[1] * depth) + "}"
    caplog.clear()
    before = database(site.app)
    response = site.client.post("/api/v1/games", headers=token, data=body,
                                content_type="application/json")
    assert response.status_code < 500, response.data[:300]
    check_no_errors_logged(caplog)
    assert_json_error(response)
    assert database(site.app) == before


@REGRESSION
@given(field=st.sampled_from(["quiz", "school", "class_label"]),
       surrogate=st.integers(0xD800, 0xDFFF), prefix=st.sampled_from(["", "x", "DEMO"]))
def test_create_game_with_a_lone_surrogate(site, caplog, field, surrogate, prefix):
    """Found by this suite: a lone surrogate escape ("\\ud800", valid JSON) reached SQLite, whose
    UTF-8 encoding raised UnicodeEncodeError -> 500 and a logged traceback."""
    token = {"Authorization": f"Bearer {site.users['presenter'][2]}"}
    body = {"quiz": "test-quiz", "school": "DEMO", "class_label": "9B"}
    body[field] = prefix + chr(surrogate)
    caplog.clear()
    before = database(site.app)
    response = site.client.post("/api/v1/games", headers=token, data=json.dumps(body),
                                content_type="application/json")
    assert response.status_code < 500, response.data[:300]
    check_no_errors_logged(caplog)
    assert_json_error(response)
    assert database(site.app) == before


@REGRESSION
@given(text=tricky_text.filter(lambda s: not as_header(s).strip().isascii()))
def test_basic_auth_with_non_ascii_credentials(site, caplog, text):
    """Found by this suite: Werkzeug's Authorization.from_header base64-decodes a str with
    non-ASCII characters, which raises ValueError (not binascii.Error) -> 500, logged."""
    caplog.clear()
    response = site.client.post("/api/v1/tokens", headers={"Authorization": as_header(
        "Basic " + text)})
    assert response.status_code == 401, (response.status_code, response.data[:300])
    check_no_errors_logged(caplog)
    assert_json_error(response)


# ----- 5. pages: /login, /host/new, /play, /lang ----------------------------------------------

NEXT_TARGETS = [
    "/host/", "/play/123456", "//evil.example", "///evil.example", "/\\evil.example",
    "\\\\evil.example", "https://evil.example", "https:evil.example", "http:/evil.example",
    "/%2F/evil.example", "/\t/evil.example", " //evil.example", "\x00//evil.example",
    "javascript:alert(1)", "data:text/html,x", "/a\r\nSet-Cookie: x=1", "http://[::1",
    "http://[", "//[", "/[", "http://localhost/host/", "//localhost@evil.example",
    "/\u202e//evil.example", "／／evil.example", "/" + "a" * 100_000]


def next_values():
    return st.one_of(st.none(), st.sampled_from(NEXT_TARGETS), tricky_text,
                     st.builds(lambda s: "/" + s, tricky_text), st.text(max_size=30), long_text)


def test_login(site, caplog):
    _, username, _ = site.users["presenter"]

    def attempt(form: dict, next_url, headers) -> None:
        client = site.app.test_client()
        caplog.clear()
        before = database(site.app)
        response = client.post("/login", data=form, headers=headers,
                               query_string=None if next_url is None else {"next": next_url})
        status = response.status_code
        report(str(status), f"-> {status} {response.headers.get('Location')!r}")
        assert status < 500, response.data[:500]
        check_no_errors_logged(caplog)
        assert database(site.app) == before
        # only a posted form signs in: a body labelled JSON is not read as one
        right = (form.get("username") in (username, username.upper(), f" {username} ")
                 and form.get("password") == PASSWORD
                 and "json" not in (headers or {}).get("Content-Type", ""))
        wrong = (not isinstance(form.get("username"), str)
                 or form["username"].strip().lower() != username.lower()
                 or form.get("password") != PASSWORD)
        if status == 302:
            assert not wrong, f"signed in with {form!r}"
            assert lands_on_site(response.headers["Location"]), response.headers["Location"]
        elif status == 200:
            assert not right, f"refused {form!r}"
        else:
            # 400: a body that is not what its Content-Type says; 413: a form over Werkzeug's
            # in-memory limit (500 KB), refused before the view
            assert status in (400, 413), (status, form)

    right_form = {"username": username, "password": PASSWORD}
    corpus = [(right_form, n, {}) for n in [None] + NEXT_TARGETS]
    corpus += [({"username": u, "password": PASSWORD}, None, {}) for u in NASTY_TEXT]
    corpus += [({"username": username, "password": p}, None, {}) for p in NASTY_TEXT]
    corpus += [({}, None, {}), ({"username": username}, None, {}), (right_form, None, {
        "Content-Type": "application/json"})]
    corpus += [({"username": "x", "password": "y"}, None, h) for h in NASTY_HEADERS]
    for form, next_url, headers in corpus:
        with case(form=form, next=next_url, headers=headers):
            attempt(form, next_url, headers)

    usernames = st.one_of(st.sampled_from([username, username.upper(), f" {username} "]),
                          st.sampled_from(["admin", "", " ", "x" * 81, username + "\x00"]),
                          tricky_text, any_text)
    passwords = st.one_of(st.just(PASSWORD), st.sampled_from(["", "x" * 201, PASSWORD + " "]),
                          tricky_text, any_text)
    forms = st.builds(lambda u, p, extra: {**extra, **({} if u is None else {"username": u}),
                                           **({} if p is None else {"password": p})},
                      st.one_of(st.none(), usernames), st.one_of(st.none(), passwords),
                      st.dictionaries(tricky_text, tricky_text, max_size=2))

    @FUZZ
    @given(form=forms, next_url=next_values(), headers=extra_headers())
    def fuzz(form, next_url, headers):
        attempt(form, next_url, headers)

    fuzz()


def test_new_session_form(site, make, caplog):
    clients = {}
    for who in ("presenter", "anonymous", "staff"):
        clients[who] = site.app.test_client()
        if who != "anonymous":
            make.login(clients[who], site.users[who][0], PASSWORD)

    def attempt(who: str, form: dict) -> None:
        caplog.clear()
        before = database(site.app)
        response = clients[who].post("/host/new", data=form)
        status = response.status_code
        report(f"{who}: {status}", f"-> {status} {response.headers.get('Location')!r}")
        assert status < 500, response.data[:500]
        check_no_errors_logged(caplog)
        after = database(site.app)
        if who == "anonymous":
            assert status == 302 and "/login" in response.headers["Location"]
        elif who == "staff":
            assert status == 403
        if status != 302 or who != "presenter":
            assert status in (200, 302, 403, 413), status
            assert after == before, "a refused form changed the database"
            plainly_valid = (form.get("quiz") == "test-quiz"
                             and form.get("school") in ("DEMO", "demo", "OTHER")
                             and form.get("class_label", "") in ("", "8A")
                             and form.get("leaderboard_every", "1") in ("0", "1", "2", "3"))
            assert not (who == "presenter" and plainly_valid), (status, form)
            return
        location = response.headers["Location"]
        assert re.search(r"/host/[0-9]{6}$", location), location
        assert len(after["game"]) == len(before["game"]) + 1
        for table, rows in before.items():
            if table != "game":
                assert after[table] == rows, f"opening a game changed table {table}"

    base = {"quiz": "test-quiz", "school": "DEMO", "class_label": "8A", "leaderboard_every": "1"}
    corpus = [("presenter", base), ("anonymous", base), ("staff", base),
              ("presenter", {k: v for k, v in base.items() if k != "class_label"})]
    corpus += [("presenter", {**base, field: v}) for field in
               ("quiz", "school", "class_label", "leaderboard_every", "speed_scoring",
                "late_join", "in_person") for v in NASTY_TEXT]
    for who, form in corpus:
        with case(who=who, form=form):
            attempt(who, form)

    labels = st.one_of(st.sampled_from(["8A", "", "x" * 40, "x" * 41]), tricky_text, any_text)
    fields = st.fixed_dictionaries({}, optional={"class_label": labels,
        "quiz": st.one_of(st.just("test-quiz"), st.just("test-quiz"), tricky_text, any_text),
        "school": st.one_of(st.sampled_from(["DEMO", "demo", "DEMO – School DEMO", "OTHER"]),
                            st.sampled_from(["", " ", "NOPE", "x" * 33, "ＤＥＭＯ", "DEMO\x00"]),
                            tricky_text, any_text),
        "leaderboard_every": st.one_of(st.sampled_from(["0", "1", "2", "3"]),
                                       st.sampled_from(["4", "-1", "", "1.0", "١"]), tricky_text),
        "speed_scoring": st.one_of(st.sampled_from(["y", "on", "false", ""]), tricky_text),
        "late_join": st.one_of(st.sampled_from(["y", "on", "false", ""]), tricky_text),
        "in_person": st.one_of(st.sampled_from(["y", "on", "false", ""]), tricky_text),
    })

    @FUZZ
    @given(who=st.sampled_from(["presenter", "presenter", "anonymous", "staff"]), form=fields,
           extra=st.dictionaries(tricky_text, tricky_text, max_size=2))
    def fuzz(who, form, extra):
        attempt(who, {**extra, **form})

    fuzz()


@REGRESSION
@given(form=st.fixed_dictionaries({"quiz": st.just("test-quiz"),
                                   "school": st.sampled_from(["DEMO", "demo", "OTHER"])},
                                  optional={"leaderboard_every": st.sampled_from("0123"),
                                            "speed_scoring": st.just("y"),
                                            "late_join": st.just("y"),
                                            "in_person": st.just("y")}))
def test_new_session_form_without_a_class_label(site, make, caplog, form):
    """Found by this suite: without the optional class_label field the form's data was None and
    open_game called None.strip() -> 500, logged."""
    client = site.app.test_client()
    make.login(client, site.users["presenter"][0], PASSWORD)
    caplog.clear()
    before = len(database(site.app)["game"])
    response = client.post("/host/new", data=form)
    assert response.status_code < 500, response.data[:300]
    check_no_errors_logged(caplog)
    created = len(database(site.app)["game"]) - before
    assert (response.status_code, created) in ((302, 1), (200, 0)), response.status_code


@REGRESSION
@given(page=st.sampled_from(FORM_PAGES),
       body=st.sampled_from(["NaN", "1", "-0.5", "true", '"x"', "[1]", "[true, 2]"]))
def test_form_pages_with_a_json_body(site, make, caplog, page, body):
    """Found by this suite: Flask-WTF read a JSON body as the form, and a body that is not an
    object of strings (NaN, 1, true, "x", [1]) raised TypeError/ValueError -> 500, logged."""
    client = site.app.test_client()
    make.login(client, site.users["presenter"][0], PASSWORD)  # /host/new reads its form then
    caplog.clear()
    before = database(site.app)
    response = client.post(page, data=body, content_type="application/json")
    assert response.status_code < 500, response.data[:300]
    check_no_errors_logged(caplog)
    assert database(site.app) == before


PLAY_PAGES = ("enter", "join", "qr")


def test_play_pages(site, caplog):

    def attempt(kind: str, pin: str, query, headers) -> None:
        caplog.clear()
        before = database(site.app)
        if kind == "enter":
            response = site.client.get("/play/", query_string={"pin": pin}, headers=headers)
        else:
            path = path_for("/play/{pin}" + ("/qr.svg" if kind == "qr" else ""), pin)
            response = site.client.get(path, query_string=query, headers=headers)
        status = response.status_code
        report(f"{kind}: {status}", f"-> {status} {response.headers.get('Location')!r}")
        assert status < 500, response.data[:500]
        check_no_errors_logged(caplog)
        assert database(site.app) == before
        if kind == "enter":
            assert status in (200, 302, 404), status
            if status == 302:
                assert response.headers["Location"].endswith(f"/play/{site.pin}")
            if pin == site.pin:
                assert status == 302
        elif not routable(pin):
            assert status in (200, 301, 302, 308, 404), status
        elif pin == site.pin:
            assert status == 200
            if kind == "qr":
                assert response.mimetype == "image/svg+xml" and b"<svg" in response.data
        else:
            assert status == 404, status

    for kind in PLAY_PAGES:
        for pin in [site.pin] + near_segments(site.pin) + ODD_SEGMENTS + NASTY_URL_TEXT:
            with case(page=kind, pin=pin):
                attempt(kind, pin, "", {})
        for query in NASTY_QUERIES:
            with case(page=kind, query=query):
                attempt(kind, site.pin, query, {})

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        kind = data.draw(st.sampled_from(PLAY_PAGES), label="page")
        if kind == "enter":
            pin = data.draw(st.one_of(segments(site.pin), st.builds(
                lambda a, b: a + site.pin + b, tricky_text, tricky_text)), label="pin")
        else:
            pin = data.draw(segments(site.pin), label="segment")
        attempt(kind, pin, data.draw(query_strings(), label="query"),
                data.draw(extra_headers(), label="headers"))

    fuzz()


def test_language_switch(site, caplog):

    def attempt(code: str, next_url, headers) -> None:
        client = site.app.test_client()
        caplog.clear()
        response = client.get(path_for("/lang/{code}", code), headers=headers,
                              query_string=None if next_url is None else {"next": next_url})
        status = response.status_code
        report(str(status), f"-> {status} {response.headers.get('Location')!r}")
        assert status < 500, response.data[:500]
        check_no_errors_logged(caplog)
        if not routable(code):
            assert status in (301, 302, 308, 404), status
            return
        assert status == 302, status
        assert lands_on_site(response.headers["Location"]), response.headers["Location"]
        cookies = response.headers.getlist("Set-Cookie")
        assert any(c.startswith(f"lang={code};") for c in cookies) == (code in ("vi", "en")), \
            cookies

    for code in ["vi", "en"] + near_segments("vi", "en") + ODD_SEGMENTS + NASTY_URL_TEXT:
        with case(code=code):
            attempt(code, None, {})
    for next_url in NEXT_TARGETS + NASTY_URL_TEXT:
        with case(next=next_url):
            attempt("en", next_url, {})
    for headers in NASTY_HEADERS:
        with case(headers=headers):
            attempt("vi", None, headers)

    @FUZZ
    @given(code=segments("vi", "en"), next_url=next_values(), headers=extra_headers())
    def fuzz(code, next_url, headers):
        attempt(code, next_url, headers)

    fuzz()
