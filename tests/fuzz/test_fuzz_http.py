"""Fuzz every HTTP endpoint: arbitrary bodies, path segments, query strings and headers
(malformed ``Authorization`` included).

Nothing may answer 5xx or log an ERROR. Under ``/api/`` every answer is JSON and every error is
``{"error", "message"}`` with a 4xx status. Refused requests leave the database exactly as it was
(in particular ``POST /api/v1/games`` with a bad body creates no Game row); a request that happens
to be valid gets the success shape. Redirects never leave the site.

One app per test function; Hypothesis loops inside it.
"""
from __future__ import annotations

import base64
import json
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.accounts import issue_api_token

from .common import (FUZZ, KNOWN_BUG, any_text, assert_json_error, database, huge_text,
                     json_values, logged_errors, relax_rate_limits, tricky_text)

# A failing example holding a 100 KB string makes Hypothesis warn about the size of its report;
# with warnings as errors that would hide the real failure behind the warning.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

#: Every HTTP endpoint: (method, path); ``{pin}`` and ``{code}`` are fuzzed path segments.
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

    def game_rows(self) -> int:
        return len(database(self.app)["game"])


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
            users[role] = (user_id, user.username, issue_api_token(user))
    game = make.game(presenter_id=ids["presenter"])
    return Site(app, client, game["pin"], users, ("DEMO", "OTHER"))


def as_header(text: str) -> str:
    """What a header carries when a client sends ``text`` as UTF-8 bytes (WSGI decodes headers
    as Latin-1); a header cannot hold a line break."""
    return text.encode("utf-8").decode("latin-1").replace("\r", "").replace("\n", "")


header_text = st.one_of(tricky_text, st.text(alphabet=st.characters(max_codepoint=255)),
                        huge_text).map(as_header)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def basic_non_ascii(header: str) -> bool:
    """``Basic`` followed by non-ASCII: test_basic_auth_with_non_ascii_credentials (known bug)."""
    scheme, _, rest = header.partition(" ")
    return scheme.lower() == "basic" and not rest.strip().isascii()


def authorizations(site: Site):
    """(Authorization header or None, who it signs in: a role, or None)."""
    tokens = {role: token for role, (_, _, token) in site.users.items()}
    good = st.sampled_from(sorted(tokens)).flatmap(lambda role: st.sampled_from([
        (f"Bearer {tokens[role]}", role), (f"Bearer  {tokens[role]}  ", role)]))
    t = tokens["admin"]
    forged = [t.swapcase(), t[:-2], t + "x", "x" + t, t.replace(".", "", 1), t + "\x00",
              t.split(".")[0], "..", ".".join(reversed(t.split(".")))]
    bad = st.one_of(
        st.sampled_from([f"Bearer {f}" for f in forged] + [
            "", "Bearer", "Bearer ", f"bearer {t}", f"BEARER {t}", f"Token {t}", t,
            "Basic", "Basic ", "Basic Og==", "Basic =====", basic("admin", "wrong"),
            basic("nobody", "x"), basic("", ""), basic("admin", ""), "Digest username=admin",
            "Negotiate " + "A" * 5000]),
        st.builds(lambda s: "Bearer " + s, header_text),
        st.builds(lambda s: "Basic " + s, header_text.filter(str.isascii)),
        st.builds(lambda b: "Basic " + base64.b64encode(b).decode(), st.binary(max_size=64)),
        header_text.filter(lambda h: not basic_non_ascii(h) and not h.startswith("Bearer ")))
    kinds = {"none": st.just((None, None)), "good": good, "bad": bad.map(lambda h: (h, None))}
    return st.sampled_from(["good", "good", "good", "none", "bad", "bad"]).flatmap(kinds.get)


def extra_headers():
    names = st.sampled_from(["Cookie", "Referer", "Accept", "Accept-Language", "User-Agent",
                             "X-Forwarded-For", "X-Requested-With", "Origin", "If-None-Match",
                             "Content-Encoding", "Transfer-Encoding-X", "X-" + "A" * 100])
    cookies = st.one_of(header_text, st.builds(lambda v: f"session={v}", header_text),
                        st.builds(lambda v: f"lang={v}", header_text))
    return st.one_of(st.dictionaries(names, header_text, max_size=4),
                     st.fixed_dictionaries({"Cookie": cookies}))


