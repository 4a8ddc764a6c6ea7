"""Accounts: the rules of the roles, POST /api/v1/users by role, the users commands, and what a
deactivated account or a reset password can no longer do."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services.accounts import AccountError, create_account, set_active
from quizapp.services.org import import_org

ORG = ("province,unit,unit_kind,school_code,school_name,level\n"
       "Ninh Bình,Phường Hoa Lư,phuong,NB-1,Trường THCS Trương Hán Siêu,thcs\n"
       "Ninh Bình,Xã Yên Thành,xa,NB-2,Trường THCS Yên Thành,thcs\n"
       "Nghệ An,Xã Yên Thành,xa,NA-1,Trường THCS Yên Thành,thcs\n")


@pytest.fixture
def org(app):
    with app.app_context():
        import_org(ORG.encode(), "org.csv")


def basic(username: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def token(client, username: str, password: str = "pw-secret-1") -> dict | None:
    response = client.post("/api/v1/tokens", headers=basic(username, password))
    if response.status_code != 200:
        return None
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def account(app, username: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            db.session.expunge(user)
        return user


@pytest.fixture
def admin_client(app, make):
    client = app.test_client()
    client.set_cookie("lang", "en")
    make.login(client, make.user("admin"))
    return client


@pytest.mark.parametrize("role, status", [("admin", 201), ("viewer", 403), ("presenter", 403),
                                          ("staff", 403), ("anonymous", 401)])
def test_create_by_role(app, make, org, role, status):
    client = app.test_client()
    if role != "anonymous":
        make.login(client, make.user(role, school="DEMO" if role == "staff" else None))
    response = client.post("/api/v1/users", json={"username": "officer", "password": "pw-secret-9",
                                                  "role": "presenter", "unit": "Phường Hoa Lư"})
    assert response.status_code == status, response.get_json()
    assert (account(app, "officer") is not None) is (status == 201)


def test_created_account_is_shown_without_its_password(app, admin_client, org):
    response = admin_client.post("/api/v1/users", json={
        "username": "Officer.Lan", "password": "pw-secret-9", "role": "presenter",
        "unit": "Ninh Bình / Xã Yên Thành", "display_name": "Nguyễn Thị Lan"})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "username": "Officer.Lan", "display_name": "Nguyễn Thị Lan",
                    "role": "presenter", "unit": "Xã Yên Thành", "province": "Ninh Bình",
                    "school": None, "active": True}
    assert b"scrypt" not in response.data and b"pw-secret" not in response.data
    assert token(app.test_client(), "officer.lan", "pw-secret-9") is not None


@pytest.mark.parametrize("body, status, field", [
    ({"role": "presenter"}, 400, "unit"),
    ({"role": "presenter", "unit": "Phường Hoa Lư", "school": "NB-1"}, 400, "school"),
    ({"role": "presenter", "unit": "Xã Yên Thành"}, 400, "unit"),  # in two provinces
    ({"role": "presenter", "unit": "Phường Không Có"}, 400, "unit"),
    ({"role": "presenter", "unit": "Nghệ An / Phường Hoa Lư"}, 400, "unit"),
    ({"role": "staff"}, 400, "school"),
    ({"role": "staff", "school": "NOPE"}, 400, "school"),
    ({"role": "staff", "school": "NB-1", "unit": "Phường Hoa Lư"}, 400, "unit"),
    ({"role": "admin", "unit": "Phường Hoa Lư"}, 400, "unit"),
    ({"role": "viewer", "school": "NB-1"}, 400, "school"),
    ({"role": "teacher"}, 400, "role"),
    ({"role": "viewer", "password": "short"}, 400, "password"),
    ({"role": "viewer", "password": 12345678}, 400, "password"),
    ({"role": "viewer", "username": "a b"}, 400, "username"),
    ({"role": "viewer", "username": ""}, 400, "username"),
    ({"role": "viewer", "username": ["x"]}, 400, "username"),
    ({"role": "viewer", "unit": 7}, 400, "unit"),
    ({"role": "viewer", "username": "ADMIN"}, 409, "username"),  # the first admin, any case
    ({"role": "staff", "school": "nb-1"}, 201, None),
    ({"role": "presenter", "unit": "nghệ an / xã yên thành"}, 201, None),
    ({"role": "presenter", "unit": "  Phường   Hoa Lư "}, 201, None),
    ({"role": "viewer"}, 201, None),
    ({"role": "admin"}, 201, None),
])
def test_creation_rules(app, admin_client, org, body, status, field):
    payload = {"username": "someone", "password": "pw-secret-9", **body}
    response = admin_client.post("/api/v1/users", json=payload)
    assert response.status_code == status, response.get_json()
    data = response.get_json()
    if status == 201:
        user = account(app, "someone")
        assert user is not None and user.role == body["role"]
        return
    assert data["field"] == field and data["message"]
    assert data["error"] == ("conflict" if status == 409 else "bad_request")
    if body.get("unit") == "Xã Yên Thành":
        assert "Province / Unit" in data["message"] and "Nghệ An" in data["message"]


def test_duplicate_usernames_ignore_case(app, admin_client, org):
    first = admin_client.post("/api/v1/users", json={"username": "Officer", "password": "pw-secret-9",
                                                     "role": "viewer"})
    again = admin_client.post("/api/v1/users", json={"username": "oFFICER",
                                                     "password": "pw-secret-9", "role": "viewer"})
    assert (first.status_code, again.status_code) == (201, 409)


@pytest.mark.parametrize("body", [None, "[]", '"text"', "{" * 5000])
def test_create_needs_a_json_object(admin_client, body):
    response = admin_client.post("/api/v1/users", data=body, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


# ----- the commands -----------------------------------------------------------------------------


@pytest.mark.parametrize("args, code, role", [
    (["officer", "--role", "presenter", "--unit", "Phường Hoa Lư"], 0, "presenter"),
    (["officer", "--role", "presenter", "--unit", "Nghệ An / Xã Yên Thành"], 0, "presenter"),
    (["officer", "--role", "staff", "--school", "NB-2"], 0, "staff"),
    (["officer", "--role", "viewer"], 0, "viewer"),
    (["officer", "--role", "presenter"], 1, None),
    (["officer", "--role", "presenter", "--unit", "Xã Yên Thành"], 1, None),
    (["officer", "--role", "staff", "--school", "NOPE"], 1, None),
    (["officer", "--role", "viewer", "--unit", "Phường Hoa Lư"], 1, None),
    (["officer", "--role", "boss"], 2, None),
    (["ADMIN", "--role", "viewer"], 1, None),
])
def test_users_create_command(app, org, args, code, role):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", *args, "--password", "pw-secret-9"])
    assert result.exit_code == code, result.output
    user = account(app, "officer")
    assert (user.role if user else None) == role
    if code == 0:
        assert f"Created {role} officer" in result.output


def test_users_create_command_refuses_a_short_password(app, org):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "officer", "--role", "viewer", "--password", "short"])
    assert result.exit_code == 1 and account(app, "officer") is None


def test_deactivate_and_activate_commands(app, client, make):
    user = make.user("presenter")
    runner = app.test_cli_runner()
    bearer = token(client, "presenter1")
    assert client.get("/api/v1/quizzes", headers=bearer).status_code == 200
    off = runner.invoke(args=["users", "deactivate", "PRESENTER1"])
    assert off.exit_code == 0 and "Deactivated presenter1" in off.output
    assert client.get("/api/v1/quizzes", headers=bearer).status_code == 401
    assert token(client, "presenter1") is None
    assert client.post("/login", data={"username": "presenter1",
                                       "password": "pw-secret-1"}).status_code == 200
    on = runner.invoke(args=["users", "activate", "presenter1"])
    assert on.exit_code == 0 and account(app, "presenter1").active
    assert client.get("/api/v1/quizzes", headers=bearer).status_code == 200
    assert runner.invoke(args=["users", "deactivate", "nobody"]).exit_code == 1
    # the first admin is the only one: it stays active
    last = runner.invoke(args=["users", "deactivate", "admin"])
    assert last.exit_code == 1 and account(app, "admin").active
    assert user


# ----- deactivation and passwords in the admin pages -----------------------------------------------


def test_a_deactivated_account_is_signed_out_everywhere(app, make, admin_client):
    presenter = make.user("presenter")
    browser = app.test_client()
    make.login(browser, presenter)
    bearer = token(app.test_client(), "presenter2")
    assert browser.get("/host/").status_code == 200
    off = admin_client.post(f"/admin/users/{presenter}/active", data={"active": "0"})
    assert off.status_code == 302
    assert not account(app, "presenter2").active
    page = browser.get("/host/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert browser.get("/api/v1/quizzes").status_code == 401
    assert app.test_client().get("/api/v1/quizzes", headers=bearer).status_code == 401
    assert app.test_client().post("/login", data={"username": "presenter2",
                                                  "password": "pw-secret-1"}).status_code == 200
    admin_client.post(f"/admin/users/{presenter}/active", data={"active": "1"})
    assert account(app, "presenter2").active
    assert app.test_client().get("/api/v1/quizzes", headers=bearer).status_code == 200


def test_an_admin_cannot_deactivate_their_own_account(app, make):
    admin = make.user("admin")
    client = app.test_client()
    client.set_cookie("lang", "en")
    make.login(client, admin)
    response = client.post(f"/admin/users/{admin}/active", data={"active": "0"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert b"You cannot deactivate your own account." in response.data
    assert account(app, "admin1").active
    with app.app_context():
        me = db.session.get(User, admin)
        with pytest.raises(AccountError):
            set_active(me, False, by=me)


def test_reset_password(app, make, admin_client):
    user = make.user("presenter")
    old = token(app.test_client(), "presenter2")
    short = admin_client.post(f"/admin/users/{user}", data={"password": "short",
                                                            "confirm": "short"})
    assert short.status_code == 200 and b"field-error" in short.data
    differ = admin_client.post(f"/admin/users/{user}", data={"password": "new-secret-1",
                                                             "confirm": "new-secret-2"})
    assert differ.status_code == 200 and b"The two passwords differ." in differ.data
    done = admin_client.post(f"/admin/users/{user}", data={"password": "new-secret-1",
                                                           "confirm": "new-secret-1"})
    assert done.status_code == 302
    assert app.test_client().get("/api/v1/quizzes", headers=old).status_code == 401
    assert token(app.test_client(), "presenter2") is None
    assert token(app.test_client(), "presenter2", "new-secret-1") is not None


def test_create_in_the_admin_page(app, admin_client, org):
    form = {"username": "lan", "display_name": "Nguyễn Thị Lan", "role": "presenter",
            "unit": "Xã Yên Thành", "school": "", "password": "pw-secret-9"}
    ambiguous = admin_client.post("/admin/users/new", data=form)
    assert ambiguous.status_code == 200 and b"Province / Unit" in ambiguous.data
    assert account(app, "lan") is None
    created = admin_client.post("/admin/users/new", data={**form, "unit": "Nghệ An / Xã Yên Thành"})
    assert created.status_code == 302
    with app.app_context():
        lan = db.session.scalar(select(User).where(User.username == "lan"))
        assert (lan.role, lan.unit.province.name, lan.display_name) == (
            "presenter", "Nghệ An", "Nguyễn Thị Lan")
    listing = admin_client.get("/admin/users?role=presenter").data.decode()
    assert "lan" in listing and "Nghệ An" in listing and "Active" in listing
    assert "presenter2" not in admin_client.get("/admin/users?q=lan").data.decode()


def test_create_account_service_is_the_rule(app, org):
    with app.app_context():
        with pytest.raises(AccountError) as caught:
            create_account("x1", "pw-secret-9", "presenter")
        assert caught.value.field == "unit"
        user = create_account("x2", "pw-secret-9", "presenter", unit="Phường Hoa Lư")
        assert user.unit.name == "Phường Hoa Lư" and user.school_id is None
