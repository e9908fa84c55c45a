from django.urls import path

from factories import views_complexes as views

app_name = "complexes"

urlpatterns = [
    path("complexes/", views.complex_list, name="list"),
    path("complexes/new/", views.complex_new, name="new"),
    path("complexes/<int:complex_id>/", views.complex_detail, name="detail"),
    path("complexes/<int:complex_id>/edit/", views.complex_edit, name="edit"),
    path("complexes/<int:complex_id>/designate/", views.complex_designate_view, name="designate"),
    path("complexes/<int:complex_id>/end-designation/", views.complex_end_view, name="end-designation"),
    path(
        "complexes/<int:complex_id>/workplaces/add/", views.complex_workplace_add_view, name="workplace-add"
    ),
    path(
        "complexes/<int:complex_id>/workplaces/<int:workplace_id>/remove/",
        views.complex_workplace_remove_view,
        name="workplace-remove",
    ),
]
