from quizapp.engine import Game, Options, Question, QuestionType


def single(correct=1, points=1000, time_limit=20, n=4):
    return Question(QuestionType.SINGLE, "q?", tuple("ABCD"[:n]), frozenset({correct}),
                    time_limit, points, "because")


def poll():
    return Question(QuestionType.POLL, "opinion?", ("yes", "no"), frozenset(), 20, 0, "")


def multiple(correct=(0, 2)):
    return Question(QuestionType.MULTIPLE, "pick", ("a", "b", "c", "d"), frozenset(correct), 20,
                    1000, "")


def game(questions=None, players=("p1", "p2", "p3"), **options):
    g = Game(questions or [single(), single(2), single(0)], Options(**options))
    for pid in players:
        g.add_player(pid, f"name {pid}")
    return g
