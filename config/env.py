"""The one place that reads the environment.

Every setting that comes from the environment is read here, typed, and validated at start-up so a bad
value stops the process with a clear message instead of surfacing later as a strange error.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` file is optional; real deployments set variables in the process environment.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/smartfactory"


def database_url() -> str:
    url = env.str("DATABASE_URL", default=DEFAULT_DATABASE_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a PostgreSQL URL (postgres://user@host:port/name), got {url!r}."
        )
    return url


def positive_int(name: str, default: int) -> int:
    value = env.int(name, default=default)
    if value <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive integer, got {value}.")
    return value