def segments(*real: str):
    """A path segment: a real one (often), look-alikes, tricks, ~100 KB, empty, dots."""
    looks = [v for r in real for v in (r.lower(), r.upper(), r + " ", " " + r, r + "\x00", r[:-1],
                                       r + "0", "\u202e" + r, "\u200b" + r,
                                       "".join(chr(ord(c) + 0xFEE0) for c in r))]
    return st.one_of(st.sampled_from(real), st.sampled_from(looks),
                     st.sampled_from(["", ".", "..", "%", "%00", "?", "#", "/", "a/b", "~",
                                      "-1", "0" * 6, "9" * 6, "1e6", "null", "[]"]),
                     tricky_text, any_text)


def query_strings():
    """Raw query strings: fuzzed pairs (keys the views read included), malformed escapes."""
    keys = st.one_of(st.sampled_from(["q", "pin", "next", "lang", "page", "q[]"]), tricky_text)
    values = st.one_of(tricky_text, any_text, st.sampled_from(["", "%", "1", "DEMO", "demo"]))
    pairs = st.lists(st.tuples(keys, values), max_size=4).map(
        lambda ps: "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in ps))
    raw = st.sampled_from(["", "%", "%zz", "q=%", "q=%ff%fe", "q=%ED%A0%80", "&&==&", "q",
                           "q=a&q=b", "=x", "q=%00", "q=" + "%25" * 2000, "lang=en&lang=xx"])
    return st.one_of(pairs, raw, st.tuples(pairs, raw).map("&".join))


def bodies():
    """(data, content type) pairs: nothing, bytes, JSON of anything, forms, 100 KB."""
    types = st.one_of(st.none(), st.sampled_from([
        "application/json", "application/json; charset=utf-16", "text/plain",
        "application/x-www-form-urlencoded", "multipart/form-data",
        "multipart/form-data; boundary=xyz", "application/xml", "*/*", "application/json;;;"]),
        header_text)
    data = st.one_of(st.none(), st.binary(max_size=300), json_values.map(json.dumps),
                     st.sampled_from(["{", "[", '{"a":', "null", "NaN", "\x00", "{}" * 5000,
                                      '{"quiz": "test-quiz"', "a=1&b=2", "--xyz--"]),
                     huge_text)
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


def check_no_errors_logged(caplog) -> None:
    assert not logged_errors(caplog), logged_errors(caplog)


# ----- 1. the JSON API: any method, path segment, query, header and body -----------------------

@FUZZ
@given(data=st.data())
def test_api_requests(site, data, caplog):
    method, template = data.draw(st.sampled_from(API_ENDPOINTS), label="endpoint")
    method = data.draw(st.sampled_from([method] * 6 + list(METHODS)), label="method")
    segment = data.draw(segments(site.pin, "DEMO", "demo", "OTHER"), label="segment")
    query = data.draw(query_strings(), label="query")
    auth, who = data.draw(authorizations(site), label="authorization")
    headers = data.draw(extra_headers(), label="headers")
    body, content_type = data.draw(bodies(), label="body")
    if auth is not None:
        headers["Authorization"] = auth
    path = path_for(template, segment)
    caplog.clear()
    before = database(site.app)
    response = site.client.open(path, method=method, query_string=query, headers=headers,
                                data=body, content_type=content_type)
    status = response.status_code
    note(f"{method} {path[:200]} -> {status} {response.data[:300]!r}")
    event(f"{template}: {status}")
    assert status < 500, response.data[:500]
    check_no_errors_logged(caplog)
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
    created = (template, method, status) == ("/api/v1/games", "POST", 201)
    if created:
        assert set(body_json) == GAME_LINKS
        assert len(after["game"]) == len(before["game"]) + 1
    else:
        assert after == before, "a request that created nothing changed the database"

    expected_method = dict((t, m) for m, t in API_ENDPOINTS)[template]
    same_route = "{" not in template or routable(segment)
    if not same_route:
        return
    if method != expected_method:
        assert status == 405, status
        return
    protected = template not in ("/api/v1/tokens", "/healthz")
    if protected and who is None:
        assert status == 401 and body_json["error"] == "unauthorized", (status, body_json)
        return
    if template == "/api/v1/tokens":
        assert status == 401, (status, body_json)  # no fuzzed header carries real credentials
    elif template == "/healthz":
        assert status == 200 and body_json == {"status": "ok"}
    elif template == "/api/v1/quizzes":
        assert status == 200 and isinstance(body_json["quizzes"], list)
    elif template == "/api/v1/games":
        if who in ("staff", "outsider"):
            assert status == 403, status
        else:
            assert status in (201, 400, 404, 415), status
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
        if segment.upper() not in site.codes:
            assert status == 404, status
        elif who == "staff" and segment.upper() != "DEMO":
            assert status == 403, status
        elif who == "outsider" and segment.upper() != "OTHER":
            assert status == 403, status
        else:
            assert status == 200 and set(body_json) >= {"school", "name", "sessions"}


# ----- 2. POST /api/v1/games: near-valid bodies -----------------------------------------------

OPTION_KEYS = ("speed_scoring", "leaderboard_every", "late_join")


def option_objects():
    flags = st.one_of(st.booleans(), json_values)
    every = st.one_of(st.integers(-3, 12), st.integers(), st.booleans(), json_values)
    known = st.fixed_dictionaries({}, optional={"speed_scoring": flags, "late_join": flags,
                                                "leaderboard_every": every})
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
    }).map(lambda d: d)


