"""``check_quiz``: every rule names its question, its field and what is wrong, and a quiz with
several problems lists them all."""
from __future__ import annotations

import copy

import pytest

from quizapp.bank import Problem, QuizInvalid, check_quiz
from quizapp.bank.topics import TOPICS

QUESTION = {"type": "single", "text": "Which one?", "choices": ["a", "b", "c"], "correct": [1],
            "time_limit": 20, "points": 1000, "explanation": "b it is."}
QUIZ = {"slug": "a-quiz", "title": "A quiz", "language": "en", "questions": [QUESTION]}


def quiz_with(**fields) -> dict:
    data = copy.deepcopy(QUIZ)
    data.update(fields)
    return data


def question(**fields) -> dict:
    item = copy.deepcopy(QUESTION)
    for key, value in fields.items():
        if value is ...:
            item.pop(key, None)
        else:
            item[key] = value
    return item


def problems(data) -> list[tuple]:
    with pytest.raises(QuizInvalid) as caught:
        check_quiz(data, source="quiz.yaml")
    assert all(isinstance(p, Problem) for p in caught.value.problems)
    assert str(caught.value).startswith("quiz.yaml: ")
    return [(p.question, p.field, p.message) for p in caught.value.problems]


def test_a_valid_quiz_is_taken_with_its_defaults():
    quiz = check_quiz({"slug": "q", "title": " Q ", "questions": [
        {"text": "x", "choices": ["a", "b"], "correct": [0]},
        {"type": "poll", "text": "y", "choices": ["a", "b"]},
        {"type": "chat", "text": "z", "choices": ["a", "b"], "correct": 1,
         "chat": [{"from": "Người lạ", "text": "Chào"}, {"from": "Bạn", "text": "Dạ"},
                  {"from": "You", "text": "Hi", "mine": False}, {"from": "Em", "text": "Ơ",
                                                                 "mine": True}]}]})
    assert (quiz.title, quiz.language, quiz.kind, quiz.level) == ("Q", "vi", "quiz", None)
    first, poll, chat = quiz.questions
    assert (first.type.value, first.time_limit, first.points) == ("single", 20, 1000)
    assert (poll.points, poll.correct) == (0, frozenset())
    assert [m.mine for m in chat.chat] == [False, True, False, True]
    assert chat.correct == frozenset({1})


QUIZ_PROBLEMS = [
    (["not", "a", "quiz"], (None, "", "A quiz is a set of fields (slug, title, questions…).")),
    (quiz_with(slug="Bad Slug"), (None, "slug", "Use 1 to 80 lowercase letters, digits and "
                                                "hyphens.")),
    (quiz_with(slug="x" * 81), (None, "slug", "Use 1 to 80 lowercase letters, digits and "
                                              "hyphens.")),
    (quiz_with(title="  "), (None, "title", "The quiz needs a title.")),
    (quiz_with(title="t" * 201), (None, "title", "At most 200 characters.")),
    (quiz_with(language="fr"), (None, "language", "Use vi or en.")),
    (quiz_with(kind="exam"), (None, "kind", "Use quiz, or check for a knowledge check.")),
    (quiz_with(level="university"), (None, "level", "Use tieu_hoc, thcs or thpt, or leave it "
                                                     "empty.")),
    (quiz_with(translation_of="Not A Slug"), (None, "translation_of",
                                              "The slug of the quiz this one translates.")),
    (quiz_with(questions=[]), (None, "questions", "The quiz has no questions.")),
    (quiz_with(questions="one"), (None, "questions", "The quiz has no questions.")),
    (quiz_with(questions=[QUESTION] * 101), (None, "questions", "At most 100 questions.")),
    (quiz_with(questions=[question(id="same"), question(), question(id="same")]),
     (3, "id", "Question 1 has the same id.")),
]


@pytest.mark.parametrize("data, expected", QUIZ_PROBLEMS)
def test_a_problem_of_the_quiz(data, expected):
    assert problems(data) == [expected]


