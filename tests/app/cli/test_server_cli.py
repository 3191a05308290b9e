from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db.demo import DEMO_ACCOUNTS, DEMO_GROUP
from app.db.engine import create_db_engine, create_session_factory
from app.repositories.scenarios import ScenarioRepository
from app.repositories.users import GroupRepository, UserRepository
from simulator.scenario.loader import load_library

runner = CliRunner()


def invoke(*args: str, url: str, **env: str):
    return runner.invoke(cli, list(args), env={"CCSIM_DATABASE_URL": url, **env})


def test_db_upgrade_then_demo_twice_on_an_empty_database(empty_database_url: str):
    assert invoke("db", "upgrade", url=empty_database_url).exit_code == 0

    first = invoke("demo", url=empty_database_url)
    assert first.exit_code == 0, first.output
    engine = create_db_engine(empty_database_url)
    with create_session_factory(engine)() as db:
        scenarios_after_first = ScenarioRepository(db).count()

    second = invoke("demo", url=empty_database_url)
    assert second.exit_code == 0, second.output
    assert "accounts: 4 created" in first.stdout
    assert "accounts: 0 created" in second.stdout
    assert "0 new" in second.stdout

    with create_session_factory(engine)() as db:
        assert ScenarioRepository(db).count() == scenarios_after_first
        users = UserRepository(db, "fast")
        for account in DEMO_ACCOUNTS:
            user = users.authenticate(account.username, account.password)
            assert user is not None, account.username
            assert user.role == account.role.value
            assert f"{account.username} / {account.password}" in second.stdout
        assert len(users.list()) == len(DEMO_ACCOUNTS)
        groups = GroupRepository(db)
        group = groups.get_by_name(DEMO_GROUP)
        assert group is not None
        assert [u.username for u in groups.members(group)] == ["trainee"]
        supervisor = users.get_by_username("supervisor")
        assert supervisor is not None and group.supervisor_id == supervisor.id
    engine.dispose()


def test_demo_stores_every_valid_library_scenario_once(database_url: str):
    library = load_library(Path("scenarios"))
    result = invoke("demo", url=database_url)
    assert result.exit_code == 0, result.output
    engine = create_db_engine(database_url)
    with create_session_factory(engine)() as db:
        stored = ScenarioRepository(db).latest_versions(published_only=True)
        assert {v.scenario_key for v in stored} == set(library.scenarios)
        for version in stored:
            assert version.source == library.scenarios[version.scenario_key].source
    engine.dispose()


def test_demo_on_an_unmigrated_database_says_what_to_run(empty_database_url: str):
    result = invoke("demo", url=empty_database_url)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("run `ccsim db upgrade`")
    assert len(result.stderr.strip().splitlines()) == 1


def test_demo_with_a_missing_library_directory(database_url: str, tmp_path: Path):
    result = invoke("demo", "--scenarios", str(tmp_path / "nope"), url=database_url)
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr


def test_user_create(database_url: str):
    result = invoke(
        "user",
        "create",
        "olga",
        "--role",
        "supervisor",
        "--display-name",
        "Ольга",
        "--password",
        "long-enough",
        url=database_url,
    )
    assert result.exit_code == 0, result.output
    assert "created supervisor 'olga'" in result.stdout
    engine = create_db_engine(database_url)
    with create_session_factory(engine)() as db:
        user = UserRepository(db).authenticate("olga", "long-enough")
        assert user is not None
        assert (user.role, user.display_name) == ("supervisor", "Ольга")
    engine.dispose()


def test_user_create_prompts_for_the_password(database_url: str):
    result = runner.invoke(
        cli,
        ["user", "create", "pavel"],
        input="long-enough\nlong-enough\n",
        env={"CCSIM_DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output
    assert "long-enough" not in result.stdout  # hidden input is not echoed


def test_duplicate_user_is_one_clear_line(database_url: str):
    args = ("user", "create", "olga", "--password", "long-enough")
    assert invoke(*args, url=database_url).exit_code == 0
    result = invoke(*args, url=database_url)
    assert result.exit_code == 2
    assert result.stderr == "error: user 'olga' already exists; choose another username\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Name", "--password", "long-enough"], "invalid username 'Bad Name'"),
        (["olga", "--password", "short"], "password too short"),
    ],
)
def test_user_create_rejects_bad_input(database_url: str, args: list[str], message: str):
    result = invoke("user", "create", *args, url=database_url)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_role_is_a_usage_error(database_url: str):
    result = invoke(
        "user", "create", "olga", "--role", "boss", "--password", "x" * 10, url=database_url
    )
    assert result.exit_code == 2
    assert "boss" in result.stderr and "trainee" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [["serve", "--help"], ["demo", "--help"], ["user", "--help"], ["user", "create", "--help"]],
)
def test_help(args: list[str]):
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert len(result.stdout.splitlines()) > 3


def test_demo_reports_invalid_scenarios_and_loads_the_rest(database_url: str, tmp_path: Path):
    library = tmp_path / "scenarios"
    good = sorted(p for p in Path("scenarios").iterdir() if (p / "scenario.yaml").exists())[0]
    shutil.copytree(good, library / good.name)
    (library / "broken").mkdir()
    (library / "broken" / "scenario.yaml").write_text("id: broken\ntitle: [unclosed\n")

    result = invoke("demo", "--scenarios", str(library), url=database_url)

    assert result.exit_code == 0, result.output
    assert "scenarios: 1 new, 0 unchanged, 1 invalid" in result.stdout
    warning = next(line for line in result.stderr.splitlines() if "broken" in line)
    assert re.search(r"broken/scenario\.yaml:\d+:\d+: ", warning), warning
