"""scorecard items for dashboard aggregates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scorecard_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("played_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('function', 'labour_action')", name=op.f("ck_scorecard_items_kind")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_scorecard_items_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_scorecard_items_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_scorecard_items_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecard_items")),
    )
    with op.batch_alter_table("scorecard_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scorecard_items_scorecard_id"), ["scorecard_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scorecard_items_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(
            "ix_scorecard_items_user_kind_code_played",
            ["user_id", "kind", "code", "played_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("scorecard_items", schema=None) as batch_op:
        batch_op.drop_index("ix_scorecard_items_user_kind_code_played")
        batch_op.drop_index(batch_op.f("ix_scorecard_items_session_id"))
        batch_op.drop_index(batch_op.f("ix_scorecard_items_scorecard_id"))
    op.drop_table("scorecard_items")
