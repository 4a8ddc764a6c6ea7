"""The quiz editor (``/quizzes``): who sees and changes which quiz, saving with every problem
listed by question and field, ids that follow a question, copies and translations, deleting,
publishing, the preview, and each question's accuracy from the records."""
from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from flask import url_for
from sqlalchemy import event, select

from quizapp.extensions import db
from quizapp.models import Game, Quiz, School, SessionQuestion, SessionSummary, User
from quizapp.records.summaries import question_key
from quizapp.services import quizzes as policy
from quizapp.web.editor import accuracy


def payload(title="Người lạ trên mạng", **changes) -> dict:
    """A valid quiz as the editor sends it: a chat scenario, a single choice, a poll."""
    quiz = {
        "title": title, "language": "vi", "level": "thcs", "kind": "quiz",
        "description": "Cách người lạ làm quen trên mạng.",
        "questions": [
            {"type": "chat", "text": "Em nên làm gì?",
             "choices": ["Gửi ảnh", "Chặn và báo người lớn"],
             "correct": [1], "time_limit": 20, "points": 1000, "topic": "grooming",
             "explanation": "Không gửi ảnh cho người lạ.",
             "chat": [{"from": "Anh Tuấn", "text": "Gửi anh ảnh của em nhé", "mine": False},
                      {"from": "Bạn", "text": "Để làm gì ạ?", "mine": True}]},
            {"type": "single", "text": "Số nào là đường dây nóng bảo vệ trẻ em?",
             "choices": ["111", "113", "114", "115", ""], "correct": [0], "time_limit": 20,
             "points": 1000, "topic": "getting_help", "explanation": "Gọi 111."},
            {"type": "poll", "text": "Em đã từng gặp người lạ trên mạng chưa?",
             "choices": ["Rồi", "Chưa"], "correct": [], "time_limit": 15, "points": 0},
        ],
    }
    quiz.update(changes)
    return {"quiz": quiz}


def signed_in(app, make, role="presenter"):
    user_id = make.user(role)
    client = app.test_client()
    make.login(client, user_id)
    client.get("/lang/en")
    return client, user_id


def page_json(page: str, script_id: str):
    """The JSON a page hands its script in ``<script id=... type="application/json">``."""
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', page,
                      re.S)
    return json.loads(found.group(1))


def demo_school(app) -> int:
    with app.app_context():
        return db.session.scalar(select(School.id).where(School.code == "DEMO"))


def create(client, body=None) -> dict:
    response = client.post("/quizzes/save", json=body or payload())
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def stored(app, slug) -> Quiz:
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
        if quiz is not None:
            db.session.expunge(quiz)
        return quiz


def test_only_presenters_and_admins_reach_the_editor(app, make):
    anonymous = app.test_client()
    assert anonymous.get("/quizzes/").status_code == 302
    assert anonymous.get("/quizzes/new").status_code == 302
    assert anonymous.post("/quizzes/save", json=payload()).status_code == 401
    staff = app.test_client()
    make.login(staff, make.user("staff", school="DEMO"))
    assert staff.get("/quizzes/").status_code == 403
    assert staff.get("/quizzes/test-quiz/preview").status_code == 403
    response = staff.post("/quizzes/save", json=payload())
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    presenter, _ = signed_in(app, make)
    page = presenter.get("/quizzes/")
    assert page.status_code == 200
    assert b"Test quiz" in page.data and b"New quiz" in page.data
    assert b'href="/quizzes/"' in presenter.get("/host/").data  # in the navigation
    assert b'href="/quizzes/"' not in staff.get("/records/").data


