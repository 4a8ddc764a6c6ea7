"""Team mode and the session's timing over Socket.IO test clients: teams joining with their
pupils (and every malformed count refused), what the presenter's screens and the results say,
the pupils the records count, the discussion time before answers open (kept across a rebuild
of the game), time limits multiplied and questions without a timer; the API and the form that
open such sessions."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Game as GameRow
from quizapp.models import Player, SessionSummary
from quizapp.realtime.live import LiveGame, live_games
from quizapp.records.summaries import summarize

from .test_flow import host_for, join, wait_for


def team(sockets, pin, name, members, **extra):
    return join(sockets, pin, name, members=members, **extra)


def english(app):
    """A browser that chose English: its pages, and the messages of its connections."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def shift_clock(app, pin, seconds):
    """Move the live game's clock ``seconds`` ahead (as if that much time had passed)."""
    live = live_games(app).get(pin)
    live.clock = lambda: time.monotonic() + seconds
    return live


# ----- joining as a team ----------------------------------------------------------------------

def test_teams_join_with_their_pupils_and_the_lobby_counts_both(app, make, sockets):
    game = make.game(team_mode=True)
    pin = game["pin"]
    host, state = host_for(sockets, game)
    assert state["team_mode"] is True and state["pupils"] == 0
    ack = sockets(pin).call("player:join", {"pin": pin, "nickname": "Đội Sao Biển",
                                            "members": 3})
    assert ack["ok"] and ack["members"] == 3 and ack["nickname"] == "Đội Sao Biển"
    assert ack["state"]["team_mode"] is True and ack["state"]["members"] == 3
    team(sockets, pin, "Đội Cá Heo", 4)
    team(sockets, pin, "Đội Hải Đăng", 1)
    lobby = wait_for(lambda: [m for m in host.received("lobby:update") if m["count"] == 3])[-1]
    assert lobby["pupils"] == 8
    assert [(p["nickname"], p["members"]) for p in lobby["players"]] == [
        ("Đội Sao Biển", 3), ("Đội Cá Heo", 4), ("Đội Hải Đăng", 1)]
    state = host.call("host:join", {"pin": pin})["state"]
    assert state["pupils"] == 8 and state["count"] == 3
    with app.app_context():
        stored = {p.nickname: p.members for p in db.session.query(Player)}
    assert stored == {"Đội Sao Biển": 3, "Đội Cá Heo": 4, "Đội Hải Đăng": 1}


@pytest.mark.parametrize("members", [0, 7, -3, 2**63, 2.5, 3.0, "3", "", True, False, [3],
                                     {"n": 3}])
def test_a_malformed_count_of_pupils_is_refused_and_nothing_is_stored(app, make, sockets,
                                                                      members):
    game = make.game(team_mode=True)
    s = sockets(game["pin"], flask_client=english(app))
    ack = s.call("player:join", {"pin": game["pin"], "nickname": "Đội Sao Biển",
                                 "members": members})
    assert ack["ok"] is False and ack["error"] == "members_invalid"
    assert "1 to 6" in ack["message"]
    with app.app_context():
        assert db.session.query(Player).count() == 0
    # the phone may try again, with the same name
    again = s.call("player:join", {"pin": game["pin"], "nickname": "Đội Sao Biển", "members": 6})
    assert again["ok"] and again["members"] == 6


def test_a_team_that_sends_no_count_is_one_pupil(app, make, sockets):
    game = make.game(team_mode=True)
    ack = sockets(game["pin"]).call("player:join", {"pin": game["pin"], "nickname": "Đội Một"})
    assert ack["ok"] and ack["members"] == 1


@pytest.mark.parametrize("members", [5, 0, "lots", None, [1], {"a": 1}, 10**30])
def test_without_team_mode_the_count_is_ignored(app, make, sockets, members):
    game = make.game()
    host, _ = host_for(sockets, game)
    ack = sockets(game["pin"]).call("player:join", {"pin": game["pin"], "nickname": "Cú Mèo",
                                                    "members": members})
    assert ack["ok"] and "members" not in ack and "team_mode" not in ack["state"]
    with app.app_context():
        assert db.session.query(Player).one().members == 1
    lobby = wait_for(lambda: host.received("lobby:update"))[-1]
    assert "pupils" not in lobby and "members" not in lobby["players"][0]