QUESTION_PROBLEMS = [
    ("text", (2, "", "A question is a set of fields (type, text, choices…).")),
    (question(type="essay"), (2, "type", "Use single, truefalse, multiple, poll or chat.")),
    (question(text=" "), (2, "text", "Empty: write the question.")),
    (question(text="x" * 501), (2, "text", "At most 500 characters.")),
    (question(choices=["a", "", "c"]), (2, "choices.2", "Empty.")),
    (question(choices=["a", "b" * 121]), (2, "choices.2", "At most 120 characters.")),
    (question(choices=["a", "b", "c", "d", "e"]),
     (2, "choices", "A question has 2 to 4 answers; this one has 5.")),
    (question(choices=["a"], correct=[0]),
     (2, "choices", "A question has 2 to 4 answers; this one has 1.")),
    (question(type="truefalse", choices=["a", "b", "c"]),
     (2, "choices", "A true/false question has exactly two answers.")),
    (question(correct=["one"]), (2, "correct", "“one” is not an answer's number.")),
    (question(correct=[5]), (2, "correct", "There is no answer 6.")),
    (question(correct=[-1]), (2, "correct", "There is no answer 0.")),
    (question(correct=[]), (2, "correct", "Mark exactly one right answer.")),
    (question(correct=[0, 1]), (2, "correct", "Mark exactly one right answer.")),
    (question(type="truefalse", choices=["a", "b"], correct=...),
     (2, "correct", "Mark exactly one right answer.")),
    (question(type="multiple", correct=[]), (2, "correct", "Mark at least one right answer.")),
    (question(type="poll", correct=[0]), (2, "correct", "A poll has no right answer.")),
    (question(time_limit=4), (2, "time_limit", "A whole number of seconds from 5 to 120.")),
    (question(time_limit=121), (2, "time_limit", "A whole number of seconds from 5 to 120.")),
    (question(time_limit="fast"), (2, "time_limit", "A whole number of seconds from 5 to 120.")),
    (question(time_limit=20.5), (2, "time_limit", "A whole number of seconds from 5 to 120.")),
    (question(points=-1), (2, "points", "A whole number from 0 to 10000.")),
    (question(points=10001), (2, "points", "A whole number from 0 to 10000.")),
    (question(explanation="e" * 1001), (2, "explanation", "At most 1000 characters.")),
    (question(topic="cooking"), (2, "topic", "Unknown topic “cooking”; use one of: "
                                 + ", ".join(TOPICS) + ".")),
    (question(id="Has Spaces"), (2, "id", "Use 1 to 64 lowercase letters, digits, “-” or “_”.")),
    (question(image="../etc/passwd"), (2, "image", "Not a picture uploaded here.")),
    (question(type="chat"), (2, "chat", "A chat scenario needs its messages.")),
    (question(chat="hello"), (2, "chat", "A list of messages, each with who sends it and its "
                                         "text.")),
    (question(type="chat", chat=[{"from": "a", "text": "b"}] * 13),
     (2, "chat", "At most 12 messages.")),
    (question(type="chat", chat=[{"from": "a", "text": "b"}, "hi"]),
     (2, "chat.2", "A message has who sends it and its text.")),
    (question(type="chat", chat=[{"from": " ", "text": "b"}]),
     (2, "chat.1.from", "Empty: who sends this message?")),
    (question(type="chat", chat=[{"from": "a", "text": "b"}, {"from": "a", "text": ""}]),
     (2, "chat.2.text", "Empty.")),
    (question(type="chat", chat=[{"from": "a", "text": "b" * 501}]),
     (2, "chat.1.text", "At most 500 characters.")),
    (question(chat=[{"from": "a", "text": "b"}]), (2, "chat", "Only a chat scenario has "
                                                              "messages.")),
]


@pytest.mark.parametrize("item, expected", QUESTION_PROBLEMS)
def test_a_problem_of_a_question(item, expected):
    """The question is the quiz's second (the first is fine), so its number is 2."""
    assert problems(quiz_with(questions=[QUESTION, item])) == [expected]


def test_a_knowledge_check_has_no_poll():
    data = quiz_with(kind="check", questions=[question(type="poll", correct=[])])
    assert problems(data) == [(1, "type", "A knowledge check has no polls: a poll has no right "
                                          "answer to measure.")]


def test_every_problem_is_listed_in_order():
    data = quiz_with(slug="Bad", title="", questions=[
        question(),
        question(text="", choices=["a", ""], correct=[3], time_limit=0, topic="x"),
        {"type": "chat", "text": "t", "choices": ["a", "b"], "correct": [0],
         "chat": [{"from": "", "text": ""}]},
    ])
    assert [(q, f) for q, f, _m in problems(data)] == [
        (None, "slug"), (None, "title"),
        (2, "text"), (2, "choices.2"), (2, "correct"), (2, "time_limit"), (2, "topic"),
        (3, "chat.1.from"), (3, "chat.1.text"),
    ]


def test_problems_describe_where_they_are():
    assert Problem(7, "choices.3", "Empty.").describe() == "question 7, choices.3: Empty."
    assert Problem(None, "title", "The quiz needs a title.").describe() == \
        "title: The quiz needs a title."
    assert Problem(None, "", "A quiz is a set of fields.").describe() == \
        "A quiz is a set of fields."


def test_trailing_empty_answers_of_a_spreadsheet_are_dropped():
    quiz = check_quiz(quiz_with(questions=[question(choices=["a", "b", "", ""])]))
    assert quiz.questions[0].choices == ("a", "b")


def test_numbers_written_as_text_are_taken():
    quiz = check_quiz(quiz_with(questions=[question(time_limit="30", points="2000.0",
                                                    correct="2")]))
    q = quiz.questions[0]
    assert (q.time_limit, q.points, q.correct) == (30, 2000, frozenset({2}))


def test_whose_bubble_a_chat_message_is_survives_the_round_trip():
    """A message sent by "Bạn" that is not the pupil's (a stranger using that name) stays the
    stranger's, and a pupil's message under another name stays the pupil's."""
    quiz = {"slug": "chat", "title": "t", "questions": [{
        "type": "chat", "text": "x", "choices": ["a", "b"], "correct": [0],
        "chat": [{"from": "Bạn", "text": "hi", "mine": False},
                 {"from": "Minh", "text": "me", "mine": True},
                 {"from": "You", "text": "mine by name"},
                 {"from": "Lan", "text": "theirs"}]}]}
    once = check_quiz(quiz).as_dict()
    assert [m["mine"] for m in check_quiz(once).questions[0].to_dict()["chat"]] == \
        [False, True, True, False]
    assert check_quiz(once).as_dict() == once


def test_a_chat_that_is_not_a_list_is_one_problem():
    with pytest.raises(QuizInvalid) as err:
        check_quiz({"slug": "c", "title": "t", "questions": [
            {"type": "chat", "text": "x", "choices": ["a", "b"], "correct": [0], "chat": "no"}]})
    assert [(p.question, p.field) for p in err.value.problems] == [(1, "chat")]
