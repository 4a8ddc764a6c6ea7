"""The question bank: quizzes kept as YAML files in ``questions/`` and imported into the database."""
from .loader import BankError, QuizFile, import_bank, load_quiz_file

__all__ = ["BankError", "QuizFile", "import_bank", "load_quiz_file"]