def test_a_new_quiz_is_its_authors_draft_and_nobody_elses(app, make):
    author, author_id = signed_in(app, make)
    body = create(author)
    assert body["slug"] == "nguoi-la-tren-mang" and body["status"] == "draft"
    assert body["edit_url"] == "/quizzes/nguoi-la-tren-mang/edit"
    quiz = stored(app, "nguoi-la-tren-mang")
    assert (quiz.origin, quiz.status, quiz.owner_id) == ("editor", "draft", author_id)
    assert quiz.title == "Người lạ trên mạng" and quiz.level == "thcs"
    ids = [q["id"] for q in quiz.questions]
    assert all(re.fullmatch(r"nguoi-la-tren-mang-[0-9a-f]{6}", i) for i in ids), ids
    assert len(set(ids)) == 3 and [q["id"] for q in body["quiz"]["questions"]] == ids
    chat = quiz.questions[0]["chat"]
    assert [(m["from"], m["mine"]) for m in chat] == [("Anh Tuấn", False), ("Bạn", True)]
    assert quiz.questions[1]["choices"] == ["111", "113", "114", "115"]  # the empty slot dropped
    assert quiz.questions[2]["type"] == "poll" and quiz.questions[2]["points"] == 0

    # a second quiz with the same title gets its own slug
    assert create(author)["slug"] == "nguoi-la-tren-mang-2"
    listing = author.get("/quizzes/").get_data(as_text=True)
    assert re.findall(r'data-slug="(nguoi-la[^"]*)"', listing) == ["nguoi-la-tren-mang-2",
                                                                   "nguoi-la-tren-mang"]
    assert "Draft" in listing

    # another presenter: as if it were not there
    other, _ = signed_in(app, make)
    assert "Người lạ trên mạng" not in other.get("/quizzes/").get_data(as_text=True)
    assert other.get("/quizzes/nguoi-la-tren-mang/edit").status_code == 404
    assert other.get("/quizzes/nguoi-la-tren-mang/preview").status_code == 404
    assert other.post("/quizzes/nguoi-la-tren-mang/save", json=payload()).status_code == 404
    assert other.post("/quizzes/nguoi-la-tren-mang/duplicate").status_code == 404
    assert other.post("/quizzes/nguoi-la-tren-mang/delete").status_code == 404
    # an admin sees every draft, with its owner
    admin, _ = signed_in(app, make, "admin")
    page = admin.get("/quizzes/").get_data(as_text=True)
    with app.app_context():
        owner = db.session.get(User, author_id).name
    assert "Người lạ trên mạng" in page and f"by {owner}" in page
    assert admin.get("/quizzes/nguoi-la-tren-mang/edit").status_code == 200


def test_a_save_with_problems_lists_each_by_question_and_field_and_stores_nothing(app, make):
    author, _ = signed_in(app, make)
    bad = payload(title="  ")
    questions = bad["quiz"]["questions"]
    questions[0]["chat"][1]["text"] = ""
    questions[0]["time_limit"] = 200
    questions[1]["choices"] = ["111", "", "114"]
    questions[1]["correct"] = []
    questions[2]["correct"] = [1]
    questions[2]["topic"] = "nope"
    response = author.post("/quizzes/save", json=bad)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_quiz" and body["message"].startswith("7 problem(s)")
    found = {(p["question"], p["field"]) for p in body["problems"]}
    assert found == {(None, "title"), (1, "chat.2.text"), (1, "time_limit"), (2, "choices.2"),
                     (2, "correct"), (3, "correct"), (3, "topic")}, body["problems"]
    messages = {(p["question"], p["field"]): p["message"] for p in body["problems"]}
    assert messages[(None, "title")] == "The quiz needs a title."
    assert messages[(3, "correct")] == "A poll has no right answer."
    with app.app_context():
        assert db.session.scalar(select(Quiz).where(Quiz.origin == "editor")) is None

    # an existing quiz saved with problems stays as it was
    slug = create(author)["slug"]
    before = stored(app, slug).questions
    questions = payload()["quiz"]["questions"]
    questions[1]["text"] = ""
    response = author.post(f"/quizzes/{slug}/save", json=payload(questions=questions))
    assert response.status_code == 422
    assert [(p["question"], p["field"]) for p in response.get_json()["problems"]] == [(2, "text")]
    assert stored(app, slug).questions == before
    # not a quiz at all
    assert author.post(f"/quizzes/{slug}/save", data="nope",
                       content_type="application/json").status_code == 400
    assert author.post(f"/quizzes/{slug}/save", json={"quiz": []}).status_code == 400


