from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db import migrations
from app.db.engine import create_db_engine

runner = CliRunner()


def invoke(*args: str, url: str):
    return runner.invoke(cli, list(args), env={"CCSIM_DATABASE_URL": url})


def test_db_upgrade_migrates_an_empty_database(empty_database_url: str):
    result = invoke("db", "upgrade", url=empty_database_url)
    assert result.exit_code == 0, result.output
    assert f"revision {migrations.head_revision()}" in result.stdout
    engine = create_db_engine(empty_database_url)
    try:
        migrations.ensure_current(engine)
    finally:
        engine.dispose()
    assert invoke("db", "upgrade", url=empty_database_url).exit_code == 0  # again: no-op


def test_db_check_passes_on_a_migrated_database(database_url: str):
    result = invoke("db", "check", url=database_url)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:1/ccsim", "cannot use the database"),
        ("nosuchdb://x", "cannot use the database nosuchdb://x"),
    ],
)
def test_db_upgrade_on_a_bad_url_is_one_clear_line(url: str, expected: str):
    result = invoke("db", "upgrade", url=url)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {expected}")
    assert "CCSIM_DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_passwords_in_urls_are_not_printed():
    result = invoke("db", "upgrade", url="postgresql+psycopg://me:hunter2@127.0.0.1:1/ccsim")
    assert result.exit_code == 2
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize(
    "args", [["--help"], ["db", "--help"], ["db", "upgrade", "--help"], ["db", "check", "--help"]]
)
def test_help(args: list[str]):
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
