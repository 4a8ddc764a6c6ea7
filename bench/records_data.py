"""A records data set of national size, generated into a database for the records benchmark.

``python -m bench.records_data --url URL [--scale national|province|tiny] [--seed N]`` (or
:func:`generate`) creates the schema with the app's own bootstrap (``flask db upgrade``, the
question bank, the admin, the 2025 campaign), then bulk-inserts, with SQLAlchemy Core
``insert()`` in batches of thousands of rows:

- provinces, communes/wards/special zones (``xa`` / ``phuong`` / ``dac_khu`` in the national
  proportions after the 2025 reform: 2,621 / 687 / 13 of 3,321) and schools (primary, lower and
  upper secondary, multi-level, roughly in the shares of Vietnam's general-education schools);
- one or two presenters per unit (password :data:`PRESENTER_PASSWORD`);
- sessions of the bank's quizzes: a ``Game`` row each (its questions' snapshot, ~12 questions,
  each with a topic), with its ``SessionSummary`` and its ``SessionQuestion`` rows written as
  ``summarize()`` writes them. Most sessions are in person, most within the 2025 campaign
  (6 Oct – 30 Nov) on school days, some before and after it; some units hold no session at all
  and a few only remote ones, so the campaign's "units at zero" are there; a few sessions nobody
  played; about one in eight has a knowledge check;
- of those sessions, ``full`` (2,000 at national scale) with their players, answers and help
  requests in full, their figures computed by the app's own ``summarize()``.

Everything is drawn from one seeded random generator: the same seed and scale give the same
rows. The generator refuses a database that already holds schools or sessions (``--replace``
starts again from an empty one). It prints how long each step took and the size of every table;
``--json`` writes the same as JSON.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # python bench/records_data.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"  # noqa: A001

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "bench-admin-password"  # as bench/servers.py
PRESENTER_PASSWORD = "bench-presenter-password"
CAMPAIGN = "khong-mot-minh-2025"
WINDOW = (date(2025, 10, 6), date(2025, 11, 30))
#: Rows per INSERT batch.
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    name: str
    provinces: int
    units: int
    schools: int
    sessions: int
    full: int  # of the sessions, those with players and answers in full


SCALES = {
    "national": Scale("national", 34, 3321, 45000, 150000, 2000),
    "province": Scale("province", 1, 129, 1500, 5000, 100),
    "tiny": Scale("tiny", 2, 12, 60, 240, 24),
}

#: The 34 provinces and cities after the 2025 reform.
PROVINCES = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ",
    "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi",
    "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Thành phố Hồ Chí Minh", "Đồng Nai",
    "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang")
#: Units by kind, nationally: 2,621 communes, 687 wards, 13 special zones.
UNIT_KINDS = (("xa", 2621), ("phuong", 687), ("dac_khu", 13))
KIND_NAMES = {"xa": "Xã", "phuong": "Phường", "dac_khu": "Đặc khu"}
#: Shares of school levels (primary, lower secondary, upper secondary, multi-level).
LEVEL_SHARES = (("tieu_hoc", 0.50), ("thcs", 0.36), ("thpt", 0.085), ("lien_cap", 0.055))
LEVEL_NAMES = {"tieu_hoc": "Tiểu học", "thcs": "THCS", "thpt": "THPT", "lien_cap": "Liên cấp"}
GRADES = {"tieu_hoc": (1, 5), "thcs": (6, 9), "thpt": (10, 12), "lien_cap": (1, 12)}
#: Accuracy by level, added to each question's own.
LEVEL_ACCURACY = {"tieu_hoc": -0.08, "thcs": 0.0, "thpt": 0.05, "lien_cap": -0.02}

UNITS_WITHOUT_SESSIONS = 0.10  # share of units that held no session at all
UNITS_REMOTE_ONLY = 0.03  # share that reached pupils only remotely
SCHOOLS_NOT_VISITED = 0.35  # in a unit with sessions, share of schools without one
IN_PERSON = 0.85
NOBODY_PLAYED = 0.02
ASSEMBLY = 0.05  # a whole school in the hall
TEAMS = 0.04  # pupils sharing phones
WITH_CHECK = 0.12
INSIDE_WINDOW = 0.88


def _proportional(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders: the parts add up)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])[:total - sum(parts)]:
        parts[i] += 1
    return parts


def _share(key: str) -> float:
    """A stable number in [0, 1) for ``key``."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 2**32


