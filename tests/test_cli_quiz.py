"""``flask quiz``: import a folder or one file of any format, export a quiz, check the bank."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from quizapp.bank import check_quiz
from quizapp.bank.formats import read_quiz, stored_dict, write_quiz
from quizapp.extensions import db
from quizapp.models import Quiz, User

ROOT = Path(__file__).resolve().parent.parent
QUIZ = check_quiz({"slug": "cli-quiz", "title": "CLI quiz", "questions": [
    {"type": "multiple", "text": "Which?", "choices": ["a", "b", "c"], "correct": [0, 2]},
    {"type": "chat", "text": "Then?", "choices": ["x", "y"], "correct": [1],
     "chat": [{"from": "Người lạ", "text": "Hi"}, {"from": "Bạn", "text": "Dạ", "mine": True}]}]})
BAD_CSV = ("Slug,bad\r\nTitle,Bad\r\n\r\nQuestion,Type,Answer 1,Answer 2,Answer 3,Answer 4,"
           "Correct answer(s)\r\nQ,single,a,b,,,1\r\nQ,single,a,b,,d,1\r\nQ,multiple,a,b,c,,\r\n")


@pytest.fixture(autouse=True)
def english(request):
    """The commands speak the deployment's language (Vietnamese by default): these tests read
    their English."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app").config["BABEL_DEFAULT_LOCALE"] = "en"


def stored(app, slug: str) -> Quiz | None:
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
        if quiz is not None:
            db.session.expunge(quiz)
        return quiz


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "xlsx"])
def test_import_one_file_makes_a_published_quiz(app, tmp_path, fmt):
    body, _mimetype, name = write_quiz(QUIZ, fmt)
    path = tmp_path / name
    path.write_bytes(body)
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported cli-quiz: 2 question(s), published." in result.output
    quiz = stored(app, "cli-quiz")
    assert (quiz.origin, quiz.status, quiz.owner_id) == ("import", "published", None)
    assert quiz.questions == [q.to_dict() for q in QUIZ.questions]
    again = app.test_cli_runner().invoke(args=["quiz", "import", str(path)])
    assert "Imported cli-quiz-2:" in again.output


def test_import_one_file_as_somebodys_draft(app, make, tmp_path):
    owner = make.user("presenter")
    with app.app_context():
        username = db.session.get(User, owner).username
    path = tmp_path / "q.json"
    path.write_bytes(write_quiz(QUIZ, "json")[0])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "import", str(path), "--draft", "--owner", username])
    assert result.exit_code == 0, result.output
    quiz = stored(app, "cli-quiz")
    assert (quiz.status, quiz.owner_id) == ("draft", owner)
    no_owner = runner.invoke(args=["quiz", "import", str(path), "--draft"])
    assert no_owner.exit_code == 2 and "--owner" in no_owner.output
    nobody = runner.invoke(args=["quiz", "import", str(path), "--owner", "nobody"])
    assert nobody.exit_code == 1 and "No account is named nobody." in nobody.output
    folder = runner.invoke(args=["quiz", "import", str(tmp_path), "--draft"])
    assert folder.exit_code == 2


def test_import_a_bad_file_lists_every_problem_and_keeps_nothing(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(path)])
    assert result.exit_code == 1
    assert "bad.csv: The file has 2 problems; nothing was imported." in result.output
    assert result.output.splitlines()[1:] == ["  row 6, Answer 3: Empty.",
                                              "  row 7, Correct answer(s): Mark at least one "
                                              "right answer."]
    assert stored(app, "bad") is None


def test_import_a_folder_still_imports_the_bank(app, tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "cli-quiz.yaml").write_bytes(write_quiz(QUIZ, "yaml")[0])
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(folder)])
    assert result.exit_code == 0 and "1 added, 0 updated." in result.output
    assert stored(app, "cli-quiz").origin == "bank"
    default = app.test_cli_runner().invoke(args=["quiz", "import"])  # QUESTIONS_DIR
    assert default.exit_code == 0 and "0 added, 0 updated." in default.output


