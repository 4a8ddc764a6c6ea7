"""The records API: campaigns, coverage, the dashboard, presenters' and schools' records, the
public figures — who gets what, and refusals of bad input."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.records.test_queries import at

FIRST = {"slug": "khong-mot-minh-2025", "name": "Không một mình – Cùng nhau an toàn trực tuyến 2025",
         "starts": "2025-10-06", "ends": "2025-11-30"}


@pytest.fixture
def world(app, records, make):
    """Two units (the officer's, covered, and another), a school in each, and one client per
    role, signed in."""
    mine, other = records.unit("Phường Một"), records.unit("Xã Hai", kind="xa")
    s1, s2 = records.school("ONE", mine), records.school("TWO", other, "tieu_hoc")
    users = {"admin": records.user("admin"), "viewer": records.user("viewer"),
             "presenter": records.user("presenter", unit_id=mine),
             "stranger": records.user("presenter", unit_id=other),
             "staff": records.user("staff", school_id=s1)}
    records.session(s1, users["presenter"], at(date(2025, 10, 10)),
                    players=[("Cú Mèo", 1000, {0: ([2], True)}), ("Sóc Nâu", 0)])
    records.session(s2, users["stranger"], at(date(2025, 10, 11)), in_person=False,
                    players=[("Hổ Con", 500)])
    clients = {"anonymous": app.test_client()}
    for role, user_id in users.items():
        clients[role] = app.test_client()
        make.login(clients[role], user_id)
    return clients


MATRIX = [  # path, expected status for anonymous, admin, viewer, presenter, stranger, staff
    ("/api/v1/campaigns", [200, 200, 200, 200, 200, 200]),
    ("/api/v1/coverage", [401, 200, 200, 200, 200, 403]),
    ("/api/v1/dashboard", [401, 200, 200, 403, 403, 403]),
    ("/api/v1/public/summary", [200, 200, 200, 200, 200, 200]),
    ("/api/v1/me/records", [401, 200, 403, 200, 200, 403]),
    ("/api/v1/schools/ONE/records", [401, 200, 200, 200, 403, 200]),
    ("/api/v1/schools/TWO/records", [401, 200, 200, 403, 200, 403]),
]
ROLES = ["anonymous", "admin", "viewer", "presenter", "stranger", "staff"]


def test_who_gets_what(world):
    wrong = []
    for path, expected in MATRIX:
        got = [world[role].get(path).status_code for role in ROLES]
        if got != expected:
            wrong.append((path, dict(zip(ROLES, got))))
    assert not wrong, wrong


def test_coverage_is_scoped(world):
    everyone = world["viewer"].get("/api/v1/coverage").get_json()
    assert everyone["campaign"] == FIRST["slug"]
    assert {u["unit"]: u["covered"] for u in everyone["units"]} == {
        "Phường Một": True, "Xã Hai": False, "Phường Demo": False}
    assert everyone["totals"] == {"units": 3, "units_covered": 1, "schools_reached": 2,
                                  "sessions": 2, "students": 3}
    own = world["presenter"].get("/api/v1/coverage").get_json()
    assert [u["unit"] for u in own["units"]] == ["Phường Một"]
    unit = own["units"][0]
    for key in ("unit", "province", "schools", "schools_in_person", "sessions", "students",
                "covered"):
        assert key in unit
    assert world["admin"].get("/api/v1/coverage?campaign=nope").status_code == 404


def test_the_public_figures_hold_no_nickname(world):
    body = world["anonymous"].get("/api/v1/public/summary").get_json()
    assert body == {"campaign": FIRST["slug"], "sessions": 2, "schools": 2, "students": 3,
                    "units": 3, "units_covered": 1}
    text = world["anonymous"].get("/api/v1/public/summary").get_data(as_text=True)
    for nickname in ("Cú Mèo", "Sóc Nâu", "Hổ Con"):
        assert nickname not in text


def test_the_dashboard_filters(world):
    admin = world["admin"]
    board = admin.get("/api/v1/dashboard").get_json()
    assert board["totals"]["sessions"] == 2 and [u["unit"] for u in board["units_at_zero"]] == [
        "Phường Demo", "Xã Hai"]
    primary = admin.get("/api/v1/dashboard?level=tieu_hoc").get_json()
    assert primary["totals"]["students"] == 1
    days = admin.get("/api/v1/dashboard?from=2025-10-11&to=2025-10-11").get_json()
    assert days["per_day"] == [{"day": "2025-10-11", "sessions": 1, "students": 1}]
    for bad in ("level=university", "from=yesterday", "unit=abc", "unit=99999", "to=2025-13-01"):
        response = admin.get(f"/api/v1/dashboard?{bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"] == "bad_request" and response.get_json()["message"]


def test_campaigns_are_created_by_admins(world):
    admin = world["admin"]
    assert admin.get("/api/v1/campaigns").get_json() == {"campaigns": [FIRST]}
    second = {"slug": "khong-mot-minh-2026", "name": "Không một mình 2026",
              "starts": "2026-10-05", "ends": "2026-11-29"}
    created = admin.post("/api/v1/campaigns", json=second)
    assert created.status_code == 201 and created.get_json() == second
    assert admin.get("/api/v1/campaigns").get_json()["campaigns"][0] == second
    assert admin.post("/api/v1/campaigns", json=second).status_code == 409
    for bad in ({**second, "slug": "Has Spaces"}, {**second, "slug": "x", "ends": "2026-01-01"},
                {**second, "slug": "y", "starts": "soon"}, {**second, "slug": "z", "name": ""},
                [], "text"):
        response = admin.post("/api/v1/campaigns", json=bad)
        assert response.status_code == 400, bad
    assert world["viewer"].post("/api/v1/campaigns", json=second).status_code == 403
    assert world["anonymous"].post("/api/v1/campaigns", json=second).status_code == 401


def test_a_presenters_own_records(world):
    record = world["presenter"].get("/api/v1/me/records").get_json()
    assert record["totals"]["sessions"] == 1 and record["totals"]["students"] == 2
    assert [s["code"] for s in record["schools"]] == ["ONE"]
    assert record["unit"]["covered"] is True and record["campaign"]["slug"] == FIRST["slug"]


def test_a_schools_record_by_api(world):
    record = world["staff"].get("/api/v1/schools/ONE/records").get_json()
    assert record["participants"] == 2 and record["sessions"][0]["players"] == 2
    assert record["sessions"][0]["date"] == "2025-10-10" and record["unit"] == "Phường Một"
    assert world["admin"].get("/api/v1/schools/NOPE/records").status_code == 404
