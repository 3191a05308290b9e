"""Demo data: the scenario library and one account per role, loaded idempotently so that
``make run`` can call it on every start."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from app.db.models import Role
from app.repositories.scenarios import ScenarioMeta, ScenarioRepository
from app.repositories.users import GroupRepository, UserRepository
from simulator.scenario.loader import load_library


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    display_name: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("trainee", "trainee-demo", Role.TRAINEE, "Анна Стажёрова"),
    DemoAccount("trainer", "trainer-demo", Role.TRAINER, "Борис Наставников"),
    DemoAccount("supervisor", "supervisor-demo", Role.SUPERVISOR, "Вера Руководова"),
    DemoAccount("admin", "admin-demo", Role.ADMIN, "Глеб Админов"),
)
DEMO_GROUP = "Демо-группа"


@dataclass
class DemoReport:
    scenarios_added: list[str] = field(default_factory=list)
    scenarios_unchanged: list[str] = field(default_factory=list)
    scenario_errors: list[str] = field(default_factory=list)
    accounts_created: list[str] = field(default_factory=list)


def load_scenarios(session: Session, root: Path, report: DemoReport) -> None:
    library = load_library(root)
    report.scenario_errors.extend(str(error) for error in library.errors)
    repo = ScenarioRepository(session)
    for key, loaded in sorted(library.scenarios.items()):
        scenario = loaded.scenario
        meta = ScenarioMeta(
            title=scenario.title,
            function=scenario.function,
            channel=scenario.channel,
            difficulty=scenario.difficulty,
            industry=scenario.industry,
        )
        _, created = repo.add_version(key, loaded.source, meta, published=True)
        (report.scenarios_added if created else report.scenarios_unchanged).append(key)


def create_demo_accounts(session: Session, report: DemoReport, profile: str) -> None:
    users = UserRepository(session, profile)
    by_role = {}
    for account in DEMO_ACCOUNTS:
        user = users.get_by_username(account.username)
        if user is None:
            user = users.create(
                account.username, account.password, account.role, account.display_name
            )
            report.accounts_created.append(account.username)
        by_role[account.role] = user
    groups = GroupRepository(session)
    group = groups.get_by_name(DEMO_GROUP) or groups.create(
        DEMO_GROUP, supervisor=by_role[Role.SUPERVISOR], description="Группа для знакомства"
    )
    groups.add_member(group, by_role[Role.TRAINEE])


def load_demo(session: Session, scenarios_root: Path, password_profile: str) -> DemoReport:
    report = DemoReport()
    load_scenarios(session, scenarios_root, report)
    create_demo_accounts(session, report, password_profile)
    return report