def judge_game_body(body: dict, codes) -> str:
    """"valid", "invalid" or "either" by the protocol (and the hand-written API tests)."""
    verdicts = []
    quiz = body.get("quiz")
    verdicts.append("valid" if quiz == "test-quiz" else "invalid")
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
        if not flags_ok or type(every) is not int or every < 0:
            verdicts.append("invalid")
        else:
            verdicts.append("valid" if every <= 10 else "either")
    if "invalid" in verdicts:
        return "invalid"
    return "either" if "either" in verdicts else "valid"


@pytest.mark.parametrize("role", ["admin", "presenter"])
def test_create_game_bodies(site, caplog, role):
    token = {"Authorization": f"Bearer {site.users[role][2]}"}

    @FUZZ
    @given(body=game_bodies())
    def check(body):
        caplog.clear()
        before = database(site.app)
        response = site.client.post("/api/v1/games", headers=token, json=body)
        status = response.status_code
        note(f"-> {status} {response.data[:300]!r}")
        event(str(status))
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
        assert state["options"] == expected_options
        assert state["in_person"] == body.get("in_person", True)

    check()


@FUZZ
@given(data=st.data())
def test_create_game_raw_bodies(site, data, caplog):
    """Bodies that are not a JSON object (or not JSON, or not declared as JSON)."""
    token = {"Authorization": f"Bearer {site.users['presenter'][2]}"}
    body, content_type = data.draw(bodies(), label="body")
    caplog.clear()
    before = database(site.app)
    response = site.client.post("/api/v1/games", headers=token, data=body,
                                content_type=content_type)
    note(f"-> {response.status_code} {response.data[:300]!r}")
    event(str(response.status_code))
    assert response.status_code < 500, response.data[:500]
    check_no_errors_logged(caplog)
    assert_json_error(response)
    assert database(site.app) == before


# ----- 3. known bugs in the JSON API -----------------------------------------------------------

@pytest.mark.xfail(strict=True, reason=(
    "POST /api/v1/games with a JSON body nested ~1000 deep (2 KB): request.get_json(silent=True) "
    "(quizapp/web/api.py create_game) only swallows ValueError, json.loads raises RecursionError "
    "-> 500 internal_error and 'unhandled error on /api/v1/games' logged"))
@KNOWN_BUG
@given(depth=st.integers(1_100, 50_000), bracket=st.sampled_from(["[]", "{}"]))
def test_create_game_with_deeply_nested_json(site, caplog, depth, bracket):
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


