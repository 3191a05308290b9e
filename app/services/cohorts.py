"""Cohorts (groups of trainees): created by trainers, each watched by one supervisor, whose
reports then cover it. Every change is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Group, GroupMember, Role, User
from app.repositories.errors import AlreadyExistsError
from app.repositories.users import GroupRepository
from app.services.authoring import audit


class CohortError(Exception):
    """Bad input for a cohort; the message names the problem and the fix."""


def create(
    db: Session, actor: User, name: str, supervisor_id: int | None, description: str = ""
) -> Group:
    name = " ".join(name.split())
    if not name:
        raise CohortError("a cohort needs a name")
    supervisor = None
    if supervisor_id is not None:
        supervisor = db.get(User, supervisor_id)
        if supervisor is None or supervisor.role not in (Role.SUPERVISOR, Role.ADMIN):
            raise CohortError(f"user {supervisor_id} is not a supervisor")
    try:
        group = GroupRepository(db).create(name, supervisor, description.strip())
    except AlreadyExistsError:
        raise CohortError(f"a cohort named {name!r} already exists; pick another name") from None
    audit(db, actor, "cohort.create", f"group {group.id}", name=name)
    return group


def add_member(db: Session, actor: User, group: Group, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or user.role != Role.TRAINEE:
        raise CohortError(f"user {user_id} is not a trainee")
    GroupRepository(db).add_member(group, user)
    audit(db, actor, "cohort.add_member", f"group {group.id}", user_id=user.id)
    return user


def remove_member(db: Session, actor: User, group: Group, user_id: int) -> None:
    row = db.get(GroupMember, (group.id, user_id))
    if row is None:
        raise CohortError(f"user {user_id} is not in cohort {group.name!r}")
    db.delete(row)
    db.flush()
    audit(db, actor, "cohort.remove_member", f"group {group.id}", user_id=user_id)


def supervisors(db: Session) -> list[User]:
    query = (
        select(User)
        .where(User.role.in_([Role.SUPERVISOR.value, Role.ADMIN.value]), User.is_active)
        .order_by(User.display_name)
    )
    return list(db.scalars(query))
