from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import home, signup
from core.views_health import health, metrics

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("programs.api_urls")),
    path("", include("companies.api_urls")),
    path("", include("applications.api_urls")),
    path("", include("partners.api_urls")),
    path("", include("applications.api_portfolio_urls")),
    path("", include("applications.api_matching_urls")),
    path("", include("applications.api_agreements_urls")),
    path("", include("funding.api_urls")),
    path("", include("funding.api_reports_urls")),
    path("", include("factories.api_urls")),
    path("", include("factories.api_outcomes_urls")),
    path("", include("factories.api_complexes_urls")),
    path("", include("factories.api_aggregates_urls")),
    path("", include("training.api_urls")),
    path("", include("kpi.api_urls")),
    path("", include("exports.api_urls")),
]

urlpatterns = [
    path("", home, name="home"),
    # Sign-in with lockout, the second factor, sign-out of every session (core.views_auth).
    path("", include("core.urls_auth")),
    path("accounts/signup/", signup, name="signup"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Our template gives the init script the CSP nonce (no 'unsafe-inline').
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    # Private operations endpoints (404 unless HEALTH_TOKEN, OPS_ALLOWED_IPS, staff or official).
    path("health/", health, name="health"),
    path("metrics", metrics, name="prometheus-metrics"),
    path("", include("programs.urls")),
    path("", include("companies.urls")),
    path("", include("applications.urls")),
    path("", include("partners.urls")),
    path("", include("applications.urls_portfolio")),
    path("", include("applications.urls_matching")),
    path("", include("applications.urls_agreements")),
    path("", include("funding.urls")),
    path("", include("factories.urls")),
    path("", include("factories.urls_outcomes")),
    path("", include("factories.urls_complexes")),
    path("", include("factories.urls_aggregates")),
    path("", include("training.urls")),
    path("", include("kpi.urls")),
    path("", include("exports.urls")),
    path("", include("core.urls_audit")),
]

# Generic error pages, JSON under /api/; never a traceback (core.views_errors).
handler400 = "core.views_errors.bad_request"
handler403 = "core.views_errors.permission_denied"
handler404 = "core.views_errors.page_not_found"
handler500 = "core.views_errors.server_error"
