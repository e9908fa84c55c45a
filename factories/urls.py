from django.urls import path

from factories import views

app_name = "factories"

urlpatterns = [
    path("factories/", views.factory_list, name="list"),
    path("factories/<int:factory_id>/", views.factory_detail, name="detail"),
    path("factories/<int:factory_id>/close/", views.factory_close_view, name="close"),
    path("factories/complete/<int:application_id>/", views.factory_complete, name="complete"),
    path("factories/workplaces/<int:workplace_id>/levels/", views.workplace_levels, name="workplace-levels"),
]