def test_team_names_follow_the_nickname_rules(app, make, sockets):
    game = make.game(team_mode=True)
    pin = game["pin"]
    team(sockets, pin, "Đội Sao Biển", 2)
    taken = sockets(pin).call("player:join", {"pin": pin, "nickname": "doi sao bien",
                                              "members": 2})
    assert taken["error"] == "nickname_taken"
    markup = sockets(pin).call("player:join", {"pin": pin, "nickname": "<b>Đội</b>",
                                               "members": 2})
    assert markup["error"] == "nickname_invalid"


def test_resume_keeps_the_team_and_its_pupils(app, make, sockets):
    game = make.game(team_mode=True)
    pin = game["pin"]
    phone = team(sockets, pin, "Đội Cánh Diều", 5)
    phone.disconnect()
    back = sockets(pin).call("player:resume", {"pin": pin, "token": phone.token})
    assert back["ok"] and back["nickname"] == "Đội Cánh Diều" and back["members"] == 5
    assert back["state"]["members"] == 5
    with app.app_context():  # and after the process restarts: rebuilt from the database
        rebuilt = LiveGame.from_row(app, db.session.query(GameRow).filter_by(pin=pin).one())
    assert rebuilt.engine.players[phone.player_id].members == 5
    assert rebuilt.engine.pupil_count == 5


def test_results_and_records_count_every_pupil(app, make, sockets, client):
    game = make.game(team_mode=True)
    pin = game["pin"]
    host, _ = host_for(sockets, game)
    teams = [team(sockets, pin, name, n) for name, n in
             (("Đội Sao Biển", 3), ("Đội Cá Heo", 4), ("Đội Hải Đăng", 2))]
    gone = team(sockets, pin, "Đội Về Sớm", 6)
    assert host.call("host:kick", {"player_id": gone.player_id})["ok"]  # removed: not counted
    host.call("host:start")
    for s, choice in zip(teams, (2, 2, 1)):
        assert s.call("player:answer", {"question": 0, "choice": choice})["ok"]
    wait_for(lambda: host.received("question:reveal"))
    assert host.call("host:next")["phase"] == "leaderboard"
    board = host.received("leaderboard")[-1]
    assert {r["nickname"]: r["members"] for r in board["top"]} == {
        "Đội Sao Biển": 3, "Đội Cá Heo": 4, "Đội Hải Đăng": 2}
    assert host.call("host:end")["ok"]
    over = host.received("game:over")[-1]
    assert over["players"] == 3 and over["pupils"] == 9
    assert all("members" in p for p in over["podium"])

    make.login(client, game["presenter_id"])
    body = client.get(f"/api/v1/games/{pin}/results").get_json()
    assert {p["nickname"]: p["members"] for p in body["players"]} == {
        "Đội Sao Biển": 3, "Đội Cá Heo": 4, "Đội Hải Đăng": 2}
    assert body["team_mode"] is True and body["pupils"] == 9 and body["player_count"] == 3
    with app.app_context():
        row = db.session.query(GameRow).filter_by(pin=pin).one()
        summary = summarize(row)
        members = [p.members for p in db.session.query(Player).filter_by(active=True)]
        assert summary.students == sum(members) == 9
        assert (summary.players, summary.teams, summary.team_students) == (3, 3, 9)
    client.set_cookie("lang", "en")
    page = client.get(f"/host/{pin}/results").get_data(as_text=True)
    assert "Pupils reached" in page
    rows = re.findall(r'<td class="num members">(\d)</td>', page)
    assert sorted(rows) == ["2", "3", "4"]


def test_players_without_teams_count_one_pupil_each(app, make, sockets, client):
    game = make.game()
    pin = game["pin"]
    for name in ("An", "Bình"):
        join(sockets, pin, name)
    make.login(client, game["presenter_id"])
    body = client.get(f"/api/v1/games/{pin}/results").get_json()
    assert [p["members"] for p in body["players"]] == [1, 1]
    assert body["team_mode"] is False and body["pupils"] == 2
    with app.app_context():
        summary = summarize(db.session.query(GameRow).filter_by(pin=pin).one())
        assert (summary.students, summary.teams) == (2, 0)


