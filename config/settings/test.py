"""Test settings: the same PostgreSQL database engine as production, eager Celery, fast hashing."""

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# `manage.py demo_otp_code <username>` prints the current second-factor code of a demo login.
DEMO_OTP_CODES = True

# Files that tests make (exports, uploaded workbooks) go to a throw-away directory per test process,
# never into the checkout; tests that look at the files set their own tmp_path.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

EXPORTS_ROOT = Path(tempfile.mkdtemp(prefix="sf-test-exports-"))
IMPORTS_ROOT = Path(tempfile.mkdtemp(prefix="sf-test-imports-"))