# ----- the app ------------------------------------------------------------------------------

_instance: str | None = None

def make_app(url: str, admin_password: str = ADMIN_PASSWORD):
    """The app on ``url`` (an instance folder of its own, no demo school, the bank of
    ``questions/``)."""
    from quizapp import create_app

    global _instance
    if _instance is None:  # one empty instance folder per process (the secret is given)
        _instance = tempfile.mkdtemp(prefix="quizbench-records-")
    before = os.environ.get("QUIZAPP_INSTANCE_PATH")
    os.environ["QUIZAPP_INSTANCE_PATH"] = _instance
    try:
        return create_app({"SQLALCHEMY_DATABASE_URI": url, "SEED_DEMO": False,
                           "ADMIN_PASSWORD": admin_password,
                           "QUESTIONS_DIR": str(ROOT / "questions"), "ASYNC_MODE": "threading",
                           "SECRET_KEY": "bench-records-" + "x" * 32})
    finally:
        if before is None:
            del os.environ["QUIZAPP_INSTANCE_PATH"]
        else:
            os.environ["QUIZAPP_INSTANCE_PATH"] = before


def create_postgres_database(url: str, replace: bool = False) -> None:
    """Create the PostgreSQL database of ``url`` (dropping it first with ``replace``)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and replace:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(url: str, replace: bool = False) -> None:
    """An empty database at ``url``: PostgreSQL's is created if missing; ``replace`` starts
    again from nothing (drops the PostgreSQL database, deletes the SQLite file)."""
    if url.startswith("postgresql"):
        create_postgres_database(url, replace)
    elif url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        if replace:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    else:
        raise SystemExit(f"unsupported database URL {url!r} (postgresql:// or sqlite:///)")


# ----- the plan -----------------------------------------------------------------------------

class Generator:
    """Draws the data set (deterministically from ``seed``) and inserts it."""

    def __init__(self, scale: Scale, seed: int, echo=print):
        self.scale, self.seed, self.echo = scale, seed, echo
        self.rng = random.Random(seed)
        self.timings: dict[str, float] = {}

    # --- organisation ---

    def organisation(self, ids: dict) -> None:
        sc, rng = self.scale, self.rng
        names = list(PROVINCES[:sc.provinces]) if sc.provinces > 1 else ["Ninh Bình"]
        if sc.provinces > len(PROVINCES):
            names += [f"Tỉnh {i}" for i in range(len(PROVINCES), sc.provinces)]
        self.provinces = [{"id": ids["province"] + i, "name": n} for i, n in enumerate(names)]
        per_province = _proportional(sc.units, [rng.uniform(0.4, 1.6) for _ in names]) \
            if sc.provinces > 1 else [sc.units]
        kinds = []
        for kind, n in zip([k for k, _ in UNIT_KINDS],
                           _proportional(sc.units, [n for _, n in UNIT_KINDS])):
            kinds += [kind] * n
        rng.shuffle(kinds)
        self.units = []
        uid = ids["unit"]
        for prov, n in zip(self.provinces, per_province):
            numbers: dict[str, int] = {}
            for _ in range(n):
                kind = kinds[len(self.units)]
                numbers[kind] = numbers.get(kind, 0) + 1
                self.units.append({"id": uid, "name": f"{KIND_NAMES[kind]} {numbers[kind]}",
                                   "kind": kind, "province_id": prov["id"]})
                uid += 1
        # schools: wards and special zones are denser than communes
        weight = {"xa": 1.0, "phuong": 1.4, "dac_khu": 0.6}
        counts = _proportional(sc.schools - sc.units,
                               [weight[u["kind"]] * rng.uniform(0.3, 1.7) for u in self.units])
        self.schools = []
        sid = ids["school"]
        levels, shares = zip(*LEVEL_SHARES)
        for unit, extra in zip(self.units, counts):
            for n in range(1 + extra):
                level = levels[0] if n == 0 else rng.choices(levels, shares)[0]
                self.schools.append({"id": sid, "code": f"S{sid:06d}", "level": level,
                                     "name": f"Trường {LEVEL_NAMES[level]} {unit['name']} "
                                             f"số {n + 1}", "unit_id": unit["id"]})
                sid += 1
        self.presenters = []
        for unit in self.units:
            for k in range(1 if rng.random() < 0.6 else 2):
                self.presenters.append({"id": ids["user"] + len(self.presenters),
                                        "username": f"cb{unit['id']}{'ab'[k]}",
                                        "display_name": f"Cán bộ {unit['name']} {k + 1}",
                                        "role": "presenter", "unit_id": unit["id"],
                                        "active": True})

    # --- the bank ---

    def bank(self, quizzes: list) -> None:
        """The bank's quizzes as sessions play them (all their questions, as
        ``services.games.session_questions`` copies them), each question with a topic (its own,
        or one drawn from its text), and the knowledge checks of the bank by language."""
        from quizapp.bank.topics import TOPICS

        topics = sorted(TOPICS)

        def with_topics(questions):
            return [{**q, "topic": q.get("topic") or topics[int(_share(q["text"]) * len(topics))]}
                    if q.get("type") != "poll" else dict(q) for q in questions]

        checks: dict[str, dict] = {}
        for quiz in quizzes:
            if quiz.kind == "check":
                checks.setdefault(quiz.language, {"slug": quiz.slug,
                                                  "questions": with_topics(quiz.questions)})
        self.quizzes = [{"id": quiz.id, "slug": quiz.slug, "language": quiz.language,
                         "questions": with_topics(quiz.questions),
                         "check": checks.get(quiz.language)}
                        for quiz in quizzes if quiz.kind == "quiz" and len(quiz.questions) >= 5]
        if not self.quizzes:
            raise SystemExit("the bank has no quiz to play")
        self.quizzes.sort(key=lambda q: (q["language"] != "vi", q["id"]))
        self.accuracy = {}
        for quiz in self.quizzes:
            for q in quiz["questions"] + (quiz["check"] or {}).get("questions", []):
                key = question_key_of(q)
                self.accuracy.setdefault(key, 0.42 + 0.5 * _share("acc" + key))

    # --- sessions ---

    def plan_sessions(self) -> None:
        """Who held how many sessions where and when: a list of small tuples, sorted by start
        (the ids then grow with time, as real ones do)."""
        sc, rng = self.scale, self.rng
        schools_of: dict[int, list[dict]] = {}
        for school in self.schools:
            schools_of.setdefault(school["unit_id"], []).append(school)
        presenters_of: dict[int, list[int]] = {}
        for p in self.presenters:
            presenters_of.setdefault(p["unit_id"], []).append(p["id"])
        units = list(self.units)
        rng.shuffle(units)
        silent = max(1, round(len(units) * UNITS_WITHOUT_SESSIONS))
        remote = max(1, round(len(units) * UNITS_REMOTE_ONLY))
        self.silent_units = {u["id"] for u in units[:silent]}
        self.remote_units = {u["id"] for u in units[silent:silent + remote]}
        active = units[silent:]
        unit_weights = [rng.gammavariate(2.0, 1.0) * len(schools_of[u["id"]]) for u in active]
        per_unit = _proportional(sc.sessions, unit_weights)
        plan = []
        for unit, n in zip(active, per_unit):
            schools = schools_of[unit["id"]]
            weights = [0.0 if rng.random() < SCHOOLS_NOT_VISITED and i else
                       rng.paretovariate(1.3) for i in range(len(schools))]
            for school in rng.choices(schools, weights, k=n):
                plan.append(self._session_plan(unit, school, presenters_of[unit["id"]]))
        plan.sort(key=lambda p: p["started"])
        self.plan = plan
        full = set(rng.sample(range(len(plan)), min(sc.full, len(plan))))
        # the busiest school's record shows players too
        busiest = max(self._sessions_per_school().items(), key=lambda kv: kv[1])[0]
        mine = [i for i, p in enumerate(plan) if p["school"]["id"] == busiest]
        for i in mine[:: max(1, len(mine) // 10)][:10]:
            full.add(i)
        self.full = full

    def _sessions_per_school(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for p in self.plan:
            counts[p["school"]["id"]] = counts.get(p["school"]["id"], 0) + 1
        return counts

    def _session_plan(self, unit: dict, school: dict, presenters: list[int]) -> dict:
        rng = self.rng
        r = rng.random()
        if r < INSIDE_WINDOW:
            first, days = WINDOW[0], (WINDOW[1] - WINDOW[0]).days + 1
        elif r < INSIDE_WINDOW + (1 - INSIDE_WINDOW) / 2:
            first, days = date(2025, 9, 5), 31  # before the campaign
        else:
            first, days = date(2025, 12, 1), 62  # after it
        day = first + timedelta(days=rng.randrange(days))
        while day.weekday() >= 5 and rng.random() < 0.85:  # mostly on school days
            day = first + timedelta(days=rng.randrange(days))
        local = datetime(day.year, day.month, day.day, 7, 0) + timedelta(
            minutes=rng.randrange(0, 9 * 60 + 30))
        assembly = rng.random() < ASSEMBLY
        if rng.random() < NOBODY_PLAYED:
            students, members = 0, 1
        elif assembly:
            students, members = int(rng.triangular(60, 300, 100)), 1
        else:
            students, members = max(8, int(rng.gauss(27.5, 6))), 1
        if students and rng.random() < TEAMS:
            members = rng.randint(2, 4)
        level = school["level"]
        low, high = GRADES[level]
        quiz = self.quizzes[0] if len(self.quizzes) == 1 or rng.random() < 0.93 else \
            rng.choice(self.quizzes[1:])
        return {"started": local - timedelta(hours=7), "day": day, "unit": unit, "school": school,
                "presenter": rng.choice(presenters),
                "in_person": unit["id"] not in self.remote_units and rng.random() < IN_PERSON,
                "class_label": "" if assembly else
                f"{rng.randint(low, high)}{'ABCDEFGH'[rng.randrange(8)]}",
                "players": math.ceil(students / members), "members": members,
                "quiz": quiz, "check": quiz["check"] is not None and rng.random() < WITH_CHECK,
                "minutes": rng.randint(18, 45),
                "help": rng.choices((0, 1, 2), (0.9, 0.08, 0.02))[0]}

    def questions_of(self, p: dict) -> list[dict]:
        """The session's snapshot, as ``services.games.session_questions`` builds it."""
        main = p["quiz"]["questions"]
        if not p["check"]:
            return main
        check = p["quiz"]["check"]["questions"]
        return ([{**q, "part": "before", "check": k} for k, q in enumerate(check)] + main
                + [{**q, "part": "after", "check": k} for k, q in enumerate(check)])

    def probability(self, p: dict, q: dict, noise: float) -> float:
        key = question_key_of(q)
        base = self.accuracy[key] + LEVEL_ACCURACY[p["school"]["level"]] + noise
        if q.get("part") == "before":
            base -= 0.15
        return min(0.98, max(0.05, base))

    # --- rows ---

    def game_row(self, gid: int, pin: str, p: dict, questions: list[dict]) -> dict:
        started = p["started"]
        options = {"speed_scoring": True, "leaderboard_every": 1, "late_join": True}
        if p["check"]:
            options["check"] = p["quiz"]["check"]["slug"]
        return {"id": gid, "pin": pin, "quiz_id": p["quiz"]["id"], "school_id": p["school"]["id"],
                "presenter_id": p["presenter"], "class_label": p["class_label"],
                "in_person": p["in_person"], "options": options, "questions": questions,
                "host_token": f"{self.rng.getrandbits(192):048x}", "phase": "over",
                "current_index": len(questions) - 1, "question_opened_at": None,
                "version": 3 * len(questions) + 2,
                "created_at": started - timedelta(minutes=self.rng.randint(2, 15)),
                "started_at": started, "ended_at": started + timedelta(minutes=p["minutes"]),
                "purged_at": None, "summary": None}

    def summary_rows(self, gid: int, p: dict, questions: list[dict], updated: datetime
                     ) -> tuple[dict, list[dict]]:
        """The figures of a session without answers, in the shape ``summarize()`` stores."""
        rng = self.rng
        players = p["players"]
        noise = rng.gauss(0, 0.06)
        turnout = rng.uniform(0.85, 1.0)
        stats, rows = [], []
        score = 0.0
        speed = rng.uniform(0.55, 0.85)
        for i, q in enumerate(questions):
            answered = min(players, max(0, round(players * min(1.0, turnout + rng.gauss(0, 0.03)))))
            poll = q.get("type") == "poll"
            correct = 0 if poll else min(answered, max(0, round(
                answered * self.probability(p, q, noise) + rng.gauss(0, 0.5))))
            counts = [0] * len(q["choices"])
            right = q.get("correct") or []
            for c in right:
                counts[c] += correct
            wrong = [c for c in range(len(counts)) if c not in right] or [0]
            for c, n in zip(wrong, _proportional(answered - correct,
                                                 [rng.random() + 0.2 for _ in wrong])):
                counts[c] += n
            stats.append({"position": i, "counts": counts, "answered": answered,
                          "correct": correct})
            if not q.get("part"):
                score += correct * q.get("points", 1000) * speed
            if poll:
                continue
            rows.append({"game_id": gid, "position": i, "key": question_key_of(q),
                         "text": q["text"][:2000], "topic": q.get("topic", ""),
                         "part": q.get("part", ""), "answered": answered, "correct": correct,
                         "day": p["day"]})
        main = [s for q, s in zip(questions, stats)
                if not q.get("part") and q.get("type") != "poll"]
        average = round(score / players, 1) if players else None
        summary = {
            "game_id": gid, "school_id": p["school"]["id"], "unit_id": p["unit"]["id"],
            "province_id": p["unit"]["province_id"], "presenter_id": p["presenter"],
            "quiz_id": p["quiz"]["id"], "level": p["school"]["level"],
            "class_label": p["class_label"], "in_person": p["in_person"], "day": p["day"],
            "started_at": p["started"], "ended_at": p["started"] + timedelta(minutes=p["minutes"]),
            "players": players, "students": players * p["members"] if players else 0,
            "score_avg": average,
            "score_median": (round(average * rng.uniform(0.95, 1.08) * 2) / 2
                             if average is not None else None),
            "answers": sum(s["answered"] for s in main),
            "correct_answers": sum(s["correct"] for s in main),
            "help_requests": p["help"] if players else 0,
            "check_before": None, "check_after": None, "check_pairs": 0,
            "detail": {"questions": stats}, "updated_at": updated}
        if p["check"]:
            self._check_figures(summary, questions, stats)
        return summary, rows

    def _check_figures(self, summary: dict, questions: list[dict], stats: list[dict]) -> None:
        """The knowledge check, paired: a pair per pupil who answered a check question both
        times; the accuracies are those of the answers of the two halves, over the pairs."""
        before = [s for q, s in zip(questions, stats) if q.get("part") == "before"]
        after = [s for q, s in zip(questions, stats) if q.get("part") == "after"]
        per_question, pairs, right_b, right_a = [], 0, 0, 0
        for b, a in zip(before, after):
            n = min(b["answered"], a["answered"])
            rb = min(n, b["correct"])
            ra = min(n, a["correct"])
            per_question.append((n, rb, ra))
            pairs, right_b, right_a = pairs + n, right_b + rb, right_a + ra
        if not pairs:
            return
        acc = lambda r, n: round(r / n, 3) if n else None  # noqa: E731
        summary["check_before"], summary["check_after"] = acc(right_b, pairs), acc(right_a, pairs)
        summary["check_pairs"] = pairs
        texts = [q["text"] for q in questions if q.get("part") == "before"]
        summary["detail"]["check"] = {
            "before": summary["check_before"], "after": summary["check_after"], "answers": pairs,
            "gain": round((right_a - right_b) / pairs, 3),
            "questions": [{"text": t, "before": acc(rb, n), "after": acc(ra, n), "answers": n}
                          for t, (n, rb, ra) in zip(texts, per_question)]}

    def full_rows(self, gid: int, p: dict, questions: list[dict], ids: dict
                  ) -> tuple[list[dict], list[dict], list[dict]]:
        """Players, answers and help requests of a session kept in full."""
        rng = self.rng
        players, answers, helps = [], [], []
        noise = rng.gauss(0, 0.06)
        speed_of = rng.uniform(0.5, 0.95)
        started = p["started"]
        for n in range(p["players"]):
            pid = ids["player"]
            ids["player"] += 1
            score = streak = 0
            diligence = rng.uniform(0.8, 1.0)
            for i, q in enumerate(questions):
                if rng.random() > diligence:
                    continue
                limit = int(q.get("time_limit", 20) * 1000)
                elapsed = rng.randint(1500, limit)
                if q.get("type") == "poll":  # no right answer, no points, the streak as it was
                    right, choice = None, [rng.randrange(len(q["choices"]))]
                else:
                    right = rng.random() < self.probability(p, q, noise)
                    if right:
                        choice = list(q["correct"])
                    else:
                        wrong = [c for c in range(len(q["choices"])) if c not in q["correct"]]
                        choice = [rng.choice(wrong)] if wrong else [0]
                points = 0
                if right and not q.get("part"):
                    points = round(q.get("points", 1000) * (1 - elapsed / limit / 2)
                                   * speed_of / 0.75)
                if right is not None and not q.get("part"):  # the check keeps the streak too
                    streak = streak + 1 if right else 0
                score += points
                answers.append({"id": ids["answer"], "game_id": gid, "player_id": pid,
                                "question_index": i, "choice": choice, "correct": right,
                                "points": points, "elapsed_ms": elapsed, "streak": streak,
                                "created_at": started + timedelta(seconds=40 * i + elapsed / 1000)})
                ids["answer"] += 1
            players.append({"id": pid, "public_id": f"b{pid:x}-{rng.getrandbits(40):010x}",
                            "game_id": gid, "nickname": f"Bạn {n + 1}",
                            "class_label": p["class_label"],
                            "token_hash": f"{rng.getrandbits(256):064x}", "score": score,
                            "streak": streak, "active": rng.random() > 0.01, "joined": n + 1,
                            "members": p["members"], "created_at": started})
        for h in range(p["help"] if players else 0):
            helps.append({"game_id": gid, "player_id": players[rng.randrange(len(players))]["id"],
                          "created_at": started + timedelta(minutes=h + 3), "handled_at": None})
        return players, answers, helps