# ----- the discussion --------------------------------------------------------------------------

def test_answers_open_only_after_the_discussion(app, make, sockets):
    game = make.game(team_mode=True, discussion=10)
    pin = game["pin"]
    host, _ = host_for(sockets, game)
    phone = sockets(pin, flask_client=english(app))
    ack = phone.call("player:join", {"pin": pin, "nickname": "Đội Sao Biển", "members": 3})
    phone.player_id, phone.token = ack["player_id"], ack["token"]
    other = team(sockets, pin, "Đội Cá Heo", 2)
    assert host.call("host:start")["ok"]
    start = phone.received("question:start")[-1]
    assert start["discussion"] == 10 and start["time_limit"] == 20 and start["time_left"] == 20
    assert host.received("question:start")[-1]["discussion"] == 10
    early = phone.call("player:answer", {"question": 0, "choice": 2})
    assert early["ok"] is False and early["error"] == "not_accepting"
    assert early["message"] == "Talk it over first: answers open when the discussion time ends."
    state = phone.call("player:resume", {"pin": pin, "token": phone.token})["state"]
    assert 9 < state["question"]["discussion_left"] <= 10
    assert state["question"]["time_left"] == 20  # the countdown has not started
    assert state["answered"] is None

    live = shift_clock(app, pin, 10.5)  # the discussion is over
    state = phone.call("player:resume", {"pin": pin, "token": phone.token})["state"]
    assert state["question"]["discussion_left"] == 0 and 19 < state["question"]["time_left"] < 20
    assert phone.call("player:answer", {"question": 0, "choice": 2})["ok"]
    answer = live.engine.players[phone.player_id].answers[0]
    assert answer.elapsed < 1.5 and answer.points > 900  # timed from when answers opened
    assert other.call("player:answer", {"question": 0, "choice": 1})["ok"]
    reveal = wait_for(lambda: host.received("question:reveal"))[-1]  # everyone answered
    assert reveal["counts"] == [0, 1, 1, 0]


def test_a_game_rebuilt_during_the_discussion_keeps_it(app, make, sockets):
    """The process restarts three seconds into a question with 15 s of discussion: the game
    rebuilt from the database still holds answers back for the 12 s left."""
    game = make.game(discussion=15)
    pin = game["pin"]
    host, _ = host_for(sockets, game)
    phone = join(sockets, pin, "Cú Mèo")
    host.call("host:start")
    with app.app_context():
        row = db.session.query(GameRow).filter_by(pin=pin).one()
        row.question_opened_at -= timedelta(seconds=3)
        db.session.commit()
        rebuilt = LiveGame.from_row(app, db.session.query(GameRow).filter_by(pin=pin).one())
    view = rebuilt._question_view()
    assert 11 < view["discussion_left"] <= 12.1 and view["time_left"] == 20
    assert view["discussion"] == 15
    now = rebuilt.clock()
    assert rebuilt.engine.not_accepting_reason(0, now) == "discussion"
    assert rebuilt.engine.not_accepting_reason(0, now + 12.5) is None
    assert phone.player_id in rebuilt.engine.players


# ----- time for a class that needs it ---------------------------------------------------------

def test_time_limits_are_multiplied(app, make, sockets):
    game = make.game(time_factor=1.5)
    pin = game["pin"]
    host, _ = host_for(sockets, game)
    phone = join(sockets, pin, "Cú Mèo")
    host.call("host:start")
    start = phone.received("question:start")[-1]
    assert start["time_limit"] == 30 and start["time_left"] == 30 and "no_timer" not in start
    live = shift_clock(app, pin, 30.5)  # past the quiz's own 20 s, inside the session's 30 s
    assert phone.call("player:answer", {"question": 0, "choice": 2})["ok"]
    assert live.engine.players[phone.player_id].answers[0].points < 1000


