"""Two real servers: a field laptop (SQLite, one process) and the central server (PostgreSQL).
A session played on the laptop by real Socket.IO clients reaches the central dashboard through
the "Send to the province" button, once; a session at a school the central server does not know
is refused by its code; the central server killed in the middle of a push loses nothing and
doubles nothing; and the sessions page fits a 1280-pixel screen."""
from __future__ import annotations

import asyncio
import re
import secrets
import shutil
import subprocess
import sys
from datetime import date, timedelta

import psycopg
import pytest
import requests

from quizapp import create_app
from quizapp.config import TestConfig
from quizapp.extensions import db
from quizapp.models import Game, Player, SyncPush, utcnow
from quizapp.sync import client
from tests.e2e.players import Bot, connect_all, host, join_all, until
from tests.support import (ADMIN_PASSWORD, POSTGRES, ROOT, TEST_QUESTIONS, ServerProcess,
                           quiz_folder, start_together)

from .conftest import played

pytestmark = pytest.mark.e2e
ORG = ("province,unit,unit_kind,school_code,school_name,level\n"
       "Ninh Bình,Phường Hoa Lư,phuong,NB-0001,Trường THCS Trương Hán Siêu,thcs\n")
BULK, BULK_PLAYERS, KILL_AFTER = 40, 25, 5


@pytest.fixture
def database():
    name = f"quizapp_sync_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES}/{name}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flask(server: ServerProcess, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """``flask --app wsgi ARGS`` on the laptop (its instance folder and database)."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, timeout=timeout)


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(server: ServerProcess) -> requests.Session:
    """The laptop's admin signed in to its web pages, in English."""
    web = requests.Session()
    web.cookies.set("lang", "en")
    page = web.get(server.url + "/login", timeout=10).text
    response = web.post(server.url + "/login", timeout=10, allow_redirects=False, data={
        "username": "admin", "password": ADMIN_PASSWORD, "csrf_token": form_token(page)})
    assert response.status_code == 302, response.text
    return web


def org(server: ServerProcess, headers: dict, text: str) -> None:
    response = requests.post(server.url + "/api/v1/org/import", headers=headers, timeout=10,
                             files={"file": ("org.csv", text.encode())})
    assert response.status_code == 200, response.text


async def play(url: str, game: dict, players: int = 3) -> None:
    """A whole session: ``players`` phones answer each question, the host moves on."""
    bots = [Bot(url, game["pin"]) for _ in range(players)]
    await connect_all(bots)
    assert all(a["ok"] for a in await join_all(bots, prefix="Field"))
    h = await host(url, game)
    assert (await h.call("host:start", {}))["ok"]
    for index in range(3):
        await until(lambda: all(len(b.events.get("question:start", [])) > index for b in bots))
        acks = await asyncio.gather(*(b.answer(index, (i + index) % 3)
                                      for i, b in enumerate(bots)))
        assert all(a["ok"] for a in acks), acks
        await until(lambda: all(len(b.events.get("question:reveal", [])) > index for b in bots))
        if index < 2:
            ack = await h.call("host:next", {})
            if ack.get("phase") == "leaderboard":
                ack = await h.call("host:next", {})
            assert ack["ok"], ack
    assert (await h.call("host:end", {}))["ok"]
    await until(lambda: all(b.events.get("game:over") for b in bots))
    for b in bots:
        await b.close()
    await h.disconnect()


def central_rows(database: str, sql: str, *params) -> list[tuple]:
    with psycopg.connect(database) as conn:
        return conn.execute(sql, params).fetchall()


def laptop_app(server: ServerProcess, monkeypatch):
    """An app on the laptop's own database, to write sessions into it as the live game does."""
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(server.instance / "tests"))
    return create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{server.instance / 'quizapp.db'}",
                       "QUESTIONS_DIR": str(TEST_QUESTIONS)})


