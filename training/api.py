"""API of workforce training: providers, courses, cohorts and the trained-workers totals."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import StrictIntegerField
from core.api.views import acting_user, validated
from core.models import Region
from training.models import CourseLevel, ProviderKind, TrainingCohort, TrainingCourse, TrainingProvider
from training.permissions import can_view_training
from training.selectors import (
    BREAKDOWNS,
    cohort_get_for_user,
    cohort_list_for_user,
    course_get_for_user,
    course_list_for_user,
    provider_get_for_user,
    provider_list_for_user,
    trained_workers,
    training_target_progress,
)
from training.services import (
    cohort_record,
    cohort_update,
    course_create,
    course_update,
    provider_create,
    provider_update,
)


def _require_view(request: Request) -> None:
    if not can_view_training(request.user):
        raise DrfPermissionDenied()


# --- providers -------------------------------------------------------------------------------------------


class ProviderOutput(serializers.ModelSerializer):
    name_ko = serializers.CharField(source="organisation.name_ko")
    name_en = serializers.CharField(source="organisation.name_en")
    organisation_id = serializers.IntegerField()
    region = serializers.CharField(source="region.slug")

    class Meta:
        model = TrainingProvider
        fields = ["id", "organisation_id", "name_ko", "name_en", "kind", "region", "is_active", "created_at"]


class ProviderListApi(ListAPIView):
    """Training providers the user may see (a provider's members: their own)."""

    serializer_class = ProviderOutput

    def get_queryset(self) -> QuerySet[Any]:
        return provider_list_for_user(self.request.user)


class ProviderDetailApi(APIView):
    @extend_schema(responses=ProviderOutput, summary="A training provider")
    def get(self, request: Request, provider_id: int) -> Response:
        return Response(ProviderOutput(provider_get_for_user(request.user, provider_id)).data)


class ProviderInput(serializers.Serializer):
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=ProviderKind.choices)
    region = serializers.SlugRelatedField(slug_field="slug", queryset=Region.objects.all())


class ProviderCreateApi(APIView):
    @extend_schema(
        request=ProviderInput, responses={201: ProviderOutput}, summary="Register a training provider"
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        made = provider_create(actor=actor, **validated(ProviderInput, request.data))
        return Response(ProviderOutput(made).data, status=status.HTTP_201_CREATED)


class ProviderUpdateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProviderKind.choices, required=False)
    region = serializers.SlugRelatedField(slug_field="slug", queryset=Region.objects.all(), required=False)
    is_active = serializers.BooleanField(required=False)


class ProviderUpdateApi(APIView):
    @extend_schema(
        request=ProviderUpdateInput, responses=ProviderOutput, summary="Change or deactivate a provider"
    )
    def post(self, request: Request, provider_id: int) -> Response:
        actor = acting_user(request)
        provider = provider_get_for_user(request.user, provider_id)
        data = validated(ProviderUpdateInput, request.data)
        return Response(ProviderOutput(provider_update(provider=provider, actor=actor, **data)).data)


# --- courses -----------------------------------------------------------------------------------------------


class CourseOutput(serializers.ModelSerializer):
    provider_id = serializers.IntegerField()
    provider_name = serializers.CharField(source="provider.organisation.name_ko")

    class Meta:
        model = TrainingCourse
        fields = ["id", "provider_id", "provider_name", "title_ko", "title_en", "level", "hours", "is_active"]


class CourseFilter(django_filters.FilterSet):
    provider = django_filters.NumberFilter(field_name="provider_id")
    level = django_filters.ChoiceFilter(choices=CourseLevel.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = TrainingCourse
        fields = ["provider", "level", "is_active"]


class CourseListApi(ListAPIView):
    """Training courses of the providers the user may see."""

    serializer_class = CourseOutput
    filterset_class = CourseFilter

    def get_queryset(self) -> QuerySet[Any]:
        return course_list_for_user(self.request.user)


class CourseInput(serializers.Serializer):
    title_ko = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=CourseLevel.choices)
    hours = StrictIntegerField(min_value=1, max_value=2_000)


class CourseCreateApi(APIView):
    @extend_schema(request=CourseInput, responses={201: CourseOutput}, summary="Add a course to a provider")
    def post(self, request: Request, provider_id: int) -> Response:
        actor = acting_user(request)
        provider = provider_get_for_user(request.user, provider_id)
        data = validated(CourseInput, request.data)
        made = course_create(actor=actor, provider=provider, **data)
        return Response(CourseOutput(made).data, status=status.HTTP_201_CREATED)


class CourseUpdateInput(serializers.Serializer):
    title_ko = serializers.CharField(max_length=200, required=False)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    level = serializers.ChoiceField(choices=CourseLevel.choices, required=False)
    hours = StrictIntegerField(min_value=1, max_value=2_000, required=False)
    is_active = serializers.BooleanField(required=False)


class CourseUpdateApi(APIView):
    @extend_schema(request=CourseUpdateInput, responses=CourseOutput, summary="Correct or retire a course")
    def post(self, request: Request, course_id: int) -> Response:
        actor = acting_user(request)
        course = course_get_for_user(request.user, course_id)
        data = validated(CourseUpdateInput, request.data)
        return Response(CourseOutput(course_update(course=course, actor=actor, **data)).data)