def test_export_to_standard_output_or_a_file(app, tmp_path):
    runner = app.test_cli_runner()
    with app.app_context():
        expected = check_quiz(stored_dict(db.session.scalar(
            select(Quiz).where(Quiz.slug == "test-quiz"))))
    text = runner.invoke(args=["quiz", "export", "test-quiz"])
    assert text.exit_code == 0 and yaml.safe_load(text.output)["slug"] == "test-quiz"
    assert read_quiz("t.yaml", text.stdout_bytes).quiz.questions == expected.questions
    table = runner.invoke(args=["quiz", "export", "test-quiz", "--format", "csv"])
    assert table.stdout_bytes.startswith(b"\xef\xbb\xbfSlug,test-quiz\r\n")
    assert read_quiz("t.csv", table.stdout_bytes).quiz.as_dict() == expected.as_dict()
    binary = runner.invoke(args=["quiz", "export", "test-quiz", "--format", "xlsx"])
    assert binary.exit_code == 2 and "-o FILE" in binary.output
    target = tmp_path / "t.xlsx"
    written = runner.invoke(args=["quiz", "export", "test-quiz", "--format", "xlsx", "-o",
                                  str(target)])
    assert written.exit_code == 0
    assert read_quiz("t.xlsx", target.read_bytes()).quiz.as_dict() == expected.as_dict()
    missing = runner.invoke(args=["quiz", "export", "nope"])
    assert missing.exit_code == 1 and "No quiz has the slug nope." in missing.output


def broken_bank(folder: Path) -> Path:
    folder.mkdir()
    good = {"slug": "good", "title": "Good", "language": "en", "questions": [
        {"type": "single", "text": "Q", "choices": ["a", "b"], "correct": [0], "id": "q-1"}]}
    (folder / "good.yaml").write_text(yaml.safe_dump(good))
    (folder / "twin.yaml").write_text(yaml.safe_dump({**good, "title": "Twin"}))
    (folder / "broken.yaml").write_text(yaml.safe_dump({"slug": "broken", "title": "B",
                                                        "questions": [
        {"type": "single", "text": "Q", "choices": ["a", "b"], "correct": [0]},
        {"type": "single", "text": "", "choices": ["a", "b"], "correct": [7]}]}))
    (folder / "unreadable.yaml").write_text("slug: x\ntitle: a: b\n")
    return folder


def test_check_the_bank(app, tmp_path):
    runner = app.test_cli_runner()
    fine = runner.invoke(args=["quiz", "check"])
    assert fine.exit_code == 0
    assert fine.output.strip().splitlines() == [
        "2 quiz file(s), 8 question(s): no problems."]
    bad = runner.invoke(args=["quiz", "check", str(broken_bank(tmp_path / "bank"))])
    assert bad.exit_code == 1
    lines = bad.output.splitlines()
    assert "broken.yaml: question 2, text: Empty: write the question." in lines
    assert "broken.yaml: question 2, correct: There is no answer 8." in lines
    assert any(line.startswith("unreadable.yaml: not valid YAML") for line in lines)
    assert "slug 'good' is used by good.yaml, twin.yaml" in lines
    assert sum("broken.yaml" in line for line in lines) == 2  # each problem once
    assert sum("unreadable.yaml" in line for line in lines) == 1


def run_flask(*args: str, cwd: Path, instance: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "QUIZAPP_INSTANCE_PATH": str(instance),
           "QUIZAPP_ASYNC_MODE": "threading", "PYTHONPATH": str(ROOT), "QUIZAPP_LANGUAGE": "en"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def test_check_as_a_command_on_the_shipped_bank_and_a_broken_folder(tmp_path):
    shipped = run_flask("quiz", "check", "questions", cwd=ROOT, instance=tmp_path / "i")
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    count = len(list((ROOT / "questions").glob("*.yaml")))
    assert shipped.stdout.startswith(f"{count} quiz file(s), ")
    assert shipped.stdout.strip().endswith("no problems.")
    broken = run_flask("quiz", "check", str(broken_bank(tmp_path / "bank")), cwd=ROOT,
                       instance=tmp_path / "i")
    assert broken.returncode == 1
    assert "broken.yaml: question 2, text: Empty: write the question." in broken.stdout
    assert "Traceback" not in broken.stderr


def test_the_commands_speak_vietnamese_unless_told_otherwise(app, tmp_path):
    app.config["BABEL_DEFAULT_LOCALE"] = "vi"
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(path)])
    assert result.exit_code == 1 and "dòng 6, Answer 3: Đang để trống." in result.output
