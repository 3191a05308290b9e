"""Who may see whom: a supervisor sees the trainees of the cohorts they supervise, an admin sees
everyone, trainers see cohorts (to assign scenarios) but not their reports.

Every report, export and live view asks here first, so a rule changes in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Group, GroupMember, Role, User


class AccessDenied(Exception):
    """The viewer may not see this cohort or trainee."""


def visible_groups(db: Session, viewer: User) -> Sequence[Group]:
    query = select(Group).order_by(Group.name)
    if viewer.role == Role.SUPERVISOR:
        query = query.where(Group.supervisor_id == viewer.id)
    elif viewer.role not in (Role.ADMIN, Role.TRAINER):
        return []
    return db.scalars(query).all()


def group_for(db: Session, viewer: User, group_id: int) -> Group:
    group = db.get(Group, group_id)
    if group is None or group not in visible_groups(db, viewer):
        raise AccessDenied(f"no cohort {group_id} among the cohorts you supervise")
    return group


def members(db: Session, group: Group) -> Sequence[User]:
    query = (
        select(User)
        .join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id, User.role == Role.TRAINEE)
        .order_by(User.display_name, User.username)
    )
    return db.scalars(query).all()


def visible_trainee_ids(db: Session, viewer: User) -> set[int]:
    if viewer.role == Role.ADMIN:
        return set(db.scalars(select(User.id).where(User.role == Role.TRAINEE)))
    ids: set[int] = set()
    for group in visible_groups(db, viewer):
        ids.update(u.id for u in members(db, group))
    return ids


def trainee_for(db: Session, viewer: User, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or user.id not in visible_trainee_ids(db, viewer):
        raise AccessDenied(f"no trainee {user_id} in the cohorts you supervise")
    return user
