"""Settings shared by every environment. Environment-specific files import * from here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, database_url, env, positive_int

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = False
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "django_prometheus",
    "pgtrigger",
    "pghistory",
    # Sign-in lockout and the second factor (core.otp, core.middleware_sessions).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Project apps, lowest layer first (DESIGN.md §2).
    "core",
    "programs",
    "companies",
    "partners",
    "applications",
    "funding",
    "factories",
    "training",
    "kpi",
    "exports",
    "demo",
]

MIDDLEWARE = [
    # Outermost: times the whole request for /metrics, then gives it a request id for every log line.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.observability.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: the verified OTP device of the session, then the idle and absolute session
    # limits, then the second factor required of officials, finance officers, auditors and staff.
    "django_otp.middleware.OTPMiddleware",
    "core.middleware_sessions.SessionTimeoutMiddleware",
    "core.middleware_sessions.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Groups the audit events of a request and records its user and URL with them.
    "pghistory.middleware.HistoryMiddleware",
    # 접속기록 and 보안 로그: which views show personal or business data is config/access_rules.py.
    "core.access_log_middleware.AccessLogMiddleware",
    # Turns a sign-in refused by the lockout into the lockout page (core.views_auth.locked_out).
    "axes.middleware.AxesMiddleware",
    # Innermost (last), as django-prometheus requires, so it sees the view's response first.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db_url_config(database_url())}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# An optional streaming replica for KPI and export reads (config.db_router); tests mirror `default`.
if _replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(_replica_url)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lockout backend first: it refuses a locked username+address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in lockout (django-axes). Keyed on username *and* address together, so that an attacker can neither
# lock a user out from elsewhere nor lock out everyone behind one office NAT or proxy by guessing.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = positive_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=positive_int("AXES_COOLOFF_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# Attempts while locked (the correct password included) are refused but do not extend the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "core.views_auth.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp_token"]
# Number of reverse proxies in front of the app that append to X-Forwarded-For; 0 = REMOTE_ADDR only
# (a client-sent X-Forwarded-For is then ignored, as it can be forged).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}.")
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)
# python-ipware is not installed, so axes would ignore the two settings above: this callable applies them.
AXES_CLIENT_IP_CALLABLE = "core.client_ip.trusted_client_ip"

# Two-factor sign-in (django-otp TOTP) for officials, finance officers, auditors and staff (core.otp).
OTP_TOTP_ISSUER = "Smart Factory Program"
# Wrong codes slow the next try down: 1, 2, 4, 8 … seconds after consecutive failures.
OTP_TOTP_THROTTLE_FACTOR = 1
# `manage.py demo_otp_code` prints the current code of a demo login; only local.py and test.py allow it.
DEMO_OTP_CODES = False

# Sessions end after 30 minutes without a request and 8 hours after sign-in, whichever comes first
# (core.middleware_sessions); the cookie goes when the browser closes.
SESSION_IDLE_TIMEOUT_SECONDS = positive_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = positive_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 8 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Korean first, English second. Dates and numbers follow Django's `ko` formats (thousand separators on).
# "ko-kr" (not "ko") so gettext also finds DRF's ko_KR catalogue, falling back to Django's "ko".
LANGUAGE_CODE = "ko-kr"
LANGUAGES = [("ko-kr", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_build"
# Front-end packages come from the npm registry (`npm ci` in `make install`) and are served by the app
# itself: never from a CDN, never committed.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("krds", BASE_DIR / "node_modules" / "krds-uiux" / "resources"),
    # krds-uiux's component.css points its icons at ../../img/img/…, one "img" too many (upstream bug);
    # serving the images there too makes the icons appear and lets collectstatic's manifest resolve them.
    ("krds/img/img", BASE_DIR / "node_modules" / "krds-uiux" / "resources" / "img"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that unauthenticated API calls get 401 with `WWW-Authenticate: Token`.
        "core.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Smart-factory program API (스마트공장 보급·확산 사업 API)",
    "DESCRIPTION": (
        "Calls, registry, applications and evaluation for the national smart-factory program. "
        "Errors share one body: {code, message, fields}. Money is whole KRW as integers."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Every operation's error responses ({code, message, fields}; 400/401/403/404/409) in one place.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.openapi_errors.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "applications.models.ApplicationStatus",
        "CallStatusEnum": "programs.models.CallStatus",
        "BusinessStatusEnum": "companies.models.BusinessStatus",
        "AgreementStatusEnum": "partners.models.AgreementStatus",
        "MatchStatusEnum": "partners.models.MatchStatus",
        "DisbursementStatusEnum": "funding.models.DisbursementStatus",
        "ChangeRequestStatusEnum": "applications.models.ChangeRequestStatus",
        "LedgerKindEnum": "funding.models.LedgerKind",
        "ActivityKindEnum": "partners.models.ActivityKind",
        "ConfirmationKindEnum": "factories.models.ConfirmationKind",
        "ClosureReasonEnum": "factories.models.ClosureReason",
        "AggregateMetricEnum": "factories.models.AggregateMetric",
        "TargetMetricEnum": "programs.models.TargetMetric",
        "ProviderKindEnum": "training.models.ProviderKind",
        "OutcomeStatusEnum": "factories.models.OutcomeStatus",
        "FactoryOriginEnum": "factories.models.FactoryOrigin",
        "ExportJobStatusEnum": "exports.models.JobStatus",
        "ExportFileFormatEnum": "exports.models.FileFormat",
        "ExportKindEnum": "exports.api_jobs.KIND_CHOICES",
    },
}

# Celery: eager in-process without a broker (demo default); a worker and beat with one.
_broker = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not _broker
# Eager mode never talks to a broker; the in-memory transport keeps kombu from looking for localhost.
CELERY_BROKER_URL = _broker or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_SOFT_TIME_LIMIT = positive_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = positive_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Unacknowledged messages come back after this long; it must exceed the longest task (Redis broker).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 4}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Export files past their download window are deleted and their jobs marked expired.
    "expire-exports": {
        "task": "exports.tasks.export_jobs_expire",
        "schedule": crontab(minute="*/15"),
    },
    # Uploaded import workbooks and their annotated copies (representatives' names) 30 days after the job.
    "purge-import-files": {
        "task": "exports.imports.tasks.import_files_purge_run",
        "schedule": crontab(hour=3, minute=10),
    },
    # One email per overdue outcome report (the task claims each report once).
    "send-outcome-reminders": {
        "task": "factories.tasks.send_outcome_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # The live KPI snapshot dashboards read (kpi.snapshots.snapshot_refresh).
    "refresh-live-kpis": {
        "task": "kpi.tasks.refresh_live_kpis",
        "schedule": crontab(minute="*/10"),
    },
    # The official monthly KPI snapshot as of the last day of the previous month (CELERY_TIMEZONE is
    # Asia/Seoul, so 06:00 KST on the 1st).
    "freeze-monthly-kpis": {
        "task": "kpi.tasks.freeze_monthly_kpis",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # Access and security log rows past the retention (core.tasks.purge_access_log), 03:30 KST on the 2nd.
    "purge-access-log": {
        "task": "core.tasks.purge_access_log",
        "schedule": crontab(day_of_month=2, hour=3, minute=30),
    },
}

# 접속기록 (PIPC 「개인정보의 안전성 확보조치 기준」 art. 8): the views that log, how long rows are kept (two
# years at least: the database refuses to delete anything younger), and how many records one account may
# read in a month before the monthly review flags it.
ACCESS_LOG_RULES = "config.access_rules.RULES"
ACCESS_LOG_RETENTION_DAYS = positive_int("ACCESS_LOG_RETENTION_DAYS", default=730)
if ACCESS_LOG_RETENTION_DAYS < 730:
    raise ImproperlyConfigured("ACCESS_LOG_RETENTION_DAYS must be at least 730 (two years).")
ACCESS_REVIEW_MANY_RECORDS = positive_int("ACCESS_REVIEW_MANY_RECORDS", default=1000)

# A filtered or scoped KPI dashboard is computed from the snapshot's cells once, then served from the
# cache for this long (snapshots never change once taken; the key names the snapshot).
KPI_DASHBOARD_CACHE_SECONDS = env.int("KPI_DASHBOARD_CACHE_SECONDS", default=600)

# Export files: server-chosen names under this directory, which the web and worker processes share; a
# finished file can be downloaded for EXPORT_TTL_HOURS.
EXPORTS_ROOT = Path(env.str("EXPORTS_ROOT", default=str(BASE_DIR / "var" / "exports")))
EXPORT_TTL_HOURS = positive_int("EXPORT_TTL_HOURS", 24)
# Uploaded import workbooks and their annotated copies (server-chosen names), shared like EXPORTS_ROOT.
IMPORTS_ROOT = Path(env.str("IMPORTS_ROOT", default=str(BASE_DIR / "var" / "imports")))

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@smartfactory.example")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): only this origin, no inline script or style except with the
# per-request nonce (`{{ request.csp_nonce }}`), which is added to the header only on pages that use it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# Operations endpoints (/health/, /metrics) answer only a request carrying this token (header
# `Authorization: Bearer <token>` or `X-Health-Token`), a caller from OPS_ALLOWED_IPS (REMOTE_ADDR, never a
# forwarded header), or a signed-in staff user or official; everyone else gets 404.
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
OPS_ALLOWED_IPS: list[str] = env.list("OPS_ALLOWED_IPS", default=[])
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)

# Logs: one line per record with the request id (core.observability); JSON for log shippers in production
# (LOG_FORMAT=json), readable text by default.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json', got {LOG_FORMAT!r}.")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "core.observability.TextFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {
            "()": "core.observability.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces itself on every start of every process.
        "axes.apps": {"level": "WARNING"},
        # core.observability writes one line per request; runserver's own line would repeat it.
        "django.server": {"level": "WARNING"},
    },
}
