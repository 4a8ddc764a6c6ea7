"""teams and challenges: sessions played at home at the pupils' own pace, teams sharing a phone
in the records, and what pupils say they talked about at home

``game.mode`` is ``live`` (a presenter runs it) or ``challenge`` (pupils play it alone or with a
parent until ``closes_at``, through the link named by ``code``; ``follows_id`` the session it
follows). Each summary keeps the mode (self-paced sessions never count toward the in-person
coverage) and its teams (players with ``members`` > 1) and their pupils; the covering index of
the summaries (migration 0004) is made again with them. ``home_talk`` counts the anonymous
answers to "Did you talk about it with someone at home?".

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COVERED = ["players", "students", "school_id", "unit_id", "province_id", "level", "in_person",
           "class_label", "score_avg", "answers", "correct_answers", "check_pairs",
           "check_before", "check_after", "game_id"]
NEW = ["mode", "teams", "team_students"]


def upgrade():
    op.create_table('home_talk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['game.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('home_talk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_talk_game_id'), ['game_id'], unique=False)

    with op.batch_alter_table('game', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=10), server_default='live', nullable=False))
        batch_op.add_column(sa.Column('closes_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('code', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('follows_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_game_code', ['code'])
        batch_op.create_foreign_key('fk_game_follows_id_game', 'game', ['follows_id'], ['id'])

    with op.batch_alter_table('session_summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=10), server_default='live', nullable=False))
        batch_op.add_column(sa.Column('teams', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('team_students', sa.Integer(), server_default='0', nullable=False))

    # the teams of sessions already summed up (a player's members were kept since 0003)
    op.execute(
        "UPDATE session_summary SET "
        "teams = (SELECT count(*) FROM player WHERE player.game_id = session_summary.game_id "
        "AND player.active AND player.members > 1), "
        "team_students = (SELECT coalesce(sum(player.members), 0) FROM player "
        "WHERE player.game_id = session_summary.game_id AND player.active "
        "AND player.members > 1)")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_summary_day_cover", table_name="session_summary")
        op.create_index("ix_summary_day_cover", "session_summary", ["day"],
                        postgresql_include=COVERED + NEW)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_summary_day_cover", table_name="session_summary")
        op.create_index("ix_summary_day_cover", "session_summary", ["day"],
                        postgresql_include=COVERED)
    with op.batch_alter_table('session_summary', schema=None) as batch_op:
        batch_op.drop_column('team_students')
        batch_op.drop_column('teams')
        batch_op.drop_column('mode')

    with op.batch_alter_table('game', schema=None) as batch_op:
        batch_op.drop_constraint('fk_game_follows_id_game', type_='foreignkey')
        batch_op.drop_constraint('uq_game_code', type_='unique')
        batch_op.drop_column('follows_id')
        batch_op.drop_column('code')
        batch_op.drop_column('closes_at')
        batch_op.drop_column('mode')

    with op.batch_alter_table('home_talk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_talk_game_id'))

    op.drop_table('home_talk')
