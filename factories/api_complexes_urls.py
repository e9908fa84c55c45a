from django.urls import path

from factories import api_complexes as api

urlpatterns = [
    path("complexes/", api.ComplexListApi.as_view(), name="api-complex-list"),
    path("complexes/create/", api.ComplexCreateApi.as_view(), name="api-complex-create"),
    path("complexes/summary/", api.ComplexSummaryApi.as_view(), name="api-complex-summary"),
    path("complexes/<int:complex_id>/", api.ComplexDetailApi.as_view(), name="api-complex-detail"),
    path("complexes/<int:complex_id>/update/", api.ComplexUpdateApi.as_view(), name="api-complex-update"),
    path(
        "complexes/<int:complex_id>/designate/",
        api.ComplexDesignateApi.as_view(),
        name="api-complex-designate",
    ),
    path(
        "complexes/<int:complex_id>/end-designation/",
        api.ComplexEndDesignationApi.as_view(),
        name="api-complex-end-designation",
    ),
    path(
        "complexes/<int:complex_id>/workplaces/",
        api.ComplexWorkplaceListApi.as_view(),
        name="api-complex-workplace-list",
    ),
    path(
        "complexes/<int:complex_id>/workplaces/add/",
        api.ComplexWorkplaceAddApi.as_view(),
        name="api-complex-workplace-add",
    ),
    path(
        "complexes/<int:complex_id>/workplaces/<int:workplace_id>/remove/",
        api.ComplexWorkplaceRemoveApi.as_view(),
        name="api-complex-workplace-remove",
    ),
    path(
        "complexes/<int:complex_id>/factories/",
        api.ComplexFactoryListApi.as_view(),
        name="api-complex-factory-list",
    ),
]
