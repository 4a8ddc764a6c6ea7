"""Quiz files by the API and the web pages: importing makes a draft of the uploader's or lists
every problem and keeps nothing; exporting gives a file that comes back as the same quiz."""
from __future__ import annotations

import base64
import csv
import io
import re

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import func, select

from quizapp.bank import check_quiz
from quizapp.bank.formats import EXAMPLE, MAX_FILE_BYTES, read_quiz, stored_dict, write_quiz
from quizapp.extensions import db
from quizapp.models import Quiz, User
from tests.conftest import build_app

QUIZ = check_quiz({"slug": "my-file-quiz", "title": "My file quiz", "language": "vi",
                   "questions": [
                       {"type": "single", "text": "Q1", "choices": ["a", "b"], "correct": [1]},
                       {"type": "chat", "text": "Q2", "choices": ["a", "b"], "correct": [0],
                        "chat": [{"from": "Người lạ", "text": "Chào em"},
                                 {"from": "Bạn", "text": "Dạ", "mine": True}]}]})
BAD_CSV = "\r\n".join([
    "Slug,bad", "Title,Bad", "",
    "Question,Type,Answer 1,Answer 2,Answer 3,Answer 4,Correct answer(s)",
    "Q,single,a,b,,,1",
    "Q,single,a,b,,d,1",
    "Q,multiple,a,b,c,,",
]).encode()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def quiz_count() -> int:
    return db.session.scalar(select(func.count(Quiz.id)))


def upload(client, data: bytes, name: str, **headers):
    return client.post("/api/v1/quizzes/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


def bearer(client, app, user_id: int) -> dict:
    with app.app_context():
        name = db.session.get(User, user_id).username
    basic = base64.b64encode(f"{name}:pw-secret-1".encode()).decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
    return {"Authorization": f"Bearer {token.get_json()['token']}"}


@pytest.fixture
def people(app, make):
    """A signed-in browser client per role (English pages), and an anonymous one."""
    clients = {"anonymous": app.test_client()}
    ids = {}
    for role in ("admin", "viewer", "presenter", "staff"):
        client = app.test_client()
        client.set_cookie("lang", "en")
        ids[role] = make.user(role, school="DEMO" if role == "staff" else None)
        make.login(client, ids[role])
        clients[role] = client
    clients["ids"] = ids
    return clients


# ----- the API: import --------------------------------------------------------------------------


@pytest.mark.parametrize("role, status", [("admin", 201), ("presenter", 201), ("staff", 403),
                                          ("viewer", 403), ("anonymous", 401)])
def test_api_import_by_role(app, people, role, status):
    response = upload(people[role], write_quiz(QUIZ, "xlsx")[0], "quiz.xlsx")
    assert response.status_code == status, response.get_json()
    with app.app_context():
        stored = db.session.scalar(select(Quiz).where(Quiz.origin == "import"))
        if status != 201:
            assert response.get_json()["error"] in ("forbidden", "unauthorized")
            assert stored is None
            return
        assert response.get_json() == {"slug": "my-file-quiz", "title": "My file quiz",
                                       "questions": 2}
        assert (stored.slug, stored.status, stored.owner_id, stored.source) == (
            "my-file-quiz", "draft", people["ids"][role], "quiz.xlsx")
        assert [q["type"] for q in stored.questions] == ["single", "chat"]
        assert stored.questions[1]["chat"][1] == {"from": "Bạn", "text": "Dạ", "mine": True}


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "xlsx"])
def test_api_import_with_a_token_in_every_format_under_a_free_slug(app, make, fmt):
    presenter = make.user("presenter")
    client = app.test_client()
    headers = bearer(client, app, presenter)
    body, _mimetype, name = write_quiz(QUIZ, fmt)
    first = upload(client, body, name, **headers)
    again = upload(client, body, name, **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert [first.get_json()["slug"], again.get_json()["slug"]] == ["my-file-quiz",
                                                                    "my-file-quiz-2"]
    with app.app_context():
        stored = db.session.scalar(select(Quiz).where(Quiz.slug == "my-file-quiz-2"))
        assert stored.owner_id == presenter and stored.origin == "import"
        assert [q for q in stored.questions] == [q.to_dict() for q in QUIZ.questions]


def test_a_kahoot_file_is_named_after_its_file(app, people):
    rows = [["", "Question - max 120 characters", "Answer 1 - max 75 characters",
             "Answer 2 - max 75 characters", "Answer 3 - max 75 characters",
             "Answer 4 - max 75 characters",
             "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs",
             "Correct answer(s) - choose at least one"],
            ["1", "Hỏi?", "Có", "Không", "", "", "240", "1,2"]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = upload(people["presenter"], out.getvalue().encode(), "Bài kiểm tra số 1.csv")
    assert response.status_code == 201
    assert response.get_json() == {"slug": "bai-kiem-tra-so-1", "title": "Bài kiểm tra số 1",
                                   "questions": 1}


def test_api_import_lists_every_problem_and_keeps_nothing(app, people):
    with app.app_context():
        before = quiz_count()
    response = upload(people["presenter"], BAD_CSV, "bad.csv")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_file"
    assert body["message"] == "The file has 2 problems; nothing was imported."
    assert body["rows"] == [
        {"row": 6, "field": "Answer 3", "message": "Empty."},
        {"row": 7, "field": "Correct answer(s)", "message": "Mark at least one right answer."}]
    with app.app_context():
        assert quiz_count() == before


def test_api_import_without_a_file_or_with_too_large_a_one(app, people):
    client = people["presenter"]
    missing = client.post("/api/v1/quizzes/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["error"] == "bad_request"
    # a raw body (the test client would spool a multipart one to a file it never closes)
    envelope = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
                + b"x" * (MAX_FILE_BYTES + 100_000) + b"\r\n--x--\r\n")
    huge = client.post("/api/v1/quizzes/import", data=envelope,
                       content_type="multipart/form-data; boundary=x")
    assert huge.status_code == 413 and huge.get_json()["error"] == "file_too_large"
    assert huge.get_json()["message"] == "The file is larger than 2 MB."
    just_over = client.post("/api/v1/quizzes/import", data=envelope.replace(
        b"x" * (MAX_FILE_BYTES + 100_000), b"x" * (MAX_FILE_BYTES + 1)),
        content_type="multipart/form-data; boundary=x")
    assert just_over.status_code == 413
    picture = upload(client, b"\x89PNG\r\n\x1a\n", "photo.png")
    assert picture.status_code == 422
    assert picture.get_json()["rows"] == [{"row": 0, "field": "file", "message": (
        "Upload a quiz file: .yaml, .json, .csv or Excel .xlsx.")}]


# ----- the API: export --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, mimetype", [("yaml", "application/yaml"),
                                           ("json", "application/json"),
                                           ("csv", "text/csv"), ("xlsx", XLSX)])
