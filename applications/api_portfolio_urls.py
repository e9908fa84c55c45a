from django.urls import path

from applications import api_portfolio as api

urlpatterns = [
    path("partners/portfolio/", api.PortfolioApi.as_view(), name="api-partner-portfolio"),
    path(
        "partners/portfolio/mentees/",
        api.PortfolioMenteeListApi.as_view(),
        name="api-partner-portfolio-mentees",
    ),
    path("partners/comparison/", api.ComparisonApi.as_view(), name="api-partner-comparison"),
]
