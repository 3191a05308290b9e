"""one attempt per exam assignment, enforced by the database

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("exam_attempt", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_sessions_exam_attempt"), ["exam_attempt"])
    # Sessions started before this migration: mark each trainee's first session of an exam.
    op.execute(
        """
        UPDATE sessions SET exam_attempt = assignment_id || ':' || user_id
        WHERE id IN (
            SELECT s.id FROM sessions s JOIN assignments a ON a.id = s.assignment_id
            WHERE a.mode = 'exam' AND s.created_at = (
                SELECT MIN(s2.created_at) FROM sessions s2
                WHERE s2.assignment_id = s.assignment_id AND s2.user_id = s.user_id
            )
        )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint(op.f("uq_sessions_exam_attempt"), type_="unique")
        batch.drop_column("exam_attempt")
