"""All tables. Importing this package registers every model on ``Base.metadata``, which is
what Alembic compares the migrations against."""

from app.db.models.assignments import Assignment, AssignmentMode
from app.db.models.scenarios import ScenarioVersion
from app.db.models.scorecards import Scorecard
from app.db.models.security import (
    AuditLogEntry,
    AuthSession,
    LoginCounter,
    RecoveryCode,
    RoleSecurityPolicy,
    UserSecondFactor,
)
from app.db.models.sessions import SessionEvent, SessionStatus, TrainingSession
from app.db.models.users import Group, GroupMember, Role, User
from app.db.models_scoring import ScorecardItem  # noqa: F401  (dashboard aggregates)

__all__ = [
    "Assignment",
    "AssignmentMode",
    "AuditLogEntry",
    "AuthSession",
    "Group",
    "GroupMember",
    "LoginCounter",
    "RecoveryCode",
    "Role",
    "RoleSecurityPolicy",
    "ScenarioVersion",
    "Scorecard",
    "SessionEvent",
    "SessionStatus",
    "TrainingSession",
    "User",
    "UserSecondFactor",
]