def test_saving_again_keeps_the_ids_through_edits_and_reordering(app, make):
    author, _ = signed_in(app, make)
    body = create(author)
    slug, sent = body["slug"], body["quiz"]["questions"]
    ids = [q["id"] for q in sent]
    # reversed, the chat's text changed, a new question without an id, and a copy of the poll
    # that kept the poll's id (as a careless client might send it)
    edited = [dict(q) for q in reversed(sent)]
    edited[2]["text"] = "Bây giờ em làm gì?"
    new = {"type": "truefalse", "text": "Công an thật không gọi video để hỏi cung.",
           "choices": ["Đúng", "Sai"], "correct": [0]}
    edited += [new, dict(sent[2])]
    response = author.post(f"/quizzes/{slug}/save", json=payload(questions=edited))
    assert response.status_code == 200, response.get_json()
    quiz = stored(app, slug)
    now = [q["id"] for q in quiz.questions]
    assert now[:3] == list(reversed(ids))
    assert quiz.questions[2]["text"] == "Bây giờ em làm gì?"
    assert now[3] not in ids and now[4] not in ids and len(set(now)) == 5
    assert [q["id"] for q in response.get_json()["quiz"]["questions"]] == now
    assert quiz.questions[3]["time_limit"] == 20 and quiz.questions[3]["points"] == 1000

    # a chat's messages are sent only with a chat scenario: switching the type drops them
    edited = response.get_json()["quiz"]["questions"]
    edited[2]["type"] = "single"
    assert author.post(f"/quizzes/{slug}/save", json=payload(questions=edited)).status_code == 200
    assert "chat" not in stored(app, slug).questions[2]


def test_a_picture_must_be_on_the_server(app, make):
    author, _ = signed_in(app, make)
    questions = payload()["quiz"]["questions"]
    questions[1]["image"] = "0" * 32 + ".webp"
    questions[2]["image"] = "../../secret_key"
    response = author.post("/quizzes/save", json=payload(questions=questions))
    assert response.status_code == 422
    found = [(p["question"], p["field"]) for p in response.get_json()["problems"]]
    assert found == [(3, "image"), (2, "image")]


def test_copies_get_new_ids_and_translations_keep_them(app, make):
    presenter, presenter_id = signed_in(app, make)
    response = presenter.post("/quizzes/test-quiz/duplicate")
    assert response.status_code == 302
    copy_slug = response.headers["Location"].split("/")[-2]
    copy, bank = stored(app, copy_slug), stored(app, "test-quiz")
    assert copy.title == "Test quiz (copy)" and copy_slug == "test-quiz-copy"
    assert (copy.origin, copy.status, copy.owner_id) == ("editor", "draft", presenter_id)
    assert [q["text"] for q in copy.questions] == [q["text"] for q in bank.questions]
    bank_keys = {question_key(q) for q in bank.questions}
    assert all(q["id"].startswith("test-quiz-copy-") and q["id"] not in bank_keys
               for q in copy.questions)
    assert copy.translation_of is None and copy.language == "en"
    assert "Copied" in presenter.get(response.headers["Location"]).get_data(as_text=True)

    response = presenter.post("/quizzes/test-quiz/duplicate", data={"translate": "1"})
    translation = stored(app, response.headers["Location"].split("/")[-2])
    assert translation.title == "Test quiz (translation)" and translation.language == "vi"
    assert translation.translation_of == "test-quiz"
    # the bank's questions have no ids: the translation's are their keys in the records
    assert [q["id"] for q in translation.questions] == [question_key(q) for q in bank.questions]

    # a copy of a copy is a new set of questions again
    response = presenter.post(f"/quizzes/{copy_slug}/duplicate")
    again = stored(app, response.headers["Location"].split("/")[-2])
    assert again.title == "Test quiz (copy) (copy)"
    assert not {q["id"] for q in again.questions} & {q["id"] for q in copy.questions}


