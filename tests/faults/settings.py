"""Settings of the processes a fault test starts (workers, the harness): the project's base settings on
a private PostgreSQL cluster and a real broker, with short staleness so that a job whose worker died is
taken over within seconds instead of minutes. Everything else is production-like: no eager tasks."""

from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECRET_KEY = "faults-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "testserver"]  # the harness asks through the test client
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = env.str("FAULTS_QUEUE", default="faults")
EXPORTS_ROOT = Path(env.str("EXPORTS_ROOT"))
# A running job whose run has not reported for this long is taken over by the next delivery.
EXPORT_STALE_AFTER_SECONDS = env.int("EXPORT_STALE_AFTER_SECONDS", default=8)
LOG_LEVEL = "WARNING"
