"""The auditors' pages under /audit/ (namespace `audit`)."""

from django.urls import path

from core import views_audit

app_name = "audit"

urlpatterns = [
    path("audit/access-log/", views_audit.access_log, name="access-log"),
    path("audit/security-log/", views_audit.security_log, name="security-log"),
    path("audit/access-review/", views_audit.access_review, name="access-review"),
]
