from django.urls import path

from applications import views_agreements as views

app_name = "agreements"

urlpatterns = [
    path("applications/<int:application_id>/agreement/sign/", views.agreement_sign_view, name="sign"),
    path("agreements/", views.agreement_list, name="list"),
    path(
        "agreements/<int:agreement_id>/change-requests/new/",
        views.change_request_new,
        name="change-request-new",
    ),
    path("agreements/<int:agreement_id>/close/", views.agreement_close, name="close"),
    path("change-requests/", views.change_request_list, name="change-request-list"),
    path(
        "change-requests/<int:change_id>/decide/", views.change_request_decide, name="change-request-decide"
    ),
]
