from django.urls import path

from factories import views_aggregates as views

app_name = "aggregates"

urlpatterns = [
    path("historical-figures/", views.aggregate_list, name="list"),
    path("historical-figures/import/", views.aggregate_import_view, name="import"),
]
