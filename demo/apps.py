from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and national-scale data generation. It sits above every domain app (it uses all of them)."""

    name = "demo"
    verbose_name = _("Demo data")