_keys: dict[tuple, str] = {}


def question_key_of(q: dict) -> str:
    """``summaries.question_key`` (remembered: the same few questions come back millions of
    times)."""
    from quizapp.records.summaries import question_key

    cache = (q.get("id"), q["text"])
    if cache not in _keys:
        _keys[cache] = question_key(q)
    return _keys[cache]


# ----- running --------------------------------------------------------------------------------

def _next_ids(conn, tables) -> dict:
    from sqlalchemy import func, select

    return {t.name: (conn.execute(select(func.max(t.c.id))).scalar() or 0) + 1 for t in tables}


def _insert(conn, table, rows: list[dict]) -> None:
    from sqlalchemy import insert

    for i in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[i:i + BATCH])


def generate(url: str, scale: str | Scale = "national", seed: int = 2025, replace: bool = False,
             echo=print, admin_password: str = ADMIN_PASSWORD) -> dict:
    """Fill the database at ``url`` with a data set of ``scale`` (see the module) and return
    what was made: the scale, the seconds each step took, the rows and bytes of every table."""
    from sqlalchemy import func, select, text
    from werkzeug.security import generate_password_hash

    from quizapp.extensions import db
    from quizapp.models import (Answer, Game, HelpRequest, Player, Province, Quiz, School,
                                SessionQuestion, SessionSummary, Unit, User)
    from quizapp.records.summaries import roll_up_topics, summarize
    from quizapp.services.setup import bootstrap

    sc = SCALES[scale] if isinstance(scale, str) else scale
    timings: dict[str, float] = {}
    t_all = t = time.monotonic()

    def step(name: str) -> None:
        nonlocal t
        now = time.monotonic()
        timings[name] = round(now - t, 1)
        echo(f"  {name}: {now - t:.1f} s")
        t = now

    prepare(url, replace)
    app = make_app(url, admin_password)
    echo(f"records data set '{sc.name}' (seed {seed}) into {_safe(url)}")
    bootstrap(app, echo=lambda m: echo("  " + m))
    step("schema and bootstrap")
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            taken = conn.execute(select(func.count()).select_from(School.__table__)).scalar() + \
                conn.execute(select(func.count()).select_from(Game.__table__)).scalar()
        if taken:
            raise SystemExit("the database already holds schools or sessions: use an empty one "
                             "(--replace starts again from nothing)")
        gen = Generator(sc, seed, echo)
        quizzes = db.session.scalars(select(Quiz).order_by(Quiz.id)).all()
        gen.bank(quizzes)
        tables = [Province.__table__, Unit.__table__, School.__table__, User.__table__,
                  Game.__table__, Player.__table__, Answer.__table__]
        with engine.connect() as conn:
            ids = _next_ids(conn, tables)
        gen.organisation(ids)
        gen.plan_sessions()
        step("planning")

        with engine.begin() as conn:
            _insert(conn, Province.__table__, gen.provinces)
            _insert(conn, Unit.__table__, gen.units)
            _insert(conn, School.__table__, gen.schools)
            password = generate_password_hash(PRESENTER_PASSWORD, method="scrypt")
            now = datetime(2026, 1, 31, 12, 0)
            _insert(conn, User.__table__, [{**u, "password_hash": password, "created_at": now}
                                           for u in gen.presenters])
        step("provinces, units, schools, presenters")

        pins = gen.rng.sample(range(100000, 1000000), len(gen.plan))
        gid0 = ids["game"]
        full_ids = []
        games, summaries, questions_rows = [], [], []
        for n, p in enumerate(gen.plan):
            gid = gid0 + n
            questions = gen.questions_of(p)
            games.append(gen.game_row(gid, str(pins[n]), p, questions))
            if n in gen.full:
                full_ids.append((gid, n))
            else:
                summary, rows = gen.summary_rows(gid, p, questions, p["started"] + timedelta(
                    minutes=p["minutes"], seconds=1))
                summaries.append(summary)
                questions_rows += rows
            if len(games) >= BATCH or n == len(gen.plan) - 1:
                with engine.begin() as conn:
                    _insert(conn, Game.__table__, games)
                    _insert(conn, SessionSummary.__table__, summaries)
                    _insert(conn, SessionQuestion.__table__, questions_rows)
                games, summaries, questions_rows = [], [], []
        step("sessions, summaries, session questions")

        players, answers, helps = [], [], []
        for gid, n in full_ids:
            p = gen.plan[n]
            ps, ans, hs = gen.full_rows(gid, p, gen.questions_of(p), ids)
            players += ps
            answers += ans
            helps += hs
            if len(answers) >= 20 * BATCH or (gid, n) == full_ids[-1]:
                with engine.begin() as conn:
                    _insert(conn, Player.__table__, players)
                    _insert(conn, Answer.__table__, answers)
                    _insert(conn, HelpRequest.__table__, helps)
                players, answers, helps = [], [], []
        step("players, answers, help requests")
        for k, (gid, _) in enumerate(full_ids):
            summarize(db.session.get(Game, gid))
            if k % 100 == 99:
                db.session.expunge_all()
        db.session.remove()
        step(f"summarize() of the {len(full_ids):,} full sessions")
        roll_up_topics()  # the bulk-inserted sessions' topics, as summarize() keeps them
        db.session.commit()
        db.session.remove()
        step("topic sums (TopicDay) of every session")

        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                for table in tables + [HelpRequest.__table__, SessionQuestion.__table__]:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM \"{table.name}\"))"))
                conn.commit()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            step("sequences, VACUUM ANALYZE (as autovacuum would)")
        sizes = table_sizes(engine)
        picked = picks(engine)
        db.session.remove()
        engine.dispose()
    total = round(time.monotonic() - t_all, 1)
    students = sizes.pop("_students", None)
    info = {"scale": asdict(sc), "seed": seed, "database": engine.dialect.name,
            "seconds": total, "full_sessions": len(full_ids), "steps": timings, "tables": sizes, "students": students,
            "picks": picked}
    echo(describe(info))
    return info


