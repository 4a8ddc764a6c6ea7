"""Who may do what: every role against every endpoint, pages, API and host events."""
from __future__ import annotations

import pytest

from tests.conftest import Socket

ROLES = ["anonymous", "owner", "other_presenter", "staff_same_school", "staff_other_school", "admin"]

# (method, path, expected status per role in ROLES order); {pin} is a session of the owner at DEMO
MATRIX = [
    ("get", "/host/", [302, 200, 200, 403, 403, 200]),
    ("get", "/host/new", [302, 200, 200, 403, 403, 200]),
    ("get", "/host/{pin}", [302, 200, 403, 403, 403, 200]),
    ("get", "/host/{pin}/console", [302, 200, 403, 403, 403, 200]),
    ("get", "/host/{pin}/results", [302, 200, 403, 200, 403, 200]),
    ("get", "/api/v1/quizzes", [401, 200, 200, 200, 200, 200]),
    # from here on other_presenter has held a session at DEMO: they see its figures
    ("post", "/api/v1/games", [401, 201, 201, 403, 403, 201]),
    ("get", "/api/v1/games/{pin}", [401, 200, 200, 200, 403, 200]),  # other_presenter: see below
    ("get", "/api/v1/games/{pin}/results", [401, 200, 200, 200, 403, 200]),
    ("get", "/api/v1/schools", [401, 200, 200, 200, 200, 200]),
    # other_presenter opened a session at DEMO in the row above: a school they visited
    ("get", "/api/v1/schools/DEMO/records", [401, 200, 200, 200, 403, 200]),
    ("get", "/play/{pin}", [200, 200, 200, 200, 200, 200]),
    ("get", "/healthz", [200, 200, 200, 200, 200, 200]),
]


@pytest.fixture
def world(app, make):
    other = make.school("OTHER")
    users = {
        "owner": make.user("presenter"),
        "other_presenter": make.user("presenter"),
        "staff_same_school": make.user("staff", school="DEMO"),
        "staff_other_school": make.user("staff", school=other),
        "admin": make.user("admin"),
    }
    game = make.game(presenter_id=users["owner"])
    clients = {"anonymous": app.test_client()}
    for role, user_id in users.items():
        clients[role] = app.test_client()
        make.login(clients[role], user_id)
    return game, clients


def test_role_matrix(world):
    """One world (accounts are slow to make: scrypt), every row of the matrix checked."""
    game, clients = world
    wrong = []
    for method, path, expected in MATRIX:
        url = path.format(pin=game["pin"])
        got = []
        for role in ROLES:
            kwargs = {"json": {"quiz": "test-quiz", "school": "DEMO"}} if method == "post" else {}
            got.append(getattr(clients[role], method)(url, **kwargs).status_code)
        if got != expected:
            wrong.append((method, path, dict(zip(ROLES, got))))
    assert not wrong, wrong


def test_host_events_by_role(app, world):
    game, clients = world
    allowed = {"anonymous": False, "owner": True, "other_presenter": False,
               "staff_same_school": False, "staff_other_school": False, "admin": True}
    for role, may in allowed.items():
        s = Socket(app, game["pin"], flask_client=clients[role])
        ack = s.call("host:join", {"pin": game["pin"]})
        assert ack["ok"] is may, (role, ack)
        s.disconnect()


def test_school_staff_see_only_their_school_records(app, world):
    game, clients = world
    mine = clients["staff_same_school"].get("/api/v1/schools").get_json()["schools"]
    theirs = clients["staff_other_school"].get("/api/v1/schools").get_json()["schools"]
    assert [s["code"] for s in mine] == ["DEMO"] and [s["code"] for s in theirs] == ["OTHER"]
    # a presenter sees the records of schools they held a session at (or of their unit)
    assert clients["other_presenter"].get("/api/v1/schools/DEMO/records").status_code == 403
    owner = clients["owner"].get("/api/v1/schools/DEMO/records").get_json()
    assert owner["school"] == "DEMO" and owner["sessions"] == []  # nobody has played yet
