from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core and reference data")

    def ready(self) -> None:
        # Registers the OpenAPI extension for token authentication.
        from core.api import schema  # noqa: F401