def _safe(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def table_sizes(engine) -> dict:
    """Rows (and on PostgreSQL bytes, indexes and TOAST included) of each table; and the
    pupils the summaries count (``_students``)."""
    from sqlalchemy import text

    out: dict = {}
    with engine.connect() as conn:
        for table in ("province", "unit", "school", "user", "quiz", "campaign", "game",
                      "session_summary", "session_question", "player", "answer", "help_request"):
            row = {"rows": conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()}
            if engine.dialect.name == "postgresql":
                row["bytes"] = conn.execute(text(
                    f"SELECT pg_total_relation_size('\"{table}\"')")).scalar()
            out[table] = row
        if engine.dialect.name == "postgresql":
            out["_database_bytes"] = conn.execute(text(
                "SELECT pg_database_size(current_database())")).scalar()
        else:
            path = engine.url.database
            out["_database_bytes"] = sum(os.path.getsize(path + s) for s in ("", "-wal")
                                         if os.path.exists(path + s))
        out["_students"] = int(conn.execute(text(
            "SELECT coalesce(sum(students), 0) FROM session_summary")).scalar())
    return out


def picks(engine) -> dict:
    """What the benchmark asks for: the campaign, the school with the most sessions in it and
    a school with none, the unit with the most sessions, a presenter of that unit, a level."""
    from sqlalchemy import text

    starts, ends = WINDOW
    with engine.connect() as conn:
        busy = conn.execute(text(
            "SELECT s.code, count(*) AS n FROM session_summary m JOIN school s ON s.id = "
            "m.school_id WHERE m.players > 0 AND m.day BETWEEN :a AND :b GROUP BY s.code "
            "ORDER BY n DESC, s.code LIMIT 1"), {"a": starts, "b": ends}).one()
        empty = conn.execute(text(
            "SELECT code FROM school WHERE NOT EXISTS (SELECT 1 FROM game WHERE "
            "game.school_id = school.id) ORDER BY id LIMIT 1")).scalar()
        unit = conn.execute(text(
            "SELECT unit_id, count(*) AS n FROM session_summary WHERE players > 0 AND day "
            "BETWEEN :a AND :b GROUP BY unit_id ORDER BY n DESC, unit_id LIMIT 1"),
            {"a": starts, "b": ends}).one()
        presenter = conn.execute(text(
            "SELECT username FROM \"user\" WHERE role = 'presenter' AND unit_id = :u "
            "ORDER BY id LIMIT 1"), {"u": unit.unit_id}).scalar()
    return {"campaign": CAMPAIGN, "busy_school": busy.code, "busy_school_sessions": busy.n,
            "empty_school": empty, "unit": unit.unit_id, "unit_sessions": unit.n,
            "presenter": presenter, "presenter_password": PRESENTER_PASSWORD, "level": "thcs"}


def describe(info: dict) -> str:
    sc = info["scale"]
    lines = [f"generated '{sc['name']}' ({info['database']}) in {info['seconds']:.0f} s: "
             f"{sc['provinces']} provinces, {sc['units']:,} units, {sc['schools']:,} schools, "
             f"{sc['sessions']:,} sessions ({info['full_sessions']:,} in full), "
             f"{info['students']:,} students counted"]
    for name, row in info["tables"].items():
        if name.startswith("_"):
            continue
        size = f", {row['bytes'] / 2**20:,.1f} MiB" if "bytes" in row else ""
        lines.append(f"  {name:18} {row['rows']:>12,} rows{size}")
    lines.append(f"  database: {info['tables']['_database_bytes'] / 2**20:,.0f} MiB")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.records_data",
                                description="Fill a database with a records data set for the "
                                            "records benchmark (see bench/README.md).")
    p.add_argument("--url", required=True,
                   help="postgresql://…/NAME (created if missing) or sqlite:///PATH")
    p.add_argument("--scale", choices=sorted(SCALES), default="national")
    p.add_argument("--seed", type=int, default=2025)
    p.add_argument("--replace", action="store_true",
                   help="drop the PostgreSQL database / delete the SQLite file first")
    p.add_argument("--json", type=Path, help="also write what was generated as JSON here")
    args = p.parse_args(argv)
    info = generate(args.url, args.scale, args.seed, replace=args.replace)
    if args.json:
        args.json.write_text(json.dumps(info, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
