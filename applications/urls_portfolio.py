from django.urls import path

from applications import views_portfolio as views

app_name = "portfolio"

urlpatterns = [
    path("partners/portfolio/", views.portfolio, name="portfolio"),
    path("partners/comparison/", views.comparison, name="comparison"),
]
