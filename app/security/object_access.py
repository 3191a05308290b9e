"""Who may read a training session (its transcript, desk data, audio, scorecard, live
socket): its trainee; an administrator; a supervisor of a cohort the trainee belongs to.

Trainers author scenarios and assign them; transcripts are the trainees' personal data and
are not theirs to read. One function, so every session route answers the same way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Group, GroupMember, Role, User


def may_read_session(db: Session, viewer: User, owner_id: int) -> bool:
    if viewer.id == owner_id or viewer.role == Role.ADMIN:
        return True
    if viewer.role != Role.SUPERVISOR:
        return False
    query = (
        select(GroupMember.user_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(Group.supervisor_id == viewer.id, GroupMember.user_id == owner_id)
        .limit(1)
    )
    return db.scalar(query) is not None