def test_api_export_in_every_format_comes_back_the_same(app, people, fmt, mimetype):
    response = people["staff"].get(f"/api/v1/quizzes/test-quiz/export?format={fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="test-quiz.{fmt}"'
    with app.app_context():
        stored = db.session.scalar(select(Quiz).where(Quiz.slug == "test-quiz"))
        expected = check_quiz(stored_dict(stored))
    back = read_quiz(f"test-quiz.{fmt}", response.data).quiz
    assert back.as_dict() == expected.as_dict() and back.questions == expected.questions
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(response.data)).worksheets[0]["B2"].value == "Test quiz"


def test_api_export_default_bad_format_and_unknown_quiz(app, people):
    client = people["viewer"]
    default = client.get("/api/v1/quizzes/test-quiz/export")
    assert default.status_code == 200 and default.data.startswith(b"slug: test-quiz\n")
    bad = client.get("/api/v1/quizzes/test-quiz/export?format=pdf")
    assert bad.status_code == 400 and bad.get_json()["error"] == "bad_request"
    missing = client.get("/api/v1/quizzes/nope/export?format=json")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    anonymous = people["anonymous"].get("/api/v1/quizzes/test-quiz/export")
    assert anonymous.status_code == 401


def test_a_draft_is_exported_by_its_owner_and_admins_only(app, people, make):
    assert upload(people["presenter"], write_quiz(QUIZ, "json")[0], "q.json").status_code == 201
    other = app.test_client()
    make.login(other, make.user("presenter"))
    path = "/api/v1/quizzes/my-file-quiz/export?format=csv"
    assert people["presenter"].get(path).status_code == 200
    assert people["admin"].get(path).status_code == 200
    assert other.get(path).status_code == 404
    assert people["staff"].get(path).status_code == 404
    assert other.get("/quizzes/my-file-quiz/export.csv").status_code == 404
    page = people["presenter"].get("/quizzes/my-file-quiz/export.csv")
    assert page.status_code == 200 and page.headers["Content-Disposition"] == (
        'attachment; filename="my-file-quiz.csv"')
    assert page.data.startswith(b"\xef\xbb\xbfSlug,my-file-quiz\r\n")


