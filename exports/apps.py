from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports and imports")

    def ready(self) -> None:
        # Celery autodiscovers `exports.tasks` only; the import task lives in the imports package.
        from exports.imports import tasks  # noqa: F401
