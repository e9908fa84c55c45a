from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core and reference data")

    def ready(self) -> None:
        # Registers the OpenAPI extension for token authentication.
        from core.api import schema  # noqa: F401

        # Carries the request id from a request into the Celery tasks it queues (core.observability).
        from core.observability import connect_celery_signals

        connect_celery_signals()
        # Failed sign-ins and lockouts into the security log; the session clocks (core.signals_auth).
        from core.signals_auth import connect as connect_auth_signals

        connect_auth_signals()