def test_a_laptop_session_reaches_the_central_server_exactly_once(tmp_path, database,
                                                                  monkeypatch):
    questions = quiz_folder(tmp_path / "questions", "field", ["Q1", "Q2", "Q3"], time_limit=60)
    shutil.copy(TEST_QUESTIONS / "test-quiz.yaml", questions)
    central = ServerProcess(tmp_path / "central", questions=questions,
                            env={"DATABASE_URL": database})
    laptop = ServerProcess(tmp_path / "laptop", questions=questions,
                           env={"QUIZAPP_LANGUAGE": "en"})
    start_together([central, laptop])
    try:
        # ----- the central server: an officer, a school, a campaign running today
        admin = central.token()
        response = requests.post(central.url + "/api/v1/users", headers=admin, timeout=10, json={
            "username": "officer", "password": "pw-secret-1", "role": "presenter",
            "unit": "Ninh Bình / Phường Demo", "display_name": "Officer Lan"})
        assert response.status_code == 201, response.text
        org(central, admin, ORG)
        today = date.today()
        response = requests.post(central.url + "/api/v1/campaigns", headers=admin, timeout=10,
                                 json={"slug": "field", "name": "Field test",
                                       "starts": (today - timedelta(days=3)).isoformat(),
                                       "ends": (today + timedelta(days=3)).isoformat()})
        assert response.status_code == 201, response.text
        officer = central.token("officer", "pw-secret-1")

        # ----- the laptop, online once: linked with the officer's token
        pulled = flask(laptop, "sync", "pull", "--from", central.url, "--token",
                       officer["Authorization"][7:])
        assert pulled.returncode == 0, pulled.stderr
        assert f"Linked to {central.url} as officer" in pulled.stdout
        local = laptop.token()
        org(laptop, local, ORG + "Ninh Bình,Phường Demo,phuong,LAP-ONLY,Trường chỉ có ở đây,"
                                 "thcs\n")

        # ----- offline: a session played by three phones at a school the pull brought in
        game = laptop.create_game(local, quiz="field", school="NB-0001")
        asyncio.run(play(laptop.url, game))
        other = laptop.create_game(local, quiz="field", school="LAP-ONLY")

        async def end_in_lobby():
            h = await host(laptop.url, other)
            assert (await h.call("host:end", {}))["ok"]
            await h.disconnect()

        asyncio.run(end_in_lobby())

        # ----- "Send to the province"
        web = signed_in(laptop)
        page = web.get(laptop.url + "/host/", timeout=10).text
        assert "Send to the province" in page and page.count("Waiting") == 2
        response = web.post(laptop.url + "/host/sync", timeout=60, allow_redirects=False,
                            data={"csrf_token": form_token(page)})
        assert response.status_code == 302
        page = web.get(laptop.url + "/host/", timeout=10).text
        assert "1 session(s) sent, 0 already there, 1 refused" in page
        assert "✓ Sent" in page and "Refused" in page and "“LAP-ONLY”" in page

        # the central dashboard and the school's record have it, as the officer's
        record = requests.get(central.url + "/api/v1/schools/NB-0001/records", headers=admin,
                              timeout=10).json()
        assert len(record["sessions"]) == 1
        session = record["sessions"][0]
        assert (session["players"], session["presenter"]) == (3, "Officer Lan")
        board = requests.get(central.url + "/api/v1/dashboard?campaign=field", headers=admin,
                             timeout=10).json()
        assert board["totals"]["sessions"] == 1 and board["totals"]["students"] == 3
        results = requests.get(f"{central.url}/api/v1/games/{session['pin']}/results",
                               headers=admin, timeout=10).json()
        assert sorted(p["nickname"] for p in results["players"]) == [
            "Field 0", "Field 1", "Field 2"]
        assert [q["answered"] for q in results["questions"]] == [3, 3, 3]
        # the laptop keeps the figures, not the children's nicknames
        kept = requests.get(f"{laptop.url}/api/v1/games/{game['pin']}/results", headers=local,
                            timeout=10).json()
        assert kept["purged"] and kept["players"] == [] and kept["player_count"] == 3

        # ----- pushing again sends nothing twice; the refused one is refused again
        again = flask(laptop, "sync", "push")
        assert again.returncode == 1
        assert "0 session(s) sent, 0 already there, 1 refused" in again.stdout
        assert central_rows(database, "SELECT count(*) FROM game WHERE origin = 'laptop'") \
            == [(1,)]
        # the province adds the school: the next push takes it
        org(central, admin, ORG + "Ninh Bình,Phường Demo,phuong,LAP-ONLY,Trường chỉ có ở đây,"
                                  "thcs\n")
        fixed = flask(laptop, "sync", "push")
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert "1 session(s) sent, 0 already there, 0 refused, 0 failed" in fixed.stdout

        # ----- many sessions; the central server is killed in the middle of the push
        app = laptop_app(laptop, monkeypatch)
        start = utcnow() - timedelta(hours=2)
        ids = [played(app, school="NB-0001", players=BULK_PLAYERS, help_requests=2,
                      started=start + timedelta(minutes=i)) for i in range(BULK)]
        with app.app_context():
            uuids = {db.session.get(Game, i).uuid for i in ids}
        lines, accepted = [], 0
        with subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "sync", "push"],
                              cwd=ROOT, env=laptop.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) as push:
            for line in push.stdout:
                lines.append(line)
                if line.startswith("sent:"):
                    accepted += 1
                    if accepted == KILL_AFTER:  # SIGKILL, with the next session on its way
                        central.proc.kill()
                        central.proc.wait()
        assert push.returncode == 1, "".join(lines)
        output = "".join(lines)
        assert "failed" in lines[-1] and "Could not reach" in output, output
        taken = central_rows(database, "SELECT uuid FROM game WHERE origin = 'laptop'")
        in_bulk = {u for (u,) in taken} & uuids
        assert KILL_AFTER <= len(in_bulk) < BULK, "the push ended before the kill"
        with app.app_context():
            stand = {r.status for r in db.session.query(SyncPush).filter(
                SyncPush.game_id.in_(ids))}
            assert stand <= {"sent", "failed"} and "failed" in stand

        central.start()
        resumed = flask(laptop, "sync", "push", timeout=120)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        summary = resumed.stdout.strip().splitlines()[-1]
        sent, already = map(int, re.match(r"(\d+) session\(s\) sent, (\d+) already there",
                                          summary).groups())
        # the one on its way when the server died is there, or is sent now: never twice
        assert sent == BULK - len(in_bulk) and already <= 1, summary

        # every session exactly once, whole: its players and its figures
        rows = central_rows(database, "SELECT g.uuid, count(p.id), max(s.players) FROM game g "
                                      "LEFT JOIN player p ON p.game_id = g.id LEFT JOIN "
                                      "session_summary s ON s.game_id = g.id "
                                      "WHERE g.origin = 'laptop' GROUP BY g.uuid")
        assert len(rows) == BULK + 2
        by_uuid = {u: (players, figures) for u, players, figures in rows}
        assert set(by_uuid) >= uuids
        assert all(by_uuid[u] == (BULK_PLAYERS, BULK_PLAYERS) for u in uuids)
        assert central_rows(database, "SELECT uuid FROM game GROUP BY uuid HAVING count(*) > 1") \
            == []
        assert central_rows(database, "SELECT count(*) FROM help_request h JOIN game g ON "
                                      "g.id = h.game_id WHERE g.origin = 'laptop'") \
            == [(2 * BULK,)]
        with app.app_context():
            assert {r.status for r in db.session.query(SyncPush)} == {"sent"}
            assert db.session.query(Player).filter(Player.game_id.in_(ids)).count() == 0
            db.session.remove()
            db.engine.dispose()
        assert "Traceback" not in laptop.log(), laptop.log()
        assert "Traceback" not in central.log(), central.log()
    finally:
        laptop.stop()
        central.stop()


