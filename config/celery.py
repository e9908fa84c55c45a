"""Celery application.

With no `CELERY_BROKER_URL` the tasks run eagerly in the web process (the demo's embedded default); with
one set, a worker (`celery -A config worker`) and beat (`celery -A config beat`) run them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("smartfactory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
