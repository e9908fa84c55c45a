from django.urls import path  # noqa: F401 - filled in as the pages arrive

app_name = "kpi"
urlpatterns: list = []
