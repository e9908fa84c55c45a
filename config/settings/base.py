"""Settings shared by every environment. Environment-specific files import * from here."""

from __future__ import annotations

from celery.schedules import crontab

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
    "pgtrigger",
    "pghistory",
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
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Groups the audit events of a request and records its user and URL with them.
    "pghistory.middleware.HistoryMiddleware",
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
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
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
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@smartfactory.example")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
