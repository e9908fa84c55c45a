from django.urls import path

from kpi import views

app_name = "kpi"
urlpatterns = [
    path("kpi/", views.dashboard, name="dashboard"),
    path("kpi/export/<slug:chart_id>.xlsx", views.export, name="export"),
    path("kpi/freeze/", views.freeze, name="freeze"),
    path("kpi/refresh/", views.refresh, name="refresh"),
]