@pytest.mark.xfail(strict=True, reason=(
    "POST /api/v1/games with a lone surrogate escape (valid JSON, e.g. \"\\ud800\") in quiz, school "
    "or class_label: the string reaches SQLite (quizapp/web/api.py create_game: the Quiz/School "
    "lookups, or open_game's INSERT) and encoding it to UTF-8 raises UnicodeEncodeError "
    "-> 500 internal_error and 'unhandled error on /api/v1/games' logged"))
@KNOWN_BUG
@given(field=st.sampled_from(["quiz", "school", "class_label"]),
       surrogate=st.integers(0xD800, 0xDFFF), prefix=st.sampled_from(["", "x", "DEMO"]))
def test_create_game_with_a_lone_surrogate(site, caplog, field, surrogate, prefix):
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


@pytest.mark.xfail(strict=True, reason=(
    "POST /api/v1/tokens with 'Authorization: Basic <non-ASCII bytes>': request.authorization "
    "(quizapp/web/api.py create_token) -> werkzeug Authorization.from_header calls "
    "base64.b64decode on a str with non-ASCII characters, which raises ValueError (werkzeug "
    "catches only binascii.Error/UnicodeError) -> 500 internal_error and 'unhandled error on "
    "/api/v1/tokens' logged"))
@KNOWN_BUG
@given(text=tricky_text.filter(lambda s: not as_header(s).strip().isascii()))
def test_basic_auth_with_non_ascii_credentials(site, caplog, text):
    caplog.clear()
    response = site.client.post("/api/v1/tokens", headers={"Authorization": as_header(
        "Basic " + text)})
    assert response.status_code == 401, (response.status_code, response.data[:300])
    check_no_errors_logged(caplog)
    assert_json_error(response)


# ----- 4. pages: /login, /host/new, /play, /lang ----------------------------------------------

def next_values():
    return st.one_of(st.none(), st.sampled_from([
        "/host/", "/play/123456", "//evil.example", "///evil.example", "/\\evil.example",
        "\\\\evil.example", "https://evil.example", "https:evil.example", "http:/evil.example",
        "/%2F/evil.example", "/\t/evil.example", " //evil.example", "\x00//evil.example",
        "javascript:alert(1)", "data:text/html,x", "/a\r\nSet-Cookie: x=1", "http://[::1",
        "http://[", "//[", "/[", "http://localhost/host/", "//localhost@evil.example"]),
        tricky_text, st.builds(lambda s: "/" + s, tricky_text), any_text)


def login_form(site: Site):
    _, username, _ = site.users["presenter"]
    usernames = st.one_of(st.sampled_from([username, username.upper(), f" {username} "]),
                          st.sampled_from(["admin", "", " ", "x" * 81, username + "\x00"]),
                          tricky_text, any_text)
    passwords = st.one_of(st.just(PASSWORD), st.sampled_from(["", "x" * 201, PASSWORD + " "]),
                          tricky_text, any_text)
    return st.builds(lambda u, p, extra: {**extra, **({} if u is None else {"username": u}),
                                          **({} if p is None else {"password": p})},
                     st.one_of(st.none(), usernames), st.one_of(st.none(), passwords),
                     st.dictionaries(tricky_text, tricky_text, max_size=2))


def test_login(site, caplog):
    _, username, _ = site.users["presenter"]

    @FUZZ
    @given(form=login_form(site), next_url=next_values(), headers=extra_headers())
    def check(form, next_url, headers):
        client = site.app.test_client()
        caplog.clear()
        before = database(site.app)
        response = client.post("/login", data=form, headers=headers,
                               query_string=None if next_url is None else {"next": next_url})
        status = response.status_code
        note(f"-> {status} {response.headers.get('Location')!r}")
        event(str(status))
        assert status < 500, response.data[:500]
        check_no_errors_logged(caplog)
        assert database(site.app) == before
        right = (form.get("username") in (username, username.upper(), f" {username} ")
                 and form.get("password") == PASSWORD)
        wrong = (not isinstance(form.get("username"), str)
                 or form["username"].strip().lower() != username.lower()
                 or form.get("password") != PASSWORD)
        if status == 302:
            assert not wrong, f"signed in with {form!r}"
            assert lands_on_site(response.headers["Location"]), response.headers["Location"]
        else:
            # 413: a form over Werkzeug's in-memory limit (500 KB) is refused before the view
            assert status in (200, 413) and not right, (status, form)

    check()


