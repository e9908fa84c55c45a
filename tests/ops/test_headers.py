"""Security headers on every kind of response, and pages that need no 'unsafe-inline' (ASVS 3.4, 14.3.2)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.ops.conftest import assert_strict_html, csp_directives, csp_nonce

pytestmark = pytest.mark.django_db


def assert_csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    d = csp_directives(header)
    assert d["default-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"]
    assert d["base-uri"] == ["'self'"]
    assert d["form-action"] == ["'self'"]
    assert d["img-src"] == ["'self'", "data:"]
    for directive in ("script-src", "style-src"):
        sources = d[directive]
        assert sources[0] == "'self'"
        # Only this origin and, on pages that use it, this response's nonce: no CDN, no unsafe-*.
        assert all(s == "'self'" or s.startswith("'nonce-") for s in sources), sources
    assert "unsafe" not in header
    assert "http:" not in header
    assert "https:" not in header
    return d


def assert_common_headers(response, *, private: bool) -> None:
    assert_csp(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    if private:
        assert "no-store" in response["Cache-Control"], response.get("Cache-Control")


def test_login_page(anonymous):
    response = anonymous.browser().get(reverse("login"))
    assert response.status_code == 200
    assert_common_headers(response, private=True)  # Django's login view is never_cache
    assert_strict_html(response)


def test_list_detail_and_form_pages(draft, sme_owner):
    browser = sme_owner.browser()
    for url in (
        reverse("applications:list"),
        reverse("applications:detail", args=[draft.pk]),
        reverse("applications:edit", args=[draft.pk, "plan"]),
        reverse("companies:edit", args=[sme_owner.company.pk]),
    ):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert_common_headers(response, private=True)
        assert_strict_html(response)


def test_the_dashboard_keeps_its_charts_without_inline_script(kpi_world, official):
    response = official.browser().get(reverse("kpi:dashboard"))
    assert response.status_code == 200
    assert_common_headers(response, private=True)
    assert_strict_html(response)
    page = response.content.decode()
    # Chart.js and the drawing script come from this origin; the data is an inert JSON block.
    assert "/static/chartjs/chart.umd.min.js" in page
    assert "/static/js/kpi.js" in page
    assert "data-kpi-chart" in page
    assert 'type="application/json"' in page


def test_htmx_is_told_not_to_inject_its_style(sme_owner):
    page = sme_owner.browser().get(reverse("applications:list")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page
    assert "/static/htmx/htmx.min.js" in page


def test_error_pages(sme_owner, evaluator, kpi_world):
    not_found = sme_owner.browser().get("/no/such/page/")
    assert not_found.status_code == 404
    assert_common_headers(not_found, private=True)
    assert_strict_html(not_found)
    denied = evaluator.browser().get(reverse("kpi:export", args=["deployments_by_region"]))
    assert denied.status_code == 403
    assert_common_headers(denied, private=True)


def test_api_json_and_file_download(kpi_world, official):
    api = official.api().get("/api/v1/kpi/dashboard/")
    assert api.status_code == 200
    assert api["Content-Type"].startswith("application/json")
    assert_common_headers(api, private=True)
    download = official.browser().get(reverse("kpi:export", args=["deployments_by_region"]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_common_headers(download, private=True)


def test_api_errors_are_not_cached_either(anonymous):
    response = anonymous.api().get("/api/v1/kpi/dashboard/")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]
    assert_csp(response)


def test_swagger_ui_runs_under_the_csp_with_a_nonce(official):
    response = official.browser().get("/api/docs/")
    assert response.status_code == 200
    directives = assert_csp(response)
    nonce = csp_nonce(response["Content-Security-Policy"])
    assert nonce
    assert f"'nonce-{nonce}'" in directives["script-src"]
    page = response.content.decode()
    assert f'<script nonce="{nonce}">' in page
    assert "SwaggerUIBundle(" in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/static/css/swagger.css" in page
    assert_strict_html(response)


def test_swagger_and_schema_are_not_public(anonymous):
    client = anonymous.api()
    for url in ("/api/docs/", "/api/schema/"):
        response = client.get(url)
        assert response.status_code == 401, url
        assert "openapi" not in response.content.decode().lower()


def test_the_nonce_differs_per_response(official):
    browser = official.browser()
    first = csp_nonce(browser.get("/api/docs/")["Content-Security-Policy"])
    second = csp_nonce(browser.get("/api/docs/")["Content-Security-Policy"])
    assert first
    assert second
    assert first != second


def test_pages_without_inline_code_carry_no_nonce(sme_owner):
    # The nonce appears only where a page uses it, so ordinary pages allow nothing but 'self'.
    header = sme_owner.browser().get(reverse("applications:list"))["Content-Security-Policy"]
    assert csp_nonce(header) is None


NAV = re.compile(r'<nav class="app-nav"[^>]*>(.*?)</nav>', re.S)


@pytest.mark.parametrize("who", ["official", "sme_owner", "partner", "regional_officer", "auditor"])
def test_every_navigation_page_is_strict(kpi_world, who, request):
    persona = request.getfixturevalue(who)
    browser = persona.browser()
    home = browser.get("/", follow=True)
    nav = NAV.search(home.content.decode())
    assert nav, "no navigation"
    urls = re.findall(r'href="([^"]+)"', nav.group(1))
    assert urls
    for url in urls:
        response = browser.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        assert_common_headers(response, private=True)
        assert_strict_html(response)
