"""Production: every secret and host from the environment; start-up fails when one is missing or bad.

README.md § Deployment lists every variable with its default and meaning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DATABASES, LOGGING, REST_FRAMEWORK, SECRET_KEY, env, positive_int

DEBUG = False
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random value of at least 50 characters.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names (no '*').")
# Origins allowed to POST forms over HTTPS (the site itself, and any other name it is reached under).
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]
)

# Reverse proxies (load balancer, nginx) between the client and gunicorn. Client addresses for throttling
# and login lockout are read that many hops from the right of X-Forwarded-For; 0 means gunicorn faces the
# clients directly and forwarded headers are ignored.
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=1)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"DJANGO_PROXY_COUNT must be 0 or more, got {PROXY_COUNT}.")
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": PROXY_COUNT}
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# HTTPS only: redirect, HSTS for a year (preload-ready), cookies never sent in clear.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The load balancer's health probe may come over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# `__Host-` binds the session cookie to this exact host over HTTPS (ASVS 3.3.3). The CSRF cookie keeps
# its name: static/js/app.js reads `csrftoken` for htmx requests.
SESSION_COOKIE_NAME = "__Host-sessionid"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Database: DATABASE_URL (base) with persistent connections; DATABASE_REPLICA_URL adds the read replica
# that KPI and export reads use (config.db_router).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))

# Cache: Redis shared by every process (health probe, throttles, lockouts); a process-local memory cache
# only when CACHE_URL is not set (a single-process installation).
CACHES: dict[str, dict[str, Any]] = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", "sf")

# Static files: collectstatic writes hashed, compressed copies that whitenoise serves with far-future
# caching (the manifest makes a missing collectstatic fail loudly).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "static_build")))

# Generated export files and uploaded import workbooks: server-chosen paths under these directories,
# which must be on storage shared by the web and worker processes.
EXPORTS_ROOT = Path(env.str("EXPORTS_ROOT", default=str(BASE_DIR / "var" / "exports")))
IMPORTS_ROOT = Path(env.str("IMPORTS_ROOT", default=str(BASE_DIR / "var" / "imports")))

# Email (SMTP by default).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = positive_int("EMAIL_TIMEOUT", 10)
SERVER_EMAIL = env.str(
    "SERVER_EMAIL", default=env.str("DEFAULT_FROM_EMAIL", default="noreply@smartfactory.example")
)
ADMINS = [("Operations", address) for address in env.list("DJANGO_ADMINS", default=[])]

# Second-factor codes are never printed by a management command in production (core.otp).
DEMO_OTP_CODES = False

# The token of the private /health/ and /metrics endpoints; long enough not to be guessed.
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
if HEALTH_TOKEN and len(HEALTH_TOKEN) < 32:
    raise ImproperlyConfigured("HEALTH_TOKEN must be at least 32 characters (or unset to disable it).")

# JSON logs on stdout for the log shipper, unless LOG_FORMAT says otherwise.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', got {LOG_FORMAT!r}.")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]  # a plain dict