def test_without_a_timer_the_question_waits_for_the_presenter(app, make, sockets, tmp_path):
    make.quiz_file(tmp_path / "questions", "short", [
        {"type": "single", "text": "quick?", "choices": ["a", "b"], "correct": [0],
         "time_limit": 5, "explanation": "a"}])
    game = make.game(quiz="short", no_timer=True)
    pin = game["pin"]
    host, _ = host_for(sockets, game)
    slow = join(sockets, pin, "Slow")
    join(sockets, pin, "Silent")
    host.call("host:start")
    start = slow.received("question:start")[-1]
    assert start["no_timer"] is True and start["time_left"] is None
    state = slow.call("player:resume", {"pin": pin, "token": slow.token})["state"]
    assert state["question"]["time_left"] is None
    time.sleep(6.5)  # longer than the question's 5 s and its grace: nothing closes it
    assert slow.received("question:reveal") == []
    shift_clock(app, pin, 3600)  # an hour later, it still takes answers, and scores in full
    assert slow.call("player:answer", {"question": 0, "choice": 0})["ok"]
    assert host.call("host:reveal")["ok"]
    result = wait_for(lambda: slow.received("player:result"))[-1]
    assert result["correct"] is True and result["points"] == 1000


# ----- opening such a session -----------------------------------------------------------------

def test_the_api_opens_sessions_with_teams_and_timing(app, make, client):
    presenter = make.user()
    make.login(client, presenter)
    options = {"team_mode": True, "discussion": 15, "time_factor": 2, "no_timer": True}
    response = client.post("/api/v1/games", json={"quiz": "test-quiz", "school": "DEMO",
                                                  "options": options})
    assert response.status_code == 201, response.data
    state = client.get(f"/api/v1/games/{response.get_json()['pin']}").get_json()
    assert state["options"] == {"speed_scoring": True, "leaderboard_every": 1,
                                "late_join": True, **options}


@pytest.mark.parametrize("options", [{"team_mode": "yes"}, {"team_mode": 1},
                                     {"discussion": 5}, {"discussion": "10"},
                                     {"discussion": True}, {"discussion": 10.0},
                                     {"time_factor": 3}, {"time_factor": "2"},
                                     {"time_factor": True}, {"no_timer": None},
                                     {"discussion": -10}])
def test_the_api_refuses_bad_team_and_timing_options(app, make, client, options):
    make.login(client, make.user())
    response = client.post("/api/v1/games", json={"quiz": "test-quiz", "school": "DEMO",
                                                  "options": options})
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and body["message"]
    with app.app_context():
        assert db.session.query(GameRow).count() == 0


@pytest.mark.parametrize("fields, expected", [
    ({"team_mode": "y"}, {"team_mode": True, "discussion": 10}),
    ({"team_mode": "y", "discussion": "0"}, {"team_mode": True}),
    ({"discussion": "auto"}, {}),
    ({"discussion": "20", "time_factor": "1.5"}, {"discussion": 20, "time_factor": 1.5}),
    ({"time_factor": "2", "no_timer": "y"}, {"time_factor": 2, "no_timer": True}),
])
def test_the_new_session_form(app, make, client, fields, expected):
    make.login(client, make.user())
    client.set_cookie("lang", "en")
    page = client.get("/host/new").get_data(as_text=True)
    assert "Teams share phones" in page and 'name="discussion"' in page
    response = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO",
                                              "leaderboard_every": "1", **fields})
    assert response.status_code == 302, response.data
    pin = re.search(r"/host/(\d{6})", response.headers["Location"]).group(1)
    with app.app_context():
        stored = db.session.query(GameRow).filter_by(pin=pin).one().options
    new = {k: v for k, v in stored.items()
           if k in ("team_mode", "discussion", "time_factor", "no_timer")}
    assert new == expected


def test_the_team_pages(app, make, client):
    client.set_cookie("lang", "en")
    game = make.game(team_mode=True, discussion=10)
    phone = client.get(f"/play/{game['pin']}").get_data(as_text=True)
    assert 'id="members"' in phone and "Your team's name" in phone
    assert 'id="team-names"' in phone
    plain = make.game()
    page = client.get(f"/play/{plain['pin']}").get_data(as_text=True)
    assert 'id="members"' not in page and "Your nickname" in page
    make.login(client, game["presenter_id"])
    projector = client.get(f"/host/{game['pin']}").get_data(as_text=True)
    assert 'id="pupils"' in projector and "teams joined" in projector
    assert "Team leaderboard" in projector
