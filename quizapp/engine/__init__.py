"""The game engine: the rules of a live quiz, independent of web, realtime and storage."""
from .game import (DISCUSSION_CHOICES, MEMBERS_MAX, MEMBERS_MIN, TIME_FACTORS, Answer, Game,
                   Options, Phase, Player, Rejected, Standing)
from .nicknames import (NicknameError, generate_nickname, generate_team_name, validate_class_label,
                        validate_nickname)
from .questions import AFTER, BEFORE, MAIN, ChatMessage, Question, QuestionError, QuestionType

__all__ = [
    "AFTER", "BEFORE", "DISCUSSION_CHOICES", "MAIN", "MEMBERS_MAX", "MEMBERS_MIN", "TIME_FACTORS",
    "Answer", "ChatMessage", "Game", "NicknameError", "Options", "Phase", "Player", "Question",
    "QuestionError", "QuestionType", "Rejected", "Standing", "generate_nickname",
    "generate_team_name", "validate_class_label", "validate_nickname",
]
