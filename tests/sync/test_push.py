"""The laptop's client against a real central server process: pull links the laptop and brings
schools and quizzes; push sends each finished session once, says why one is refused, survives
an unreachable server, and removes the children's data it no longer needs."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import delete, func, select

from quizapp.extensions import db
from quizapp.models import Game, Player, Quiz, School, SessionSummary, SyncPush, User
from quizapp.services.accounts import create_user
from quizapp.sync import client
from tests.support import ServerProcess, free_port

from .conftest import played

ORG = ("province,unit,unit_kind,school_code,school_name,level\n"
       "Ninh Bình,Phường Hoa Lư,phuong,NB-0001,Trường THCS Trương Hán Siêu,thcs\n")


@pytest.fixture
def central(tmp_path):
    """A real central server (SQLite) with a presenter ``officer`` and a school NB-0001."""
    server = ServerProcess(tmp_path / "central").start()
    try:
        server.admin = server.token()
        response = requests.post(server.url + "/api/v1/users", headers=server.admin, timeout=10,
                                 json={"username": "officer", "password": "pw-secret-1",
                                       "role": "presenter", "unit": "Phường Demo"})
        assert response.status_code == 201, response.text
        org(server, ORG)
        server.officer = server.token("officer", "pw-secret-1")
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.log(), server.log()


def org(server, text: str) -> None:
    response = requests.post(server.url + "/api/v1/org/import", headers=server.admin,
                             files={"file": ("org.csv", text.encode())}, timeout=10)
    assert response.status_code == 200, response.text


def bearer(headers: dict) -> str:
    return headers["Authorization"][7:]


def my_sessions(server) -> list[dict]:
    return requests.get(server.url + "/api/v1/me/records", headers=server.officer,
                        timeout=10).json()["sessions"]


def linked(laptop, central) -> dict:
    with laptop.app_context():
        return client.pull(central.url, bearer(central.officer))


def test_pull_links_the_laptop_and_brings_schools_and_quizzes(laptop, central):
    with laptop.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == "test-check"))
        quiz.origin, quiz.owner_id, quiz.status = "editor", 1, "draft"  # written on the laptop
        quiz.title = "Our own check"
        db.session.commit()
    counts = linked(laptop, central)
    assert counts["schools"] == 2 and counts["kept"] == ["test-check"]
    with laptop.app_context():
        school = db.session.scalar(select(School).where(School.code == "NB-0001"))
        assert school.name == "Trường THCS Trương Hán Siêu" and school.level == "thcs"
        assert (school.unit.name, school.unit.province.name) == ("Phường Hoa Lư", "Ninh Bình")
        assert db.session.scalar(select(Quiz).where(Quiz.slug == "test-check")).title == \
            "Our own check"
        link = client.link()
        assert link["url"] == central.url and link["user"]["username"] == "officer"
        assert link["token"] != bearer(central.officer)  # the long-lived link token
        assert len(link["bundle_key"]) == 64
    # later pulls need no arguments
    result = laptop.test_cli_runner().invoke(args=["sync", "pull"])
    assert result.exit_code == 0 and f"Linked to {central.url} as officer" in result.output
    with laptop.app_context():
        with pytest.raises(client.SyncError, match="did not accept the token"):
            client.pull(central.url, "not-a-token")
        with pytest.raises(client.SyncError, match="Could not reach"):
            client.pull(f"http://127.0.0.1:{free_port()}", "t")
        with pytest.raises(client.SyncError, match="not the address"):
            client.pull("ftp://central", "t")


def test_push_sends_each_session_once_refuses_by_name_and_purges(laptop, central):
    linked(laptop, central)
    with laptop.app_context():
        demo = db.session.scalar(select(School).where(School.code == "DEMO"))
        db.session.add(School(code="LAP-1", name="Only on the laptop", unit_id=demo.unit_id))
        db.session.commit()
    first, second = played(laptop, players=3), played(laptop, players=2)
    third, fourth = played(laptop, school="NB-0001"), played(laptop, school="LAP-1")
    running = played(laptop, ended=False)
    with laptop.app_context():
        report = client.push()
        assert (report.sent, report.already, len(report.failed)) == (3, 0, 0)
        assert [g.id for g, _ in report.refused] == [fourth] and not report.complete
        assert "“LAP-1”" in report.refused[0][1]
        found = client.statuses(db.session.scalars(select(Game)).all())
        assert {k: v["status"] for k, v in found.items()} == {
            first: "sent", second: "sent", third: "sent", fourth: "refused"}
        assert running not in found
        # the children's data of what the province has is gone from the laptop, not its figures
        for game_id, players in ((first, 3), (second, 2), (third, 3)):
            game = db.session.get(Game, game_id)
            assert game.purged_at is not None and not game.players
            assert db.session.get(SessionSummary, game_id).players == players
            assert game.summary["players"] == players
        assert len(db.session.get(Game, fourth).players) == 3
        uuids = {db.session.get(Game, i).uuid for i in (first, second, third)}

    sessions = my_sessions(central)
    assert sorted(s["players"] for s in sessions) == [2, 3, 3]
    assert {s["school"] for s in sessions} == {"DEMO", "NB-0001"}
    pin = next(s["pin"] for s in sessions if s["players"] == 2)
    results = requests.get(f"{central.url}/api/v1/games/{pin}/results", headers=central.officer,
                           timeout=10).json()
    assert sorted(p["nickname"] for p in results["players"]) == ["An", "Bình"]

    with laptop.app_context():
        again = client.push()
        assert (again.sent, again.already, len(again.refused)) == (0, 0, 1)
        # a session whose confirmation the laptop lost is sent again: the province has it
        db.session.execute(delete(SyncPush).where(SyncPush.game_id == first))
        db.session.commit()
        again = client.push()
        assert (again.sent, again.already) == (0, 1)
        assert client.statuses([db.session.get(Game, first)])[first]["status"] == "sent"
    assert len(my_sessions(central)) == 3

    org(central, ORG + "Ninh Bình,Phường Demo,phuong,LAP-1,Only on the laptop,thcs\n")
    result = laptop.test_cli_runner().invoke(args=["sync", "push"])
    assert result.exit_code == 0, result.output
    assert "1 session(s) sent, 0 already there, 0 refused, 0 failed" in result.output
    central_sessions = my_sessions(central)
    assert len(central_sessions) == 4
    with laptop.app_context():
        assert uuids | {db.session.get(Game, fourth).uuid} == {
            g.uuid for g in db.session.scalars(select(Game).where(Game.phase == "over"))}


def test_an_unreachable_server_fails_and_the_next_push_carries_on(laptop, central):
    linked(laptop, central)
    ids = [played(laptop) for _ in range(3)]
    elsewhere = f"http://127.0.0.1:{free_port()}"
    result = laptop.test_cli_runner().invoke(
        args=["sync", "push", "--to", elsewhere, "--token", bearer(central.officer)])
    assert result.exit_code == 1
    assert "0 session(s) sent, 0 already there, 0 refused, 1 failed, 2 still waiting" \
        in result.output
    with laptop.app_context():
        found = client.statuses([db.session.get(Game, i) for i in ids])
        assert [found[i]["status"] for i in ids] == ["failed", "waiting", "waiting"]
        assert "Could not reach" in found[ids[0]]["message"]
        assert db.session.get(SyncPush, ids[0]).central_url == elsewhere
        # a token the central server no longer takes stops the push at the first session
        stored = dict(client.link())
        client.set_setting(client.LINK, {**stored, "token": "expired"})
        db.session.commit()
        report = client.push()
        assert report.failed and report.waiting == 2 and report.sent == 0
        assert "did not accept this laptop's link" in report.failed[0][1]
        client.set_setting(client.LINK, stored)
        db.session.commit()
        report = client.push()
        assert (report.sent, report.complete) == (3, True)
        assert db.session.get(SyncPush, ids[0]).attempts == 3
    assert len(my_sessions(central)) == 3


def test_the_purge_after_a_push_can_be_turned_off(laptop, central):
    laptop.config["SYNC_PURGE"] = "0"
    linked(laptop, central)
    game_id = played(laptop)
    with laptop.app_context():
        assert client.push().sent == 1
        game = db.session.get(Game, game_id)
        assert game.purged_at is None and len(game.players) == 3


def test_the_send_button_on_my_sessions(laptop, central):
    with laptop.app_context():
        local = create_user("local", "pw-secret-1", role="presenter").id
    web = laptop.test_client()
    web.set_cookie("lang", "en")
    assert web.post("/login", data={"username": "local", "password": "pw-secret-1"}) \
        .status_code == 302
    mine = played(laptop, presenter="local")
    theirs = played(laptop)  # the laptop admin's: not the presenter's to send
    page = web.get("/host/").get_data(as_text=True)
    assert "Send to the province" not in page and "Waiting" not in page  # not a field laptop
    response = web.post("/host/sync")
    assert response.status_code == 302
    assert "not linked" in web.get("/host/").get_data(as_text=True)

    linked(laptop, central)
    page = web.get("/host/").get_data(as_text=True)
    assert "Send to the province" in page and "Waiting" in page
    assert web.post("/host/sync").status_code == 302
    page = web.get("/host/").get_data(as_text=True)
    assert "1 session(s) sent, 0 already there, 0 refused, 0 could not be sent" in page
    assert "✓ Sent" in page and ">3<" in page  # its players still counted, from its figures
    with laptop.app_context():
        found = client.statuses([db.session.get(Game, mine), db.session.get(Game, theirs)])
        assert (found[mine]["status"], found[theirs]["status"]) == ("sent", "waiting")
        assert db.session.scalar(select(func.count(Player.id)).where(
            Player.game_id == theirs)) == 3
        assert db.session.get(User, local).username == "local"
    assert len(my_sessions(central)) == 1
