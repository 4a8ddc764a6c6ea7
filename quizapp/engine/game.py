"""One live game: phases, timing, answers, scoring and ranking.

Plain Python: no Flask, no Socket.IO, no database. Time is passed in by the caller (seconds on a
monotonic clock), so every rule can be tested without waiting. The realtime layer translates events
into calls here, persists what the engine accepts, and broadcasts what it returns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable, Sequence

from .nicknames import nickname_key
from .questions import AFTER, BEFORE, MAIN, Question
from .scoring import GRACE, answer_points


class Phase(str, Enum):
    LOBBY = "lobby"
    QUESTION = "question"
    REVEAL = "reveal"
    LEADERBOARD = "leaderboard"
    OVER = "over"


class Rejected(Exception):
    """The engine refuses a request; ``code`` is the protocol's error code, ``reason`` says more
    when one code has several causes (``not_accepting``: ``reading``, ``discussion`` or
    ``time_up``)."""

    def __init__(self, code: str, reason: str = ""):
        super().__init__(code)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Answer:
    """An accepted answer, as it is scored and stored."""

    player_id: str
    index: int
    choice: frozenset[int]
    correct: bool | None  # None for a poll
    points: int
    elapsed: float
    streak: int  # the player's streak after this answer

    @property
    def choice_list(self) -> list[int]:
        return sorted(self.choice)


@dataclass
class Player:
    id: str
    nickname: str
    class_label: str = ""
    score: int = 0
    streak: int = 0
    active: bool = True
    joined: int = 0  # join order, breaks display ties
    answers: dict[int, Answer] = field(default_factory=dict)
    members: int = 1  # pupils sharing this phone (a team, in team mode)


@dataclass(frozen=True)
class Standing:
    player: Player
    rank: int


#: Pupils who may share one phone in team mode.
MEMBERS_MIN, MEMBERS_MAX = 1, 6
#: The discussion times a session may give before each question's answers open (seconds).
DISCUSSION_CHOICES = (0, 10, 15, 20)
#: What every question's time limit may be multiplied by, for a class that needs more time.
TIME_FACTORS = (1, 1.5, 2)


@dataclass(frozen=True)
class Options:
    """A session's rules. ``team_mode``: each player is a team of ``members`` pupils sharing a
    phone. ``discussion``: seconds the question and its choices are shown before answers open.
    ``time_factor``: every time limit multiplied. ``no_timer``: a question stays open until the
    presenter reveals it or everyone has answered, and every right answer scores in full."""

    speed_scoring: bool = True
    leaderboard_every: int = 1
    late_join: bool = True
    team_mode: bool = False
    discussion: float = 0
    time_factor: float = 1
    no_timer: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.discussion, bool) or self.discussion not in DISCUSSION_CHOICES:
            raise ValueError(f"discussion must be one of {DISCUSSION_CHOICES}")
        if isinstance(self.time_factor, bool) or self.time_factor not in TIME_FACTORS:
            raise ValueError(f"time_factor must be one of {TIME_FACTORS}")


class Game:
    """The rules of one session, from the lobby to the podium."""

    def __init__(self, questions: Sequence[Question], options: Options | None = None):
        if not questions:
            raise ValueError("a game needs at least one question")
        self.questions: tuple[Question, ...] = tuple(questions)
        self._layout = layout(self.questions)
        self.check_size = sum(1 for part, _, _ in self._layout if part == BEFORE)
        self.options = options or Options()
        self.phase = Phase.LOBBY
        self.index = -1
        self.opened_at: float | None = None
        self.closed_at: float | None = None
        self.players: dict[str, Player] = {}
        self._nicknames: dict[str, str] = {}
        self._joined = 0
        self.counts: dict[int, list[int]] = {}
        # kept as the players come, go and answer, so a question's progress costs nothing to ask
        self._active = 0
        self._pupils = 0  # the active players' members
        self._answered: dict[int, int] = {}  # question index -> active players who answered

    # ----- players -------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def active_players(self) -> list[Player]:
        return [p for p in self.players.values() if p.active]

    @property
    def active_count(self) -> int:
        return self._active

    @property
    def pupil_count(self) -> int:
        """The pupils playing: the active players, each counted as its members (a team)."""
        return self._pupils

    def members_for(self, raw: object) -> int:
        """How many pupils a joining player is. In team mode: ``raw``, an integer from
        ``MEMBERS_MIN`` to ``MEMBERS_MAX`` (absent: 1), else ``Rejected("members_invalid")``.
        Without team mode every phone is one pupil and ``raw`` is ignored."""
        if not self.options.team_mode:
            return 1
        if raw is None:
            return 1
        if type(raw) is not int or not MEMBERS_MIN <= raw <= MEMBERS_MAX:
            raise Rejected("members_invalid")
        return raw

    def check_join(self, nickname: str) -> None:
        """Raise ``Rejected`` if a player with this nickname may not join now."""
        if self.phase is Phase.OVER:
            raise Rejected("game_over")
        if self.phase is not Phase.LOBBY and not self.options.late_join:
            raise Rejected("late_join_closed")
        if nickname_key(nickname) in self._nicknames:
            raise Rejected("nickname_taken")

    def add_player(self, player_id: str, nickname: str, class_label: str = "",
                   members: object = None) -> Player:
        """Admit a player (in team mode a team of ``members`` pupils, see ``members_for``).
        Nicknames (a team's name) are unique in a game, compared without case or spacing.

        Refused with ``game_over`` after the end, ``late_join_closed`` once the game has started
        when late join is off, ``nickname_taken`` when another player has the name,
        ``members_invalid``.
        """
        self.check_join(nickname)
        pupils = self.members_for(members)
        key = nickname_key(nickname)
        if player_id in self.players:
            raise ValueError("duplicate player id")
        self._joined += 1
        player = Player(player_id, nickname, class_label, joined=self._joined, members=pupils)
        self.players[player_id] = player
        self._nicknames[key] = player_id
        self._active += 1
        self._pupils += pupils
        return player

    def restore_player(self, player: Player) -> None:
        """Put back a player rebuilt from storage (its answers included)."""
        self._joined = max(self._joined, player.joined)
        self.players[player.id] = player
        if player.active:
            self._nicknames[nickname_key(player.nickname)] = player.id
            self._active += 1
            self._pupils += player.members
            for answer in player.answers.values():
                self._count(answer)

    def remove_player(self, player_id: str) -> Player:
        """Take a player out of the game (kicked). The name becomes free again and the player's
        answers leave the counts, as they leave the results."""
        player = self.players.get(player_id)
        if player is None or not player.active:
            raise Rejected("player_not_found")
        player.active = False
        self._active -= 1
        self._pupils -= player.members
        self._nicknames.pop(nickname_key(player.nickname), None)
        for answer in player.answers.values():
            self._count(answer, -1)
        return player

    # ----- timing --------------------------------------------------------------------------------

    @property
    def question(self) -> Question | None:
        return self.questions[self.index] if 0 <= self.index < self.total else None

    def time_limit(self, question: Question) -> float:
        """A question's countdown in this session: its own time limit times ``time_factor``."""
        return question.time_limit * self.options.time_factor

    @property
    def timed(self) -> bool:
        """Whether questions run against a countdown (not with ``no_timer``)."""
        return not self.options.no_timer

    def choices_shown_at(self) -> float | None:
        """When the choices appear on phones: after a chat scenario has played."""
        q = self.question
        if q is None or self.opened_at is None:
            return None
        return self.opened_at + q.reading_time

    def answers_open_at(self) -> float | None:
        """When answers are accepted from: once the choices are shown and the discussion time
        has passed (``opened_at`` + reading + discussion). The countdown starts then."""
        shown = self.choices_shown_at()
        return None if shown is None else shown + self.options.discussion

    def deadline(self) -> float | None:
        """When the countdown on the projector reaches zero (None without a timer)."""
        opens = self.answers_open_at()
        if opens is None or not self.timed:
            return None
        return opens + self.time_limit(self.question)

    def closes_at(self) -> float | None:
        """When answers stop being accepted: the deadline plus the network grace (None without
        a timer: the question stays open until it is revealed)."""
        deadline = self.deadline()
        return None if deadline is None else deadline + GRACE

    def time_left(self, now: float) -> float | None:
        """Seconds of the countdown left (all of it until answers open); None without a timer."""
        if not self.timed:
            return None
        deadline = self.deadline()
        if self.phase is not Phase.QUESTION or deadline is None:
            return 0.0
        return max(0.0, deadline - max(now, self.answers_open_at()))

    def not_accepting_reason(self, index: int, now: float) -> str | None:
        """Why question ``index`` takes no answer at ``now`` (None when it does): ``closed``
        (no open question with that index), ``reading`` (the chat scenario is still playing),
        ``discussion`` (the discussion time is still running) or ``time_up``."""
        if self.phase is not Phase.QUESTION or index != self.index:
            return "closed"
        # the window inlined: this runs for every answer
        question, options = self.questions[index], self.options
        shown = self.opened_at + question.reading_time
        if now < shown:
            return "reading"
        opens = shown + options.discussion
        if now < opens:
            return "discussion"
        if not options.no_timer and now > opens + question.time_limit * options.time_factor + GRACE:
            return "time_up"
        return None

    def is_accepting(self, index: int, now: float) -> bool:
        return self.not_accepting_reason(index, now) is None

    # ----- flow ----------------------------------------------------------------------------------

    def start(self, now: float) -> Question:
        """Leave the lobby and open the first question."""
        if self.phase is Phase.OVER:
            raise Rejected("game_over")
        if self.phase is not Phase.LOBBY:
            raise Rejected("already_started")
        return self._open(0, now)

    def next(self, now: float) -> Phase:
        """Move on from a reveal or a leaderboard: a leaderboard when one is due, else the next
        question, or the end after the last question. From an open question it reveals first."""
        if self.phase is Phase.LOBBY:
            self.start(now)
            return self.phase
        if self.phase is Phase.QUESTION:
            self.reveal(now)
            return self.phase
        if self.phase is Phase.OVER:
            raise Rejected("game_over")
        if self.index + 1 >= self.total:
            self.end(now)
        elif self.phase is Phase.REVEAL and self.leaderboard_due():
            self.phase = Phase.LEADERBOARD
        else:
            self._open(self.index + 1, now)
        return self.phase

    def leaderboard_due(self) -> bool:
        """A leaderboard follows every ``leaderboard_every`` questions of the quiz (0: only the
        final one), never a question of the knowledge check, and never the quiz's last question
        (the podium comes at the end of the session)."""
        part, number, size = self._layout[self.index]
        every = self.options.leaderboard_every
        return part == MAIN and every > 0 and (number + 1) % every == 0 and number + 1 < size

    def reveal(self, now: float) -> Question:
        """Close the open question. Players who did not answer lose their streak."""
        if self.phase is not Phase.QUESTION:
            raise Rejected("not_in_question")
        question = self.question
        self.phase = Phase.REVEAL
        self.closed_at = now
        if not question.keeps_streaks:
            for player in self.players.values():
                if self.index not in player.answers:
                    player.streak = 0
        return question

    def end(self, now: float) -> None:
        if self.phase is Phase.OVER:
            raise Rejected("game_over")
        if self.phase is Phase.QUESTION:
            self.reveal(now)
        self.phase = Phase.OVER
        self.closed_at = now

    def _open(self, index: int, now: float) -> Question:
        self.index = index
        self.phase = Phase.QUESTION
        self.opened_at = now
        self.closed_at = None
        self.counts.setdefault(index, [0] * len(self.questions[index].choices))
        return self.questions[index]

    def restore_phase(self, phase: Phase, index: int, opened_at: float | None = None) -> None:
        """Put the game back in ``phase`` at question ``index`` (rebuilding it from storage); an
        open question keeps the clock it had (``opened_at``)."""
        if phase is Phase.LOBBY or not 0 <= index < self.total:
            self.phase, self.index = (Phase.LOBBY, -1) if phase is Phase.LOBBY else (phase, index)
            return
        self.index = index
        self.phase = phase
        self.opened_at = opened_at
        self.counts.setdefault(index, [0] * len(self.questions[index].choices))

    def snapshot(self) -> tuple:
        """The flow state and streaks, to put back with ``restore`` if storing a change fails."""
        return (self.phase, self.index, self.opened_at, self.closed_at,
                {p.id: p.streak for p in self.players.values()})

    def restore(self, snapshot: tuple) -> None:
        self.phase, self.index, self.opened_at, self.closed_at, streaks = snapshot
        for player_id, streak in streaks.items():
            self.players[player_id].streak = streak

    # ----- answers -------------------------------------------------------------------------------

    def evaluate(self, player_id: str, index: object, choice: object, now: float) -> Answer:
        """Judge an answer without recording it.

        Refused with ``player_not_found``, ``not_accepting`` (no open question with that index, or
        time is up), ``already_answered`` (a different answer was already given) or
        ``invalid_choice``. The same answer again returns the recorded one: check ``is_duplicate``.
        """
        player = self.players.get(player_id)
        if player is None or not player.active:
            raise Rejected("player_not_found")
        if type(index) is not int or not 0 <= index < self.total:
            raise Rejected("not_accepting")
        question = self.questions[index]
        picked = _as_choice(choice, len(question.choices))
        existing = player.answers.get(index)
        if existing is not None and existing.choice == picked:
            return existing
        reason = self.not_accepting_reason(index, now)
        if reason is not None:
            raise Rejected("not_accepting", reason)
        if picked is None or (len(picked) != 1 and not question.is_multiple):
            raise Rejected("invalid_choice")
        if existing is not None:
            raise Rejected("already_answered")
        elapsed = max(0.0, now - self.answers_open_at())
        if question.is_poll:
            return Answer(player_id, index, picked, None, 0, elapsed, player.streak)
        correct = question.is_correct(picked)
        if question.is_check:  # a measurement: right or wrong is kept, but it scores nothing
            return Answer(player_id, index, picked, correct, 0, elapsed, player.streak)
        streak = player.streak + 1 if correct else 0
        # without a timer there is no speed to score: every right answer earns its full points
        speed = self.options.speed_scoring and self.timed
        points = answer_points(question.points, elapsed, self.time_limit(question), streak,
                               speed) if correct else 0
        return Answer(player_id, index, picked, correct, points, elapsed, streak)

    def is_duplicate(self, answer: Answer) -> bool:
        player = self.players.get(answer.player_id)
        return player is not None and player.answers.get(answer.index) is answer

    def record(self, answer: Answer) -> None:
        """Apply an evaluated answer: the player's score and streak, and the counts."""
        player = self.players[answer.player_id]
        if answer.index in player.answers:
            return
        player.answers[answer.index] = answer
        player.score += answer.points
        player.streak = answer.streak
        self._count(answer)

    def answer(self, player_id: str, index: object, choice: object, now: float) -> Answer:
        """Evaluate and record in one step (for callers with nothing to do in between)."""
        result = self.evaluate(player_id, index, choice, now)
        self.record(result)
        return result

    def _count(self, answer: Answer, step: int = 1) -> None:
        counts = self.counts.setdefault(answer.index,
                                        [0] * len(self.questions[answer.index].choices))
        for i in answer.choice:
            counts[i] += step
        self._answered[answer.index] = self._answered.get(answer.index, 0) + step

    def answered_count(self) -> int:
        """How many active players have answered the current question."""
        return self._answered.get(self.index, 0) if self.index >= 0 else 0

    def all_answered(self) -> bool:
        return self._active > 0 and self.answered_count() >= self._active

    # ----- parts: the knowledge check, the quiz, the check again ---------------------------------

    @property
    def has_check(self) -> bool:
        return self.check_size > 0

    def part(self, index: int) -> str:
        """``before``, ``main`` or ``after`` (every question of a session without a check is
        ``main``)."""
        return self._layout[index][0]

    def part_view(self, index: int) -> dict:
        """Where question ``index`` stands in a session with a knowledge check: its part, its
        place in the part and the part's size (and, for the check, its number in the check).
        Empty without a check, so those sessions' messages are as they always were."""
        if not self.has_check:
            return {}
        part, number, size = self._layout[index]
        view = {"part": part, "part_index": number, "part_total": size}
        if part != MAIN:
            view["check"] = self.questions[index].check
        return view

    def question_view(self) -> dict:
        """The open question as phones and the projector see it (``question:start``): never the
        answer."""
        view = self.question.public(self.index, self.total)
        view["time_limit"] = self.time_limit(self.question)
        view.update(self.timing_view())
        view.update(self.part_view(self.index))
        return view

    def timing_view(self) -> dict:
        """The session's timing as a question's messages carry it: ``discussion`` (seconds
        before answers open) when there is one, ``no_timer`` when there is no countdown. Empty
        for a session with neither, so those sessions' messages are as they always were."""
        view: dict = {}
        if self.options.discussion:
            view["discussion"] = self.options.discussion
        if not self.timed:
            view["no_timer"] = True
        return view

    def reveal_view(self) -> dict:
        """The closed question for everyone (``question:reveal``): the answer counts and, except
        for the check before the quiz, the right answer and the explanation. A before-question
        keeps both to itself (see ``Question.hides_answer``): the projector shows how many
        answered, and no phone is ever sent the answer."""
        question = self.question
        view = {
            "index": self.index,
            "total": self.total,
            "type": question.type.value,
            "text": question.text,
            "choices": list(question.choices),
            "correct": sorted(question.correct),
            "explanation": question.explanation,
            "counts": list(self.counts.get(self.index, [])),
            "answered": self.answered_count(),
            "players": self.active_count,
        }
        if question.hides_answer:
            del view["correct"], view["explanation"]
        view.update(self.part_view(self.index))
        return view

    def result_view(self, player: Player, ranks: dict[str, int]) -> dict:
        """A player's outcome of the current question (``player:result``). For the check before
        the quiz ``correct`` is None: whether the answer was right would give the answer away."""
        question = self.question
        answer = player.answers.get(self.index)
        view = {
            "index": self.index,
            "answered": answer is not None,
            "correct": None if question.hides_answer else bool(answer and answer.correct),
            "poll": question.is_poll,
            "points": answer.points if answer else 0,
            "score": player.score,
            "streak": player.streak,
            "rank": ranks.get(player.id),
            "players": len(ranks),
        }
        view.update(self.part_view(self.index))
        return view

    def check_tally(self, player: Player) -> dict | None:
        """A player's own knowledge check: right answers before and after, out of the check's
        questions (None without a check). A question not answered is not right."""
        if not self.has_check:
            return None
        right = {BEFORE: 0, AFTER: 0}
        for answer in player.answers.values():
            part = self._layout[answer.index][0]
            if part != MAIN and answer.correct:
                right[part] += 1
        return {"before": right[BEFORE], "after": right[AFTER], "questions": self.check_size}

    def check_answers(self) -> tuple[dict[tuple[str, int], bool], dict[tuple[str, int], bool]]:
        """The knowledge check's answers of the active players, as ``records.rules.check_gain``
        pairs them: (before, after), each mapping (player id, check number) to whether the
        answer was right."""
        before: dict[tuple[str, int], bool] = {}
        after: dict[tuple[str, int], bool] = {}
        for player in self.active_players:
            for answer in player.answers.values():
                question = self.questions[answer.index]
                if question.is_check:
                    side = before if question.part == BEFORE else after
                    side[(player.id, question.check)] = bool(answer.correct)
        return before, after

    # ----- ranking -------------------------------------------------------------------------------

    def standings(self) -> list[Standing]:
        """Active players by score, highest first. Equal scores share a rank ("1, 2, 2, 4");
        among them the earlier joiner is listed first."""
        ordered = sorted(self.active_players, key=lambda p: (-p.score, p.joined))
        return [Standing(p, r) for p, r in zip(ordered, competition_ranks(p.score for p in ordered))]

    def ranks(self) -> dict[str, int]:
        return {s.player.id: s.rank for s in self.standings()}

    def top(self, n: int) -> list[Standing]:
        return self.standings()[:n]


def competition_ranks(scores: Iterable[int]) -> list[int]:
    """Ranks for scores already sorted highest first: equal scores share a rank, and the next
    rank skips as many places ("1, 2, 2, 4")."""
    ranks: list[int] = []
    previous = None
    for position, score in enumerate(scores, start=1):
        ranks.append(ranks[-1] if ranks and score == previous else position)
        previous = score
    return ranks


def layout(questions: Sequence[Question]) -> tuple[tuple[str, int, int], ...]:
    """Each question's (part, number within its part, size of the part).

    A session with a knowledge check plays the check's questions (``part`` "before", numbered
    0…n-1), then the quiz's own (no part), then the check's again ("after", numbered 0…n-1, in
    the same order); without a check every question is the quiz's. Any other order is refused
    (``ValueError``): the records pair the two halves by these numbers.
    """
    parts = [q.part or MAIN for q in questions]
    before = parts.count(BEFORE)
    main = parts.count(MAIN)
    expected = [BEFORE] * before + [MAIN] * main + [AFTER] * (len(parts) - before - main)
    if parts != expected or not main or parts.count(AFTER) != before:
        raise ValueError("a session with a knowledge check is the check, the quiz, the check")
    numbers = [q.check for q in questions if q.part]
    if numbers != list(range(before)) * 2:
        raise ValueError("the check's questions are numbered 0… before and after alike")
    start = {BEFORE: 0, MAIN: before, AFTER: before + main}
    size = {BEFORE: before, MAIN: main, AFTER: before}
    return tuple((part, i - start[part], size[part]) for i, part in enumerate(parts))


def _as_choice(choice: object, n_choices: int) -> frozenset[int] | None:
    """A choice is one index or a non-empty list of distinct indexes in range; else None."""
    if type(choice) is int:
        items: Iterable[object] = (choice,)
    elif isinstance(choice, list) and 0 < len(choice) <= n_choices:
        items = choice
    else:
        return None
    picked = set()
    for item in items:
        if type(item) is not int or not 0 <= item < n_choices or item in picked:
            return None
        picked.add(item)
    return frozenset(picked)
