from django.urls import path  # noqa: F401 - filled in as the API arrives

urlpatterns: list = []
