from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import SECRET_KEY_FILE, Settings


def test_secret_key_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CCSIM_SECRET_KEY")
    var_dir = tmp_path / "var"

    first = Settings(var_dir=var_dir)
    second = Settings(var_dir=var_dir)

    key_file = var_dir / SECRET_KEY_FILE
    assert key_file.read_text().strip() == first.secret
    assert len(first.secret) >= 32
    assert second.secret == first.secret
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_installations_get_different_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CCSIM_SECRET_KEY")
    assert Settings(var_dir=tmp_path / "a").secret != Settings(var_dir=tmp_path / "b").secret


def test_explicit_secret_key_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CCSIM_SECRET_KEY", "from-the-environment")
    settings = Settings(var_dir=tmp_path / "var")
    assert settings.secret == "from-the-environment"
    assert not (tmp_path / "var" / SECRET_KEY_FILE).exists()


def test_default_database_is_sqlite_under_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CCSIM_DATABASE_URL")
    settings = Settings(var_dir=tmp_path / "var")
    assert settings.database_url == f"sqlite:///{(tmp_path / 'var').resolve()}/ccsim.db"


def test_environment_variables_use_the_ccsim_prefix(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CCSIM_DATABASE_URL", "postgresql+psycopg://u@db/ccsim")
    monkeypatch.setenv("CCSIM_PORT", "9100")
    monkeypatch.setenv("CCSIM_HOST", "0.0.0.0")
    monkeypatch.setenv("CCSIM_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("CCSIM_LOG_LEVEL", "DEBUG")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db/ccsim"
    assert (settings.host, settings.port) == ("0.0.0.0", 9100)
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.log_level == "DEBUG"


def test_bad_port_is_rejected(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CCSIM_PORT", "70000")
    with pytest.raises(ValidationError, match="port"):
        Settings()


def test_an_empty_key_file_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CCSIM_SECRET_KEY")
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / SECRET_KEY_FILE).write_text("")
    settings = Settings(var_dir=var_dir)
    assert len(settings.secret) >= 32
    assert (var_dir / SECRET_KEY_FILE).read_text().strip() == settings.secret
    assert sorted(p.name for p in var_dir.iterdir()) == [SECRET_KEY_FILE]  # no temp files left


def test_http_keep_alive_is_read_and_checked(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CCSIM_HTTP_KEEP_ALIVE_S", "75")
    assert Settings().http_keep_alive_s == 75
    monkeypatch.setenv("CCSIM_HTTP_KEEP_ALIVE_S", "0")
    with pytest.raises(ValidationError, match="http_keep_alive_s"):
        Settings()