@pytest.mark.browser
def test_the_sessions_page_fits_1280_pixels(tmp_path, monkeypatch):
    """A field laptop's sessions page, with long names and a refusal's reason, does not scroll
    sideways on a 1280-pixel screen."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARGS, CHROMIUM

    laptop = ServerProcess(tmp_path / "laptop").start()
    try:
        app = laptop_app(laptop, monkeypatch)
        long_name = "Trường Trung học cơ sở và Trung học phổ thông Nguyễn Đình Chiểu Ninh Bình"
        with app.app_context():
            from quizapp.models import Quiz, School

            db.session.query(School).filter_by(code="DEMO").one().name = long_name
            db.session.query(Quiz).filter_by(slug="test-quiz").one().title = (
                "An toàn trên không gian mạng: nhận diện lừa đảo và bắt cóc trực tuyến")
            client.set_setting(client.LINK, {"url": "https://quiz.congan.ninhbinh.gov.vn",
                                             "token": "t", "user": {"id": 2}})
            db.session.commit()
        ids = [played(app) for _ in range(3)]
        with app.app_context():
            db.session.add(SyncPush(game_id=ids[0], status="refused", attempts=1, message=(
                "The central server has no school with the code “NB-THCS-000123”. Add the "
                "school there (or correct its code on the laptop), then send again.")))
            db.session.add(SyncPush(game_id=ids[1], status="sent", attempts=1))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(laptop.url + "/login?lang=en")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", ADMIN_PASSWORD)
            page.click("main form button")
            page.wait_for_url("**/host/")
            page.goto(laptop.url + "/host/?lang=en")
            assert page.locator("text=Send to the province").count() == 1
            widths = page.evaluate("""() => {
                const t = document.querySelector('.sessions-table');
                const main = document.querySelector('main').getBoundingClientRect();
                return {doc: document.documentElement.scrollWidth, view: window.innerWidth,
                        right: t.getBoundingClientRect().right, main: main.right,
                        table: t.scrollWidth, box: t.clientWidth};
            }""")
            browser.close()
        assert widths["doc"] <= widths["view"], widths
        assert widths["right"] <= widths["main"] and widths["table"] <= widths["box"], widths
    finally:
        laptop.stop()
