"""The HTML pages: sign-in, new session, projector, phone, results; with access rules."""
from __future__ import annotations

import re

from quizapp.extensions import db
from quizapp.models import Game


def test_home_and_join_pages(client, make):
    assert client.get("/").status_code == 200
    game = make.game()
    page = client.get(f"/play/{game['pin']}")
    assert page.status_code == 200 and game["pin"].encode() in page.data
    assert client.get("/play/999999").status_code == 404
    assert client.get(f"/play/?pin={game['pin']}").headers["Location"].endswith(f"/play/{game['pin']}")
    assert client.get("/play/?pin=000000").status_code == 404


def test_vietnamese_by_default_english_on_request(client):
    vi = client.get("/").data.decode()
    assert 'lang="vi"' in vi
    client.get("/lang/en")
    assert 'lang="en"' in client.get("/").data.decode()


def test_login_and_open_a_session(app, client, make):
    presenter = make.user()
    assert client.get("/host/").status_code == 302
    wrong = client.post("/login", data={"username": "presenter1", "password": "nope"})
    assert wrong.status_code == 200 and b'role="alert"' in wrong.data
    make.login(client, presenter)
    form = client.get("/host/new")
    assert form.status_code == 200 and b"test-quiz" in form.data
    bad = client.post("/host/new", data={"quiz": "test-quiz", "school": "NOPE"})
    assert bad.status_code == 200 and b"field-error" in bad.data
    response = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO",
                                              "class_label": "7C", "speed_scoring": "y",
                                              "leaderboard_every": "2", "late_join": "y"})
    assert response.status_code == 302
    pin = re.search(r"/host/(\d{6})", response.headers["Location"]).group(1)
    with app.app_context():
        game = db.session.query(Game).filter_by(pin=pin).one()
        assert game.class_label == "7C" and game.options["leaderboard_every"] == 2
        assert game.options["speed_scoring"] is True and game.in_person is False
    projector = client.get(f"/host/{pin}")
    assert projector.status_code == 200 and pin.encode() in projector.data
    assert client.get("/host/").data.count(pin.encode()) >= 1


def test_projector_and_results_only_for_the_presenter(app, client, make):
    game = make.game()
    stranger = make.user()
    make.login(client, stranger)
    assert client.get(f"/host/{game['pin']}").status_code == 403
    assert client.get(f"/host/{game['pin']}/results").status_code == 403
    staff_client = app.test_client()
    make.login(staff_client, make.user("staff", school="DEMO"))
    assert staff_client.get(f"/host/{game['pin']}/results").status_code == 200
    assert staff_client.get(f"/host/{game['pin']}").status_code == 403


def test_nicknames_are_escaped_on_pages(app, client, make, sockets):
    game = make.game()
    s = sockets(game["pin"])
    assert s.call("player:join", {"pin": game["pin"], "nickname": "Jerry's"})["ok"]
    make.login(client, game["presenter_id"])
    page = client.get(f"/host/{game['pin']}/results").data.decode()
    assert "Jerry&#39;s" in page and "Jerry's" not in page


def test_csrf_is_enforced_on_forms(make):
    from quizapp import create_app
    from quizapp.config import TestConfig

    app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                      "WTF_CSRF_ENABLED": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
    response = app.test_client().post("/login", data={"username": "a", "password": "b"})
    assert response.status_code == 400


def test_language_switch_stays_on_this_site(client):
    for target in ["https://evil.example", "https:evil.example", "//evil.example", "/\\evil.example",
                   "\\\\evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=1"]:
        response = client.get("/lang/en", query_string={"next": target})
        location = response.headers["Location"]
        assert location in ("/", "http://localhost/") or location.startswith("/%0d"), (target, location)
        assert "evil" not in location
    assert client.get("/lang/en?next=/play/").headers["Location"] == "/play/"


def test_login_redirect_stays_on_this_site(client, make):
    user = make.user()
    from quizapp.extensions import db as _db
    from quizapp.models import User

    with client.application.app_context():
        name = _db.session.get(User, user).username
    response = client.post("/login?next=https:evil.example", data={"username": name,
                                                                   "password": "pw-secret-1"})
    assert response.headers["Location"] == "/host/"


def test_phone_page_and_assets_are_compressed_and_versioned(client, make):
    game = make.game()
    page = client.get(f"/play/{game['pin']}", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    import gzip
    import re as _re

    html = gzip.decompress(page.data).decode()
    assets = _re.findall(r'(?:src|href)="(/static/[^"]+\?v=[0-9a-f]{10})"', html)
    assert any("player.js" in a for a in assets) and any("app.css" in a for a in assets)
    total = len(page.data)
    for url in assets:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == "gzip", url
        total += len(response.data)
    assert total < 60 * 1024, total  # join + play on a phone: at most 60 KB transferred
