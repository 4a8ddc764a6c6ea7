"""School records and the retention rule: old sessions lose their children's data, not their counts."""
from __future__ import annotations

from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import Answer, Game, HelpRequest, Player

from tests.realtime.test_flow import host_for, join, wait_for


def play_one_question(sockets, game, choices):
    host, _ = host_for(sockets, game)
    players = [join(sockets, game["pin"], f"Student {i}") for i in range(len(choices))]
    host.call("host:start")
    for p, c in zip(players, choices):
        assert p.call("player:answer", {"question": 0, "choice": c})["ok"]
    players[0].call("player:help")
    host.call("host:end")
    return players


def test_purge_removes_children_data_and_keeps_counts(app, make, sockets, client):
    old = make.game()
    recent = make.game()
    play_one_question(sockets, old, [2, 2, 1])
    play_one_question(sockets, recent, [0])
    make.login(client, old["presenter_id"])
    wait_for(lambda: (lambda b: b["participants"] == 4 and len(b["sessions"]) == 2)(
        client.get("/api/v1/schools/DEMO/records").get_json()))
    before = client.get(f"/api/v1/games/{old['pin']}/results").get_json()
    with app.app_context():
        game = db.session.query(Game).filter_by(pin=old["pin"]).one()
        game.created_at -= timedelta(days=40)
        db.session.commit()
    records_before = client.get("/api/v1/schools/DEMO/records").get_json()

    result = app.test_cli_runner().invoke(args=["records", "purge", "--older-than", "30"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 session(s): 3 player(s), 3 answer(s)" in result.output

    with app.app_context():
        game = db.session.query(Game).filter_by(pin=old["pin"]).one()
        assert db.session.query(Player).filter_by(game_id=game.id).count() == 0
        assert db.session.query(Answer).filter_by(game_id=game.id).count() == 0
        assert db.session.query(HelpRequest).filter_by(game_id=game.id).count() == 0
        assert game.summary["help_requests"] == 1
        recent_game = db.session.query(Game).filter_by(pin=recent["pin"]).one()
        assert db.session.query(Player).filter_by(game_id=recent_game.id).count() == 1
    after = client.get(f"/api/v1/games/{old['pin']}/results").get_json()
    assert after["players"] == [] and after["purged"] is True
    assert after["player_count"] == 3 and after["average_score"] == before["average_score"]
    assert [q["counts"] for q in after["questions"]] == [q["counts"] for q in before["questions"]]
    assert client.get("/api/v1/schools/DEMO/records").get_json() == records_before
    page = client.get(f"/host/{old['pin']}/results").data.decode()
    assert "Student 1" not in page

    again = app.test_cli_runner().invoke(args=["records", "purge", "--older-than", "30"])
    assert "Purged 0 session(s)" in again.output
    bad = app.test_cli_runner().invoke(args=["records", "purge", "--older-than", "-1"])
    assert bad.exit_code != 0


def test_records_show_what_students_get_wrong(app, make, sockets, client):
    game = make.game()
    play_one_question(sockets, game, [2, 1, 1, 1])
    make.login(client, game["presenter_id"])
    # the figures follow the game in the background, a moment after it ends
    body = wait_for(lambda: (lambda b: b["participants"] and b["sessions"] and b)(
        client.get("/api/v1/schools/DEMO/records").get_json()))
    assert body["participants"] == 4
    assert body["sessions"][0]["players"] == 4
    assert body["questions"] == [{"question": "Which one is correct?", "answers": 4, "accuracy": 0.25}]
