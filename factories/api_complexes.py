"""API of leading smart industrial complexes (선도 스마트산단): complexes, designation, the workplaces
and factories inside, and the count designated against the target of 10."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.selectors import workplace_get_for_user
from core.api.views import acting_user, validated
from core.models import Region
from factories.complexes import (
    complex_create,
    complex_designate,
    complex_end_designation,
    complex_factories,
    complex_get_for_user,
    complex_list_for_user,
    complex_target_progress,
    complex_update,
    complex_workplace_add,
    complex_workplace_remove,
    complex_workplaces,
    complexes_designated,
)
from factories.models import ComplexWorkplace, Factory, IndustrialComplex
from factories.permissions import can_manage_complexes, can_view_complexes


def _require_manager(request: Request) -> None:
    if not can_manage_complexes(request.user):
        raise DrfPermissionDenied()


class ComplexOutput(serializers.ModelSerializer):
    region = serializers.CharField(source="region.slug")
    n_workplaces = serializers.IntegerField()

    class Meta:
        model = IndustrialComplex
        fields = [
            "id",
            "name_ko",
            "name_en",
            "region",
            "designated_on",
            "designation_ended_on",
            "operator",
            "description",
            "n_workplaces",
            "created_at",
        ]


def _complex(request: Request, complex_id: int) -> Response:
    return Response(ComplexOutput(complex_get_for_user(request.user, complex_id)).data)


class ComplexFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__slug")
    designated = django_filters.BooleanFilter(field_name="designated_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = IndustrialComplex
        fields = ["region", "designated"]


class ComplexListApi(ListAPIView):
    """Industrial complexes (officials, auditors, regional officers and finance see them all)."""

    serializer_class = ComplexOutput
    filterset_class = ComplexFilter

    def get_queryset(self) -> QuerySet[Any]:
        return complex_list_for_user(self.request.user)


class ComplexDetailApi(APIView):
    @extend_schema(responses=ComplexOutput, summary="An industrial complex")
    def get(self, request: Request, complex_id: int) -> Response:
        return _complex(request, complex_id)


class ComplexInput(serializers.Serializer):
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    region = serializers.SlugRelatedField(slug_field="slug", queryset=Region.objects.all())
    operator = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class ComplexCreateApi(APIView):
    @extend_schema(
        request=ComplexInput, responses={201: ComplexOutput}, summary="Register an industrial complex"
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        made = complex_create(actor=actor, **validated(ComplexInput, request.data))
        return _complex_created(request, made)


def _complex_created(request: Request, made: IndustrialComplex) -> Response:
    return Response(
        ComplexOutput(complex_get_for_user(request.user, made.pk)).data, status=status.HTTP_201_CREATED
    )


class ComplexUpdateInput(serializers.Serializer):
    name_ko = serializers.CharField(max_length=200, required=False)
    name_en = serializers.CharField(max_length=200, required=False)
    region = serializers.SlugRelatedField(slug_field="slug", queryset=Region.objects.all(), required=False)
    operator = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5_000, required=False, allow_blank=True)


class ComplexUpdateApi(APIView):
    @extend_schema(
        request=ComplexUpdateInput, responses=ComplexOutput, summary="Correct an industrial complex"
    )
    def post(self, request: Request, complex_id: int) -> Response:
        actor = acting_user(request)
        found = complex_get_for_user(request.user, complex_id)
        complex_update(complex=found, actor=actor, **validated(ComplexUpdateInput, request.data))
        return _complex(request, complex_id)


class DesignateInput(serializers.Serializer):
    designated_on = serializers.DateField()


class ComplexDesignateApi(APIView):
    @extend_schema(
        request=DesignateInput,
        responses=ComplexOutput,
        summary="Designate as a leading smart industrial complex (409 when already designated)",
    )
    def post(self, request: Request, complex_id: int) -> Response:
        actor = acting_user(request)
        found = complex_get_for_user(request.user, complex_id)
        complex_designate(complex=found, actor=actor, **validated(DesignateInput, request.data))
        return _complex(request, complex_id)


class EndDesignationInput(serializers.Serializer):
    ended_on = serializers.DateField()


class ComplexEndDesignationApi(APIView):
    @extend_schema(
        request=EndDesignationInput, responses=ComplexOutput, summary="End a complex's designation"
    )
    def post(self, request: Request, complex_id: int) -> Response:
        actor = acting_user(request)
        found = complex_get_for_user(request.user, complex_id)
        complex_end_designation(complex=found, actor=actor, **validated(EndDesignationInput, request.data))
        return _complex(request, complex_id)


class MemberOutput(serializers.ModelSerializer):
    workplace_id = serializers.IntegerField()
    workplace_name = serializers.CharField(source="workplace.name")
    company_name = serializers.CharField(source="workplace.company.organisation.name_ko")
    region = serializers.CharField(source="workplace.region.slug")

    class Meta:
        model = ComplexWorkplace
        fields = ["id", "workplace_id", "workplace_name", "company_name", "region", "added_at"]


class ComplexWorkplaceListApi(ListAPIView):
    """The workplaces inside a complex."""

    serializer_class = MemberOutput

    queryset = ComplexWorkplace.objects.none()  # for the schema; requests use the scoped selector

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        found = complex_get_for_user(self.request.user, self.kwargs["complex_id"])
        return complex_workplaces(found)


class ComplexWorkplaceInput(serializers.Serializer):
    workplace_id = serializers.IntegerField(min_value=1)


class ComplexWorkplaceAddApi(APIView):
    @extend_schema(
        request=ComplexWorkplaceInput,
        responses={201: MemberOutput},
        summary="Place a workplace inside a complex (409 when it is inside one already)",
    )
    def post(self, request: Request, complex_id: int) -> Response:
        actor = acting_user(request)
        found = complex_get_for_user(request.user, complex_id)
        data = validated(ComplexWorkplaceInput, request.data)
        _require_manager(request)  # before looking the workplace up: a 403, never a hint about it
        workplace = workplace_get_for_user(request.user, data["workplace_id"])
        member = complex_workplace_add(complex=found, actor=actor, workplace=workplace)
        member = complex_workplaces(found).get(pk=member.pk)
        return Response(MemberOutput(member).data, status=status.HTTP_201_CREATED)


class ComplexWorkplaceRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Take a workplace out of a complex")
    def post(self, request: Request, complex_id: int, workplace_id: int) -> Response:
        actor = acting_user(request)
        found = complex_get_for_user(request.user, complex_id)
        _require_manager(request)
        workplace = workplace_get_for_user(request.user, workplace_id)
        complex_workplace_remove(complex=found, actor=actor, workplace=workplace)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ComplexFactoryOutput(serializers.ModelSerializer):
    workplace_name = serializers.CharField(source="workplace.name")
    company_name = serializers.CharField(source="company.organisation.name_ko")
    level = serializers.CharField(source="level.code")

    class Meta:
        model = Factory
        fields = [
            "id",
            "workplace_id",
            "workplace_name",
            "company_name",
            "origin",
            "program_type",
            "completion_year",
            "completed_on",
            "level",
            "counted",
            "closed_on",
        ]


class ComplexFactoryListApi(ListAPIView):
    """The smart factories of the complex's workplaces, within the user's own factory scope."""

    serializer_class = ComplexFactoryOutput

    queryset = Factory.objects.none()  # for the schema; requests use the scoped selector

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        found = complex_get_for_user(self.request.user, self.kwargs["complex_id"])
        return complex_factories(self.request.user, found)


class ComplexTargetOutput(serializers.Serializer):
    code = serializers.CharField(source="target.code")
    label = serializers.CharField(source="target.label")  # type: ignore[assignment]  # a field
    target_value = serializers.IntegerField(source="target.target_value")
    deadline = serializers.DateField(source="target.deadline")
    achieved = serializers.IntegerField()


class ComplexSummaryOutput(serializers.Serializer):
    as_of = serializers.DateField()
    designated = serializers.IntegerField()
    targets = ComplexTargetOutput(many=True)


class SummaryQuery(serializers.Serializer):
    as_of = serializers.DateField(required=False)


class ComplexSummaryApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, required=False, description="a date (YYYY-MM-DD)")],
        responses=ComplexSummaryOutput,
        summary="How many complexes are designated, against the target",
    )
    def get(self, request: Request) -> Response:
        if not can_view_complexes(request.user):
            raise DrfPermissionDenied()
        as_of = validated(SummaryQuery, request.query_params).get("as_of") or timezone.localdate()
        data = {
            "as_of": as_of,
            "designated": complexes_designated(as_of),
            "targets": complex_target_progress(as_of),
        }
        return Response(ComplexSummaryOutput(data).data)
