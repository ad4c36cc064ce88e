"""Specials: an episode made of segments, each with its own time, speakers and invite event

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:50:00

"""

import sqlalchemy as sa
from alembic import op

import openinfra_live.database

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "episodes", sa.Column("special", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "episode_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("starts_at", openinfra_live.database.UTCDateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("recording_url", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_episode_segments_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode_segments")),
    )
    with op.batch_alter_table("episode_segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_episode_segments_episode_id"), ["episode_id"], unique=False
        )
    op.create_table(
        "episode_segment_speakers",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("affiliation", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["episode_segments.id"],
            name=op.f("fk_episode_segment_speakers_segment_id_episode_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode_segment_speakers")),
    )
    with op.batch_alter_table("episode_segment_speakers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_episode_segment_speakers_segment_id"), ["segment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("episode_segment_speakers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_segment_speakers_segment_id"))
    op.drop_table("episode_segment_speakers")
    with op.batch_alter_table("episode_segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_segments_episode_id"))
    op.drop_table("episode_segments")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_column("special")
