"""The project's URLs plus views that fail on purpose (error-page tests)."""

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns
from core.observability import current_request_id

SECRET_DETAIL = "postgres://app:hunter2@db.internal/smartfactory"


def log_inside(request: HttpRequest) -> HttpResponse:
    logging.getLogger("tests.ops.inside").warning("inside the view")
    return HttpResponse(current_request_id() or "")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"could not connect to {SECRET_DETAIL}")


class BoomApi(APIView):
    def get(self, request: Request) -> Response:
        raise RuntimeError(f"could not connect to {SECRET_DETAIL}")


urlpatterns = [
    path("boom/", boom),
    path("log-inside/", log_inside),
    path("api/v1/boom/", BoomApi.as_view()),
    *project_urlpatterns,
]
