"""API of the registry: companies, workplaces and suppliers."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.models import BusinessStatus, Company, SolutionDomain, Supplier, Workplace
from companies.selectors import (
    company_get_for_user,
    company_list_for_user,
    supplier_get_for_user,
    supplier_list_for_user,
    workplace_get_for_user,
    workplace_list_for_user,
)
from companies.services import (
    company_register,
    company_update,
    supplier_register,
    workplace_create,
    workplace_update,
)
from core.api.fields import KrwField, LocalizedNameField
from core.api.views import acting_user, validated
from core.models import FirmSizeClass, KsicDivision, Region


class CompanyOutput(serializers.ModelSerializer):
    name = LocalizedNameField()
    name_ko = serializers.CharField(source="organisation.name_ko")
    name_en = serializers.CharField(source="organisation.name_en")
    brn = serializers.CharField(source="brn_display")
    crn = serializers.CharField(source="crn_display")
    size_class = serializers.CharField(source="size_class.code")
    ksic = serializers.CharField(source="ksic.code")
    revenue_krw = KrwField(allow_zero=True)

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "name_ko",
            "name_en",
            "brn",
            "crn",
            "representative",
            "size_class",
            "ksic",
            "founded_on",
            "employees",
            "revenue_krw",
            "business_status",
            "has_tax_arrears",
            "in_insolvency",
            "has_financial_delinquency",
        ]


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="name or business registration number")
    size_class = django_filters.CharFilter(field_name="size_class__code")
    ksic = django_filters.CharFilter(field_name="ksic__code")

    class Meta:
        model = Company
        fields = ["q", "size_class", "ksic"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        digits = value.replace("-", "").strip()
        if digits.isdigit():
            return queryset.filter(brn__startswith=digits)
        return queryset.filter(organisation__name_ko__icontains=value.strip())


class CompanyListApi(ListAPIView):
    """Companies the user may see (own company, own region, or all for officials and auditors)."""

    serializer_class = CompanyOutput
    filterset_class = CompanyFilter

    def get_queryset(self) -> QuerySet[Any]:
        return company_list_for_user(self.request.user)


class CompanyInput(serializers.Serializer):
    brn = serializers.CharField(max_length=20)
    crn = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    representative = serializers.CharField(max_length=100)
    size_class = serializers.SlugRelatedField(
        slug_field="code", queryset=FirmSizeClass.objects.filter(valid_to__isnull=True)
    )
    ksic = serializers.SlugRelatedField(slug_field="code", queryset=KsicDivision.objects.all())
    founded_on = serializers.DateField()
    employees = serializers.IntegerField(min_value=0, max_value=1_000_000)
    revenue_krw = KrwField(allow_zero=True)


class CompanyRegisterApi(APIView):
    @extend_schema(request=CompanyInput, responses={201: CompanyOutput}, summary="Register a company")
    def post(self, request: Request) -> Response:
        data = validated(CompanyInput, request.data)
        company = company_register(actor=acting_user(request), **data)
        return Response(CompanyOutput(company).data, status=status.HTTP_201_CREATED)


class CompanyDetailApi(APIView):
    @extend_schema(responses=CompanyOutput, summary="A company")
    def get(self, request: Request, company_id: int) -> Response:
        return Response(CompanyOutput(company_get_for_user(request.user, company_id)).data)


class CompanyUpdateInput(serializers.Serializer):
    brn = serializers.CharField(max_length=20, required=False)
    crn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    name_ko = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    representative = serializers.CharField(max_length=100, required=False)
    size_class = serializers.SlugRelatedField(
        slug_field="code", queryset=FirmSizeClass.objects.filter(valid_to__isnull=True), required=False
    )
    ksic = serializers.SlugRelatedField(
        slug_field="code", queryset=KsicDivision.objects.all(), required=False
    )
    founded_on = serializers.DateField(required=False)
    employees = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    revenue_krw = KrwField(allow_zero=True, required=False)
    business_status = serializers.ChoiceField(choices=BusinessStatus.choices, required=False)
    has_tax_arrears = serializers.BooleanField(required=False)
    in_insolvency = serializers.BooleanField(required=False)
    has_financial_delinquency = serializers.BooleanField(required=False)


class CompanyUpdateApi(APIView):
    @extend_schema(request=CompanyUpdateInput, responses=CompanyOutput, summary="Change a company's details")
    def patch(self, request: Request, company_id: int) -> Response:
        company = company_get_for_user(request.user, company_id)
        data = validated(CompanyUpdateInput, request.data)
        company = company_update(company=company, actor=acting_user(request), **data)
        return Response(CompanyOutput(company_get_for_user(request.user, company.pk)).data)


class WorkplaceOutput(serializers.ModelSerializer):
    company_id = serializers.IntegerField()
    company_name = serializers.CharField(source="company.name")
    region = serializers.CharField(source="region.slug")
    region_name = serializers.CharField(source="region.name")
    ksic = serializers.CharField(source="ksic.code")

    class Meta:
        model = Workplace
        fields = [
            "id",
            "company_id",
            "company_name",
            "name",
            "postal_code",
            "address",
            "region",
            "region_name",
            "ksic",
            "is_active",
        ]


class CompanyWorkplaceListApi(ListAPIView):
    """Workplaces of a company that the user may see."""

    serializer_class = WorkplaceOutput
    queryset = Workplace.objects.none()  # for the schema; requests use the scoped selector below

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        company = company_get_for_user(self.request.user, self.kwargs["company_id"])
        return workplace_list_for_user(self.request.user, company=company)


class WorkplaceInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=5)
    address = serializers.CharField(max_length=300)
    region = serializers.SlugRelatedField(slug_field="slug", queryset=Region.objects.all())
    ksic = serializers.SlugRelatedField(slug_field="code", queryset=KsicDivision.objects.all())


class WorkplaceCreateApi(APIView):
    @extend_schema(request=WorkplaceInput, responses={201: WorkplaceOutput}, summary="Add a workplace")
    def post(self, request: Request, company_id: int) -> Response:
        company = company_get_for_user(request.user, company_id)
        data = validated(WorkplaceInput, request.data)
        workplace = workplace_create(company=company, actor=acting_user(request), **data)
        return Response(
            WorkplaceOutput(workplace_get_for_user(request.user, workplace.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class WorkplaceDetailApi(APIView):
    @extend_schema(responses=WorkplaceOutput, summary="A workplace")
    def get(self, request: Request, workplace_id: int) -> Response:
        return Response(WorkplaceOutput(workplace_get_for_user(request.user, workplace_id)).data)


class WorkplaceUpdateInput(WorkplaceInput):
    is_active = serializers.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class WorkplaceUpdateApi(APIView):
    @extend_schema(request=WorkplaceUpdateInput, responses=WorkplaceOutput, summary="Change a workplace")
    def patch(self, request: Request, workplace_id: int) -> Response:
        workplace = workplace_get_for_user(request.user, workplace_id)
        data = validated(WorkplaceUpdateInput, request.data)
        workplace_update(workplace=workplace, actor=acting_user(request), **data)
        return Response(WorkplaceOutput(workplace_get_for_user(request.user, workplace_id)).data)


class SupplierOutput(serializers.ModelSerializer):
    name = LocalizedNameField()
    brn = serializers.CharField(source="brn_display")
    region = serializers.CharField(source="region.slug")

    class Meta:
        model = Supplier
        fields = ["id", "name", "brn", "representative", "region", "domains", "employees", "is_active"]


class SupplierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="organisation__name_ko", lookup_expr="icontains")
    region = django_filters.CharFilter(field_name="region__slug")
    domain = django_filters.ChoiceFilter(choices=SolutionDomain.choices, method="by_domain")

    class Meta:
        model = Supplier
        fields = ["q", "region", "domain"]

    def by_domain(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(domains__contains=[value])


class SupplierListApi(ListAPIView):
    """Supply companies (active ones for everyone signed in; all for officials and auditors)."""

    serializer_class = SupplierOutput
    filterset_class = SupplierFilter

    def get_queryset(self) -> QuerySet[Any]:
        return supplier_list_for_user(self.request.user)


class SupplierInput(serializers.Serializer):
    brn = serializers.CharField(max_length=20)
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    representative = serializers.CharField(max_length=100)
    region = serializers.SlugRelatedField(slug_field="slug", queryset=Region.objects.all())
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=SolutionDomain.choices), required=False
    )
    employees = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class SupplierRegisterApi(APIView):
    @extend_schema(request=SupplierInput, responses={201: SupplierOutput}, summary="Register a supplier")
    def post(self, request: Request) -> Response:
        data = validated(SupplierInput, request.data)
        supplier = supplier_register(actor=acting_user(request), **data)
        return Response(SupplierOutput(supplier).data, status=status.HTTP_201_CREATED)


class SupplierDetailApi(APIView):
    @extend_schema(responses=SupplierOutput, summary="A supplier")
    def get(self, request: Request, supplier_id: int) -> Response:
        return Response(SupplierOutput(supplier_get_for_user(request.user, supplier_id)).data)
