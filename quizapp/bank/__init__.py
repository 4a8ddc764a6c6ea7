"""The question bank: quizzes kept as YAML files in ``questions/`` and brought into the database,
and quizzes written in the editor or uploaded, all checked by ``validate.check_quiz``."""
from .loader import BankError, QuizFile, check_bank, import_bank, load_quiz_file, store
from .validate import Problem, QuizData, QuizInvalid, check_quiz

__all__ = ["BankError", "Problem", "QuizData", "QuizFile", "QuizInvalid", "check_bank",
           "check_quiz", "import_bank", "load_quiz_file", "store"]
