"""The session record (``/host/<pin>/results`` and its API): the figures for whoever may see the
school, the players' nicknames for its presenter, the school's staff and the admin, the help
requests for the presenter and the admin only."""
from __future__ import annotations

import pytest

from tests.realtime.test_flow import host_for, join, wait_for


@pytest.fixture
def session(app, make, sockets, records):
    """A session of three players at DEMO with a help request, and a client per role."""
    game = make.game()
    host, _ = host_for(sockets, game)
    players = [join(sockets, game["pin"], name) for name in ("Cú Mèo", "Sóc Nâu", "Hổ Con")]
    assert host.call("host:start")["ok"]
    for player, choice in zip(players, (2, 1, 1)):  # right: 2
        assert player.call("player:answer", {"question": 0, "choice": choice})["ok"]
    assert players[1].call("player:help")["ok"]
    assert host.call("host:end")["ok"]
    with app.app_context():
        from quizapp.extensions import db
        from quizapp.models import School

        demo = db.session.query(School).filter_by(code="DEMO").one()
        unit_id = demo.unit_id
    users = {"owner": game["presenter_id"], "staff": make.user("staff", school="DEMO"),
             "viewer": records.user("viewer"), "admin": records.user("admin"),
             "unit_presenter": records.user("presenter", unit_id=unit_id),
             "stranger": records.user("presenter")}
    clients = {"anonymous": app.test_client()}
    for role, user_id in users.items():
        clients[role] = app.test_client()
        make.login(clients[role], user_id)
    return game, clients


SEES = {  # role: (status, nicknames shown, help shown)
    "owner": (200, True, True), "admin": (200, True, True), "staff": (200, True, False),
    "viewer": (200, False, False), "unit_presenter": (200, False, False),
    "stranger": (403, False, False),
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_who_sees_what_of_a_session(session, role):
    game, clients = session
    status, nicknames, help_shown = SEES[role]
    page = clients[role].get(f"/host/{game['pin']}/results")
    assert page.status_code == status
    api = clients[role].get(f"/api/v1/games/{game['pin']}/results")
    assert api.status_code == status
    if status != 200:
        return
    html = page.get_data(as_text=True)
    listed = [p["nickname"] for p in api.get_json()["players"]]
    assert ("Cú Mèo" in html) is nicknames and ("Cú Mèo" in listed) is nicknames
    assert ('id="help-requests"' in html) is help_shown
    assert api.get_json().get("players_hidden", False) is not nicknames


def test_the_record_has_the_figures(session):
    game, clients = session
    clients["owner"].get("/lang/en")  # the words below are the English ones
    html = clients["owner"].get(f"/host/{game['pin']}/results").get_data(as_text=True)
    assert "Session record" in html and "Median score" in html
    assert "Most missed" in html and "1 of 3 right" in html  # only Cú Mèo chose "Two"
    body = clients["owner"].get(f"/api/v1/games/{game['pin']}/results").get_json()
    scores = sorted(p["score"] for p in body["players"])
    assert body["median_score"] == scores[1] and body["most_missed"] == [0]
    assert clients["anonymous"].get(f"/host/{game['pin']}/results").status_code == 302


def test_most_missed_leaves_out_polls_checks_and_questions_all_got_right():
    from quizapp.services.games import most_missed

    q = lambda i, right, n, **kw: {"index": i, "type": kw.get("type", "single"),  # noqa: E731
                                   "answered": n, "correct_answers": right, **kw}
    questions = [q(0, 3, 3), q(1, 1, 4), q(2, 0, 0), q(3, 0, 5, type="poll"),
                 q(4, 0, 5, part="before"), q(5, 1, 2), q(6, 2, 8), q(7, 1, 4)]
    assert most_missed(questions) == [6, 1, 7]