def test_deleting_a_draft(app, make):
    author, author_id = signed_in(app, make)
    slug = create(author)["slug"]
    admin, _ = signed_in(app, make, "admin")
    # the owner deletes their draft
    response = author.post(f"/quizzes/{slug}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/quizzes/"
    assert stored(app, slug) is None
    assert "Deleted" in author.get("/quizzes/").get_data(as_text=True)
    # never a quiz of the bank, nor a published one
    assert author.post("/quizzes/test-quiz/delete").status_code == 403
    assert admin.post("/quizzes/test-quiz/delete").status_code == 403
    slug = create(author)["slug"]
    assert admin.post(f"/quizzes/{slug}/status", data={"status": "published"}).status_code == 302
    assert admin.post(f"/quizzes/{slug}/delete").status_code == 403
    assert author.post(f"/quizzes/{slug}/delete").status_code == 403
    # a draft played in a session stays: its record needs it
    admin.post(f"/quizzes/{slug}/status", data={"status": "draft"})
    make.game(presenter_id=author_id, quiz=slug)
    response = author.post(f"/quizzes/{slug}/delete", data={"next": f"/quizzes/{slug}/edit"})
    assert response.headers["Location"] == f"/quizzes/{slug}/edit"
    assert stored(app, slug) is not None
    assert "its record needs it" in author.get("/quizzes/").get_data(as_text=True)


def test_only_an_admin_publishes_and_a_presenter_never_edits_a_published_quiz(app, make):
    author, author_id = signed_in(app, make)
    other, other_id = signed_in(app, make)
    admin, _ = signed_in(app, make, "admin")
    slug = create(author)["slug"]
    assert author.post(f"/quizzes/{slug}/status", data={"status": "published"}).status_code == 403
    assert admin.post("/quizzes/test-quiz/status", data={"status": "draft"}).status_code == 403
    assert admin.post(f"/quizzes/{slug}/status", data={"status": "nope"}).status_code == 400
    assert stored(app, slug).status == "draft"
    response = admin.post(f"/quizzes/{slug}/status",
                          data={"status": "published", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/quizzes/"
    assert stored(app, slug).status == "published"
    with app.app_context():
        assert policy.find(db.session.get(User, other_id), slug) is not None  # in the bank

    # the author now duplicates it to change it
    page = author.get(f"/quizzes/{slug}/edit")
    assert page.status_code == 403
    assert "Duplicate" in page.get_data(as_text=True)
    response = author.post(f"/quizzes/{slug}/save", json=payload(title="Changed"))
    assert response.status_code == 403 and "duplicate it" in response.get_json()["message"]
    assert stored(app, slug).title == "Người lạ trên mạng"
    listing = other.get("/quizzes/").get_data(as_text=True)
    assert f'/quizzes/{slug}/edit"' not in listing and f"/quizzes/{slug}/preview" in listing
    # an admin changes it, and moves it back to its owner's drafts
    assert admin.get(f"/quizzes/{slug}/edit").status_code == 200
    assert admin.post(f"/quizzes/{slug}/save", json=payload(title="Changed")).status_code == 200
    assert stored(app, slug).title == "Changed" and stored(app, slug).owner_id == author_id
    admin.post(f"/quizzes/{slug}/status", data={"status": "draft"})
    assert author.get(f"/quizzes/{slug}/edit").status_code == 200
    assert other.get(f"/quizzes/{slug}/edit").status_code == 404

    # the bank's own files: duplicated, never edited, not even by an admin
    assert admin.get("/quizzes/test-quiz/edit").status_code == 403
    assert admin.post("/quizzes/test-quiz/save", json=payload()).status_code == 403


def test_editing_a_published_quiz_leaves_a_held_session_and_its_record_alone(app, make, records):
    author, author_id = signed_in(app, make)
    admin, _ = signed_in(app, make, "admin")
    body = create(author)
    slug = body["slug"]
    admin.post(f"/quizzes/{slug}/status", data={"status": "published"})
    school_id = demo_school(app)
    game_id = records.session(school_id, author_id, datetime(2025, 10, 2, 3), quiz=slug,
                              players=[("Cú Mèo", 900, {0: ([1], True), 1: ([2], False)}),
                                       ("Cá Heo", 800, {0: ([1], True), 1: ([0], True)})])
    with app.app_context():
        game = db.session.get(Game, game_id)
        questions_then = json.loads(json.dumps(game.questions))
        record_then = [(r.position, r.key, r.text, r.answered, r.correct) for r in
                       db.session.scalars(select(SessionQuestion)
                                          .where(SessionQuestion.game_id == game_id)
                                          .order_by(SessionQuestion.position))]
        summary_then = db.session.get(SessionSummary, game_id).correct_answers

    edited = body["quiz"]["questions"][:2]
    edited[0]["text"] = "Một câu hỏi khác hẳn"
    edited[1]["choices"] = ["113", "111"]
    edited[1]["correct"] = [1]
    response = admin.post(f"/quizzes/{slug}/save", json=payload(questions=edited))
    assert response.status_code == 200
    assert stored(app, slug).questions[0]["text"] == "Một câu hỏi khác hẳn"
    with app.app_context():
        game = db.session.get(Game, game_id)
        assert game.questions == questions_then and len(game.questions) == 3
        assert [(r.position, r.key, r.text, r.answered, r.correct) for r in
                db.session.scalars(select(SessionQuestion)
                                   .where(SessionQuestion.game_id == game_id)
                                   .order_by(SessionQuestion.position))] == record_then
        assert db.session.get(SessionSummary, game_id).correct_answers == summary_then == 3
    assert author.get(f"/host/{game.pin}/results").status_code == 200


def test_each_questions_accuracy_in_one_query(app, make, records):
    author, author_id = signed_in(app, make)
    body = create(author)
    slug = body["slug"]
    chat_id, single_id, poll_id = (q["id"] for q in body["quiz"]["questions"])
    school_id = demo_school(app)
    games = [records.session(school_id, author_id, datetime(2025, 10, d, 3), quiz=slug)
             for d in (1, 2, 3)]
    # the figures, by hand: the chat scenario 7/10 + 11/30 = 18/40 (weak), the single choice
    # 4/4 (a knowledge check's 0/50 of the same key does not count), the poll none at all
    figures = {(games[0], 0): (10, 7, ""), (games[1], 0): (30, 11, ""),
               (games[0], 1): (4, 4, ""), (games[1], 1): (50, 0, "before"),
               (games[2], 0): (0, 0, ""), (games[0], 2): (25, 0, "")}
    with app.app_context():
        for row in db.session.scalars(select(SessionQuestion)):
            answered, correct, part = figures.get((row.game_id, row.position), (0, 0, ""))
            row.answered, row.correct, row.part = answered, correct, part
        db.session.add(SessionQuestion(game_id=games[2], position=9, key="someone-else", text="x",
                                       answered=100, correct=100, day=datetime(2025, 10, 3)))
        db.session.commit()
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            numbers = accuracy(quiz)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert set(numbers) == {chat_id, single_id}
    assert (numbers[chat_id]["answered"], numbers[chat_id]["correct"]) == (40, 18)
    assert numbers[chat_id]["share"] == 0.45 and numbers[chat_id]["weak"] is True
    assert numbers[single_id]["share"] == 1.0 and numbers[single_id]["weak"] is False
    page = author.get(f"/quizzes/{slug}/edit").get_data(as_text=True)
    config = page_json(page, "editor-config")
    assert config["accuracy"][chat_id]["label"] == "45% of 40 pupils right"
    assert config["accuracy"][single_id]["label"] == "100% of 4 pupils right"
    assert poll_id not in config["accuracy"]


def test_the_editor_page_holds_the_quiz_and_the_preview_plays_it(app, make):
    author, _ = signed_in(app, make)
    body = create(author)
    slug = body["slug"]
    page = author.get(f"/quizzes/{slug}/edit").get_data(as_text=True)
    config = page_json(page, "editor-config")
    assert config["slug"] == slug and config["save_url"] == f"/quizzes/{slug}/save"
    assert config["quiz"]["questions"] == body["quiz"]["questions"]
    assert ["grooming", "Grooming: how strangers win trust"] in config["topics"]
    assert config["run_url"] == "/host/new?quiz=__slug__"
    # user input is escaped inside the page's JSON
    questions = body["quiz"]["questions"]
    questions[1]["text"] = "</script><script>alert(1)</script>"
    author.post(f"/quizzes/{slug}/save", json=payload(questions=questions))
    page = author.get(f"/quizzes/{slug}/edit").get_data(as_text=True)
    assert "</script><script>alert(1)" not in page
    preview = author.get(f"/quizzes/{slug}/preview").get_data(as_text=True)
    assert "</script><script>alert(1)" not in preview
    shown = page_json(preview, "pv-data")
    assert [q["type"] for q in shown] == ["chat", "single", "poll"]
    assert shown[0]["correct"] == [1] and shown[0]["chat"][1]["mine"] is True
    assert shown[0]["explanation"] == "Không gửi ảnh cho người lạ."
    assert shown[0]["reading_time"] > 0 and shown[2]["correct"] == []
    assert shown[0]["topic"] == "Grooming: how strangers win trust"
    # "Run it now": the new-session form with the quiz chosen
    form = author.get(f"/host/new?quiz={slug}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{slug}">|<option value="{slug}" selected>', form)
    assert author.get("/quizzes/new").status_code == 200


def test_the_list_links_files_in_and_out_when_that_part_exists(app, make):
    presenter, _ = signed_in(app, make)
    page = presenter.get("/quizzes/").get_data(as_text=True)
    endpoints = app.view_functions
    with app.test_request_context():
        if "quiz_files.export" in endpoints:
            assert url_for("quiz_files.export", slug="test-quiz", fmt="xlsx") in page
            assert url_for("quiz_files.export", slug="test-quiz", fmt="yaml") in page
        else:
            assert "Export as a file" not in page
        if "quiz_files.import_page" in endpoints:
            assert url_for("quiz_files.import_page") in page
        else:
            assert "Import a file" not in page


@pytest.mark.parametrize("path", ["/quizzes/nope/edit", "/quizzes/nope/preview"])
def test_unknown_quizzes_are_not_found(app, make, path):
    presenter, _ = signed_in(app, make)
    assert presenter.get(path).status_code == 404


def test_two_people_saving_one_quiz_never_overwrite_each_other_unseen(app, make):
    """Each save names the revision it started from: a save from an older revision is refused
    with 409 and changes nothing; the next save from the stored revision goes through."""
    admin, _ = signed_in(app, make, "admin")
    body = create(admin)
    slug, first = body["slug"], body["quiz"]["revision"]
    assert first
    mine = payload(title="Mine")
    mine["revision"] = first
    saved = admin.post(f"/quizzes/{slug}/save", json=mine)
    assert saved.status_code == 200 and saved.get_json()["quiz"]["revision"] != first
    theirs = payload(title="Theirs")
    theirs["revision"] = first  # opened before "Mine" was saved
    refused = admin.post(f"/quizzes/{slug}/save", json=theirs)
    assert refused.status_code == 409 and refused.get_json()["error"] == "conflict"
    assert stored(app, slug).title == "Mine"
    theirs["revision"] = saved.get_json()["quiz"]["revision"]
    assert admin.post(f"/quizzes/{slug}/save", json=theirs).status_code == 200
    assert stored(app, slug).title == "Theirs"
