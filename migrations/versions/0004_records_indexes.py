"""records indexes: covering index of the summaries by day, sessions by school and presenter

The campaign's sessions are read from a covering index; a presenter's sessions at a school are
found without scanning every session.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:10:00

On PostgreSQL, ``ix_summary_day_cover`` holds, next to each summary's day, every column the
records aggregate over a window of days (coverage, totals, days, levels, knowledge checks, and
``game_id`` to join the session questions), so those aggregates read a ~15 MB index instead of
the summaries' rows (their ``detail`` makes the table ten times larger): an index-only scan.
SQLite has no ``INCLUDE``; a province's summaries are read fast enough there without it
(docs/performance.md, the records benchmark).

``ix_game_school_presenter`` answers "has this presenter held a session at this school"
(``records.scope.may_see_school``) without reading every session.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

#: What the window aggregates read besides ``day`` (see quizapp/records/queries.py).
COVERED = ["players", "students", "school_id", "unit_id", "province_id", "level", "in_person",
           "class_label", "score_avg", "answers", "correct_answers", "check_pairs",
           "check_before", "check_after", "game_id"]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_summary_day_cover", "session_summary", ["day"],
                        postgresql_include=COVERED)
    op.create_index("ix_game_school_presenter", "game", ["school_id", "presenter_id"])


def downgrade():
    op.drop_index("ix_game_school_presenter", table_name="game")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_summary_day_cover", table_name="session_summary")
