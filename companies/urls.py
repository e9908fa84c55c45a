from django.urls import path

from companies import views

app_name = "companies"

urlpatterns = [
    path("companies/", views.company_list, name="list"),
    path("companies/mine/", views.my_company, name="mine"),
    path("companies/register/", views.company_register_view, name="register"),
    path("companies/<int:company_id>/", views.company_detail, name="detail"),
    path("companies/<int:company_id>/edit/", views.company_edit, name="edit"),
    path("companies/<int:company_id>/workplaces/new/", views.workplace_new, name="workplace-new"),
    path("workplaces/<int:workplace_id>/edit/", views.workplace_edit, name="workplace-edit"),
]