# ----- the pages --------------------------------------------------------------------------------


def test_the_import_page_is_for_presenters_and_admins(app, people):
    for role in ("presenter", "admin"):
        page = people[role].get("/quizzes/import")
        assert page.status_code == 200
        text = page.data.decode()
        assert 'enctype="multipart/form-data"' in text and "Kahoot" in text
        assert "/quizzes/import/example.xlsx" in text
    for role in ("staff", "viewer"):
        assert people[role].get("/quizzes/import").status_code == 403
    anonymous = people["anonymous"].get("/quizzes/import")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    example = people["presenter"].get("/quizzes/import/example.xlsx")
    assert example.status_code == 200 and example.mimetype == XLSX
    assert read_quiz("quiz-example.xlsx", example.data).quiz.as_dict() == \
        check_quiz(EXAMPLE).as_dict()


def test_importing_on_the_page_opens_the_new_draft(app, people):
    client = people["presenter"]
    response = client.post("/quizzes/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(write_quiz(QUIZ, "xlsx")[0]), "quiz.xlsx")})
    assert response.status_code == 302
    with app.test_request_context():
        expected = (url_for("editor.edit", slug="my-file-quiz")
                    if "editor.edit" in app.view_functions
                    else url_for("host.new", quiz="my-file-quiz"))
    assert response.headers["Location"] == expected
    with app.app_context():
        stored = db.session.scalar(select(Quiz).where(Quiz.slug == "my-file-quiz"))
        assert stored.owner_id == people["ids"]["presenter"] and stored.status == "draft"


def test_a_bad_file_on_the_page_lists_every_problem_and_keeps_nothing(app, people):
    with app.app_context():
        before = quiz_count()
    client = people["presenter"]
    page = client.post("/quizzes/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(BAD_CSV), "bad.csv")})
    assert page.status_code == 200
    text = page.data.decode()
    assert "The file has 2 problems; nothing was imported." in text
    body = text[text.index("<tbody>"):text.index("</tbody>")]
    cells = [re.sub(r"<[^>]+>", "", row).split("\n") for row in
             re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    cells = [[c.strip() for c in row if c.strip()] for row in cells]
    assert cells == [["6", "Answer 3", "Empty."],
                     ["7", "Correct answer(s)", "Mark at least one right answer."]]
    empty = client.post("/quizzes/import", content_type="multipart/form-data", data={})
    assert "Choose a file." in empty.data.decode()
    with app.app_context():
        assert quiz_count() == before


def test_the_import_form_needs_its_csrf_token(tmp_path, monkeypatch, make):
    app = build_app(tmp_path, monkeypatch, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from quizapp.services.accounts import create_user

        user = create_user("writer", "pw-secret-1", role="presenter")
        user_id = user.id
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    form = client.get("/quizzes/import").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    body = write_quiz(QUIZ, "csv")[0]
    refused = client.post("/quizzes/import", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(body), "q.csv")})
    assert refused.status_code == 400
    taken = client.post("/quizzes/import", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(body), "q.csv"), "csrf_token": token})
    assert taken.status_code == 302
    # the API needs no CSRF token: it is called with a bearer token
    api = upload(client, body, "q.csv", **bearer(client, app, user_id))
    assert api.status_code == 201 and api.get_json()["slug"] == "my-file-quiz-2"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_an_import_keeps_only_the_question_ids_no_other_quiz_uses(app, people):
    """A quiz exported, changed and brought back in is a new quiz: where its question ids are
    another quiz's, it gets fresh ones (so the figures never merge); its own new ids stay."""
    with app.app_context():
        bank = db.session.scalar(select(Quiz).where(Quiz.slug == "test-quiz"))
        data = stored_dict(bank)
        data["questions"][0]["id"] = "bank-q-one"
        bank.questions = [{**q, "id": "bank-q-one"} if i == 0 else q
                          for i, q in enumerate(bank.questions)]
        db.session.commit()
    data["questions"][1]["id"] = "brand-new-id"
    body, _mimetype, _name = write_quiz(data, "yaml")
    response = upload(people["presenter"], body, "changed.yaml")
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        imported = db.session.scalar(select(Quiz).where(Quiz.slug == response.get_json()["slug"]))
        ids = [q.get("id") for q in imported.questions]
    assert ids[0] and ids[0] != "bank-q-one" and ids[1] == "brand-new-id"