# --- cohorts -----------------------------------------------------------------------------------------------


class CohortOutput(serializers.ModelSerializer):
    course_id = serializers.IntegerField()
    course_title = serializers.CharField(source="course.title_ko")
    provider_id = serializers.IntegerField(source="course.provider_id")
    provider_name = serializers.CharField(source="course.provider.organisation.name_ko")
    provider_kind = serializers.CharField(source="course.provider.kind")
    region = serializers.CharField(source="course.provider.region.slug")
    recorded_by = serializers.CharField(source="recorded_by.__str__")

    class Meta:
        model = TrainingCohort
        fields = [
            "id",
            "course_id",
            "course_title",
            "provider_id",
            "provider_name",
            "provider_kind",
            "region",
            "period_start",
            "period_end",
            "year",
            "enrolled",
            "completed",
            "note",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]


class CohortFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter()
    provider = django_filters.NumberFilter(field_name="course__provider_id")
    course = django_filters.NumberFilter(field_name="course_id")
    kind = django_filters.ChoiceFilter(field_name="course__provider__kind", choices=ProviderKind.choices)

    class Meta:
        model = TrainingCohort
        fields = ["year", "provider", "course", "kind"]


class CohortListApi(ListAPIView):
    """Cohorts of the providers the user may see, latest first."""

    serializer_class = CohortOutput
    filterset_class = CohortFilter

    def get_queryset(self) -> QuerySet[Any]:
        return cohort_list_for_user(self.request.user)


class CohortDetailApi(APIView):
    @extend_schema(responses=CohortOutput, summary="A training cohort")
    def get(self, request: Request, cohort_id: int) -> Response:
        return Response(CohortOutput(cohort_get_for_user(request.user, cohort_id)).data)


class CohortInput(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    enrolled = StrictIntegerField(min_value=1, max_value=10_000)
    completed = StrictIntegerField(min_value=0, max_value=10_000, required=False, default=0)
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class CohortRecordApi(APIView):
    @extend_schema(
        request=CohortInput,
        responses={201: CohortOutput},
        summary="Record a cohort of a course (its provider's members or officials)",
    )
    def post(self, request: Request, course_id: int) -> Response:
        actor = acting_user(request)
        course = course_get_for_user(request.user, course_id)
        data = validated(CohortInput, request.data)
        made = cohort_record(actor=actor, course=course, **data)
        return Response(CohortOutput(made).data, status=status.HTTP_201_CREATED)


class CohortUpdateInput(serializers.Serializer):
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    enrolled = StrictIntegerField(min_value=1, max_value=10_000, required=False)
    completed = StrictIntegerField(min_value=0, max_value=10_000, required=False)
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True)


class CohortUpdateApi(APIView):
    @extend_schema(
        request=CohortUpdateInput, responses=CohortOutput, summary="Correct a cohort or enter its completions"
    )
    def post(self, request: Request, cohort_id: int) -> Response:
        actor = acting_user(request)
        cohort = cohort_get_for_user(request.user, cohort_id)
        data = validated(CohortUpdateInput, request.data)
        return Response(CohortOutput(cohort_update(cohort=cohort, actor=actor, **data)).data)


# --- totals ------------------------------------------------------------------------------------------


class TrainedYearOutput(serializers.Serializer):
    year = serializers.IntegerField()
    completed = serializers.IntegerField()
    cumulative = serializers.IntegerField()
    from_aggregates = serializers.BooleanField()
    provisional = serializers.BooleanField()
    cohort_completed = serializers.IntegerField()
    breakdown = serializers.SerializerMethodField()

    def get_breakdown(self, obj: Any) -> dict[str, int]:
        return {("none" if k is None else str(k)): v for k, v in obj.breakdown.items()}


class TargetOutput(serializers.Serializer):
    code = serializers.CharField(source="target.code")
    label = serializers.CharField(source="target.label")  # type: ignore[assignment]  # a field
    target_value = serializers.IntegerField(source="target.target_value")
    counts_from = serializers.DateField(source="target.counts_from")
    deadline = serializers.DateField(source="target.deadline")
    achieved = serializers.IntegerField()


class TrainedTotalsOutput(serializers.Serializer):
    as_of = serializers.DateField()
    by = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    years = TrainedYearOutput(many=True)
    targets = TargetOutput(many=True)


class TotalsQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    by = serializers.ChoiceField(choices=BREAKDOWNS, required=False)


class TrainedWorkersApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, required=False),
            OpenApiParameter("by", str, enum=list(BREAKDOWNS), required=False),
        ],
        responses=TrainedTotalsOutput,
        summary="Workers trained per year and cumulative, toward the 100,000 target",
    )
    def get(self, request: Request) -> Response:
        _require_view(request)
        query = validated(TotalsQuery, request.query_params)
        totals = trained_workers(year=query.get("year"), by=query.get("by"))
        everything = trained_workers() if query.get("year") else totals
        data = {
            "as_of": totals.as_of,
            "by": totals.by,
            "total": totals.total,
            "years": totals.years,
            "targets": training_target_progress(everything),
        }
        return Response(TrainedTotalsOutput(data).data)
