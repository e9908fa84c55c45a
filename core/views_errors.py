"""Error pages (handler400/403/404/500): generic text, never a traceback, SQL or exception message.

API paths get the API's JSON error body `{code, message, fields}` instead of an HTML page, so a client
of `/api/` never has to parse HTML, even for a URL that matches no route or a server error that escaped
the DRF exception handler. The 500 page is rendered without a request context: when the database is the
thing that failed, evaluating the user or the navigation would fail again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from core.api.errors import error_body


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    body = loader.get_template(template).render({"request_path": request.path}, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("bad_request", _("The request could not be understood.")), status=400)
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body("permission_denied", _("You do not have permission to do this.")), status=403
        )
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", _("Something went wrong on our side. Please try again later.")),
            status=500,
        )
    return HttpResponse(loader.get_template("500.html").render(), status=500)
