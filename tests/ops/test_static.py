"""The production static-files build: collectstatic with the hashed, compressed manifest storage succeeds
(every url() in every stylesheet resolves, krds-uiux's included) and the pages' files are in it."""

from __future__ import annotations

import json

from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_builds_the_manifest(tmp_path):
    with override_settings(STORAGES=PRODUCTION_STORAGES, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--noinput", "-v", "0")
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("css/app.css", "js/app.js", "krds/css/component/output.css", "htmx/htmx.min.js"):
        assert name in manifest, name
    # The icons krds-uiux's stylesheet asks for under img/img/ are there, hashed.
    assert "krds/img/img/component/icon/ico_angle.svg" in manifest
