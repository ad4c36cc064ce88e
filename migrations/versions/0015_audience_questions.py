"""Audience questions, their history, and the choice to list them on an episode's page

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 13:31:35.097834

"""

import sqlalchemy as sa
from alembic import op

import openinfra_live.database

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asker_name", sa.String(length=80), nullable=False),
        sa.Column("asker_email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("created_at", openinfra_live.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", openinfra_live.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["questions.id"],
            name=op.f("fk_questions_duplicate_of_id_questions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_questions_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_questions_fingerprint")),
    )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questions_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_questions_status"), ["status"], unique=False)

    op.create_table(
        "question_history",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("created_at", openinfra_live.database.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_question_history_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_question_history_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_history")),
    )
    with op.batch_alter_table("question_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_question_history_question_id"), ["question_id"], unique=False
        )

    op.add_column(
        "episodes",
        sa.Column("show_questions", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_column("show_questions")

    with op.batch_alter_table("question_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_history_question_id"))

    op.drop_table("question_history")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questions_status"))
        batch_op.drop_index(batch_op.f("ix_questions_episode_id"))

    op.drop_table("questions")
