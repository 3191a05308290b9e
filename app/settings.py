"""Runtime configuration, read from ``CCSIM_*`` environment variables.

Everything has a default that works on a fresh clone: an embedded SQLite database and a secret
key under ``./var/``. A multi-instance deployment sets ``CCSIM_DATABASE_URL``,
``CCSIM_SECRET_KEY`` and ``CCSIM_REDIS_URL`` instead, because replicas cannot share a local file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"
# The package lives in the repository root on an editable install; installed elsewhere (the
# Docker image), the project files are looked up in the working directory instead.
_PACKAGE_PARENT = Path(__file__).resolve().parents[1]


def find_project_path(name: str) -> Path:
    """Locate a project directory that is not Python code (``alembic``, ``frontend``, ...)."""
    for base in (_PACKAGE_PARENT, Path.cwd()):
        candidate = base / name
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"cannot find the project directory {name!r} next to the package ({_PACKAGE_PARENT}) "
        f"or in the working directory ({Path.cwd()}); run ccsim from the repository root"
    )


def load_or_create_secret_key(var_dir: Path) -> str:
    """Keep one random key per installation, so that restarts do not log everybody out."""
    path = var_dir / SECRET_KEY_FILE
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
        path.unlink()  # an empty file (an interrupted first run) is replaced
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written 0600 to a private name, then linked into place: a reader never sees a half-written
    # key, and when two processes start at once the first link wins and both use its key.
    tmp = var_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
    finally:
        tmp.unlink(missing_ok=True)
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CCSIM_", extra="ignore")

    var_dir: Path = Field(
        Path("var"), description="Local state: the SQLite database and the generated secret key"
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means SQLite at <var_dir>/ccsim.db"
    )
    secret_key: SecretStr | None = Field(
        None, description="Signs sessions and tokens; generated under var_dir when unset"
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    http_keep_alive_s: int = Field(
        30,
        ge=1,
        le=3600,
        description="Idle keep-alive of HTTP connections; keep it above the load balancer's "
        "and the clients' idle timeouts, or a reused connection can be closed under a request",
    )
    redis_url: str | None = Field(None, description="Live fan-out between app instances")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool | None = Field(None, description="JSON log lines; default: when not a TTY")
    password_hash_profile: Literal["standard", "fast"] = Field(
        "standard", description="'fast' is a cheap argon2 profile for tests only"
    )
    scenarios_dir: Path | None = Field(None, description="Scenario library; default ./scenarios")

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.var_dir = self.var_dir.resolve()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'ccsim.db'}"
        if self.secret_key is None or not self.secret_key.get_secret_value():
            self.secret_key = SecretStr(load_or_create_secret_key(self.var_dir))
        return self

    @property
    def secret(self) -> str:
        assert self.secret_key is not None  # filled in by the validator
        return self.secret_key.get_secret_value()

    def scenario_library_dir(self) -> Path:
        return (
            self.scenarios_dir if self.scenarios_dir is not None else find_project_path("scenarios")
        )
