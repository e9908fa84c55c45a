"""Sign-in, sign-out and the second factor (accounts/…)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from core import views_auth

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", views_auth.SignOutView.as_view(), name="logout"),
    path("accounts/two-factor/", views_auth.otp_verify_view, name="otp-verify"),
    path("accounts/two-factor/setup/", views_auth.otp_setup_view, name="otp-setup"),
    path("accounts/two-factor/replace/", views_auth.otp_replace_view, name="otp-replace"),
]
