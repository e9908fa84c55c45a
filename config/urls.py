from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import home, signup

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
]

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", signup, name="signup"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
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
]