@pytest.mark.parametrize("who", ["presenter", "anonymous", "staff"])
def test_new_session_form(site, make, caplog, who):
    client = site.app.test_client()
    if who != "anonymous":
        make.login(client, site.users[who][0], PASSWORD)
    # class_label is always sent, as the page's form does: without it, see
    # test_new_session_form_without_a_class_label (a known bug)
    labels = st.one_of(st.sampled_from(["8A", "", "x" * 40, "x" * 41]), tricky_text, any_text)
    fields = st.fixed_dictionaries({"class_label": labels}, optional={
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
    @given(form=fields, extra=st.dictionaries(tricky_text, tricky_text, max_size=2))
    def check(form, extra):
        caplog.clear()
        before = database(site.app)
        response = client.post("/host/new", data={**extra, **form})
        status = response.status_code
        note(f"-> {status} {response.headers.get('Location')!r}")
        event(str(status))
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

    check()


@pytest.mark.xfail(strict=True, reason=(
    "POST /host/new with a valid form that lacks the optional class_label field (a script or API "
    "client; the page always sends it): form.class_label.data is None and open_game calls "
    "None.strip() (quizapp/web/host.py new -> quizapp/services/games.py open_game "
    "class_label.strip()) -> AttributeError, 500 and 'unhandled error on /host/new' logged"))
@KNOWN_BUG
@given(form=st.fixed_dictionaries({"quiz": st.just("test-quiz"),
                                   "school": st.sampled_from(["DEMO", "demo", "OTHER"])},
                                  optional={"leaderboard_every": st.sampled_from("0123"),
                                            "speed_scoring": st.just("y"),
                                            "late_join": st.just("y"),
                                            "in_person": st.just("y")}))
def test_new_session_form_without_a_class_label(site, make, caplog, form):
    client = site.app.test_client()
    make.login(client, site.users["presenter"][0], PASSWORD)
    caplog.clear()
    before = len(database(site.app)["game"])
    response = client.post("/host/new", data=form)
    assert response.status_code < 500, response.data[:300]
    check_no_errors_logged(caplog)
    created = len(database(site.app)["game"]) - before
    assert (response.status_code, created) in ((302, 1), (200, 0)), response.status_code


@FUZZ
@given(data=st.data())
def test_play_pages(site, data, caplog):
    kind = data.draw(st.sampled_from(["enter", "join", "qr"]), label="page")
    headers = data.draw(extra_headers(), label="headers")
    query = data.draw(query_strings(), label="query")
    caplog.clear()
    before = database(site.app)
    if kind == "enter":
        pin = data.draw(st.one_of(segments(site.pin), st.builds(
            lambda a, b: a + site.pin + b, tricky_text, tricky_text)), label="pin")
        response = site.client.get("/play/", query_string={"pin": pin}, headers=headers)
    else:
        pin = data.draw(segments(site.pin), label="segment")
        path = path_for("/play/{pin}" + ("/qr.svg" if kind == "qr" else ""), pin)
        response = site.client.get(path, query_string=query, headers=headers)
    status = response.status_code
    note(f"-> {status} {response.headers.get('Location')!r}")
    event(f"{kind}: {status}")
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


@FUZZ
@given(code=segments("vi", "en"), next_url=next_values(), headers=extra_headers())
def test_language_switch(site, caplog, code, next_url, headers):
    client = site.app.test_client()
    caplog.clear()
    response = client.get(path_for("/lang/{code}", code), headers=headers,
                          query_string=None if next_url is None else {"next": next_url})
    status = response.status_code
    note(f"-> {status} {response.headers.get('Location')!r}")
    event(str(status))
    assert status < 500, response.data[:500]
    check_no_errors_logged(caplog)
    if not routable(code):
        assert status in (301, 302, 308, 404), status
        return
    assert status == 302, status
    assert lands_on_site(response.headers["Location"]), response.headers["Location"]
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith(f"lang={code};") for c in cookies) == (code in ("vi", "en")), cookies
