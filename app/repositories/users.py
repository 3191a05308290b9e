"""Users and cohorts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Group, GroupMember, Role, User
from app.passwords import hash_password, verify_password
from app.repositories.errors import AlreadyExistsError


class UserRepository:
    def __init__(self, session: Session, password_hash_profile: str = "standard") -> None:
        self.session = session
        self.profile = password_hash_profile

    def create(
        self, username: str, password: str, role: Role, display_name: str | None = None
    ) -> User:
        if self.get_by_username(username) is not None:
            raise AlreadyExistsError(f"user {username!r} already exists")
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password, self.profile),
            role=Role(role).value,
            is_active=True,
        )
        self.session.add(user)
        self.session.flush()
        return user

    def get(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def get_by_username(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with this password, or None (no hint which part was wrong)."""
        user = self.get_by_username(username)
        if user is None or not user.is_active:
            return None
        return user if verify_password(user.password_hash, password) else None

    def set_password(self, user: User, password: str) -> None:
        user.password_hash = hash_password(password, self.profile)
        self.session.flush()

    def list(self, role: Role | None = None) -> Sequence[User]:
        query = select(User).order_by(User.username)
        if role is not None:
            query = query.where(User.role == role.value)
        return self.session.scalars(query).all()


class GroupRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(self, name: str, supervisor: User | None = None, description: str = "") -> Group:
        if self.get_by_name(name) is not None:
            raise AlreadyExistsError(f"group {name!r} already exists")
        group = Group(
            name=name,
            description=description,
            supervisor_id=supervisor.id if supervisor else None,
        )
        self.session.add(group)
        self.session.flush()
        return group

    def get_by_name(self, name: str) -> Group | None:
        return self.session.scalar(select(Group).where(Group.name == name))

    def add_member(self, group: Group, user: User) -> None:
        """Idempotent: adding a member twice leaves one membership."""
        if self.session.get(GroupMember, (group.id, user.id)) is None:
            self.session.add(GroupMember(group_id=group.id, user_id=user.id))
            self.session.flush()

    def members(self, group: Group) -> Sequence[User]:
        query = (
            select(User)
            .join(GroupMember, GroupMember.user_id == User.id)
            .where(GroupMember.group_id == group.id)
            .order_by(User.username)
        )
        return self.session.scalars(query).all()

    def supervised_by(self, supervisor: User) -> Sequence[Group]:
        query = select(Group).where(Group.supervisor_id == supervisor.id).order_by(Group.name)
        return self.session.scalars(query).all()
