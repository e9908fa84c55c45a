"""API of calls, their funding rules and rubrics, and national targets."""

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

from core.api.fields import KrwField, LocalizedNameField, ProgramDateTimeField
from core.api.views import acting_user, validated
from core.models import KsicDivision, Region, TargetLevel
from programs.models import (
    Call,
    CallStatus,
    ExclusionCondition,
    FundingRule,
    NationalTarget,
    ProgramType,
    RubricCriterion,
)
from programs.selectors import call_get_for_user, call_list_for_user, national_target_list
from programs.services import (
    call_cancel,
    call_create,
    call_publish,
    call_update,
    funding_rule_set,
    national_target_save,
    rubric_set,
)


class FundingRuleOutput(serializers.ModelSerializer):
    target_level = serializers.CharField(source="target_level.code")
    gov_cap_krw = KrwField()
    total_cap_krw = KrwField(allow_null=True)

    class Meta:
        model = FundingRule
        fields = [
            "id",
            "target_level",
            "size_code",
            "gov_cap_krw",
            "total_cap_krw",
            "gov_max_bp",
            "gov_min_bp",
            "partner_min_bp",
            "partner_max_bp",
            "sme_max_bp",
            "combined_max_bp",
            "local_max_bp",
        ]


class RubricOutput(serializers.ModelSerializer):
    name = LocalizedNameField()

    class Meta:
        model = RubricCriterion
        fields = ["id", "order", "code", "name", "name_ko", "name_en", "description", "weight", "max_score"]


class CallListOutput(serializers.ModelSerializer):
    title = LocalizedNameField("title")
    code = serializers.CharField(read_only=True)
    is_open = serializers.SerializerMethodField()
    budget_krw = KrwField()
    committed_krw = KrwField(allow_zero=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "code",
            "fiscal_year",
            "round",
            "program_type",
            "title",
            "title_ko",
            "title_en",
            "status",
            "is_open",
            "opens_at",
            "closes_at",
            "budget_krw",
            "committed_krw",
            "target_count",
            "selected_count",
        ]

    def get_is_open(self, obj: Call) -> bool:
        return obj.is_open()


class CallDetailOutput(CallListOutput):
    funding_rules = FundingRuleOutput(many=True)
    rubric = RubricOutput(many=True)
    eligible_ksic = serializers.SlugRelatedField[KsicDivision](slug_field="code", many=True, read_only=True)
    eligible_regions = serializers.SlugRelatedField[Region](slug_field="slug", many=True, read_only=True)

    class Meta(CallListOutput.Meta):
        fields = [
            *CallListOutput.Meta.fields,
            "description",
            "eligible_size_codes",
            "eligible_ksic",
            "eligible_regions",
            "excluded_conditions",
            "prior_support_exclusion_years",
            "max_concurrent_projects",
            "pass_score",
            "funding_rules",
            "rubric",
        ]


class CallFilter(django_filters.FilterSet):
    fiscal_year = django_filters.NumberFilter()
    program_type = django_filters.ChoiceFilter(choices=ProgramType.choices)
    status = django_filters.ChoiceFilter(choices=CallStatus.choices)

    class Meta:
        model = Call
        fields = ["fiscal_year", "program_type", "status"]


class CallListApi(ListAPIView):
    """Calls the user may see: published ones, and drafts for officials and auditors."""

    serializer_class = CallListOutput
    filterset_class = CallFilter

    def get_queryset(self) -> QuerySet[Any]:
        return call_list_for_user(self.request.user)


class CallInput(serializers.Serializer):
    fiscal_year = serializers.IntegerField(min_value=2014, max_value=2100)
    round = serializers.IntegerField(min_value=1, max_value=20)
    program_type = serializers.ChoiceField(choices=ProgramType.choices)
    title_ko = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    budget_krw = KrwField()
    target_count = serializers.IntegerField(min_value=1, max_value=1_000_000)
    opens_at = ProgramDateTimeField()
    closes_at = ProgramDateTimeField()
    eligible_size_codes = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    eligible_ksic = serializers.SlugRelatedField(
        slug_field="code", queryset=KsicDivision.objects.all(), many=True, required=False
    )
    eligible_regions = serializers.SlugRelatedField(
        slug_field="slug", queryset=Region.objects.all(), many=True, required=False
    )
    excluded_conditions = serializers.ListField(
        child=serializers.ChoiceField(choices=ExclusionCondition.choices), required=False
    )
    prior_support_exclusion_years = serializers.IntegerField(min_value=0, max_value=20, required=False)
    max_concurrent_projects = serializers.IntegerField(min_value=1, max_value=20, required=False)
    pass_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )


class CallCreateApi(APIView):
    @extend_schema(request=CallInput, responses={201: CallDetailOutput}, summary="Create a call (draft)")
    def post(self, request: Request) -> Response:
        data = validated(CallInput, request.data)
        call = call_create(actor=acting_user(request), **data)
        call = call_get_for_user(request.user, call.pk)
        return Response(CallDetailOutput(call).data, status=status.HTTP_201_CREATED)


class CallDetailApi(APIView):
    @extend_schema(responses=CallDetailOutput, summary="A call with its funding rules and rubric")
    def get(self, request: Request, call_id: int) -> Response:
        return Response(CallDetailOutput(call_get_for_user(request.user, call_id)).data)


class CallUpdateInput(CallInput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class CallUpdateApi(APIView):
    @extend_schema(request=CallUpdateInput, responses=CallDetailOutput, summary="Change a call")
    def patch(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(CallUpdateInput, request.data)
        call_update(call=call, actor=acting_user(request), **data)
        return Response(CallDetailOutput(call_get_for_user(request.user, call_id)).data)


class CallPublishApi(APIView):
    @extend_schema(request=None, responses=CallDetailOutput, summary="Publish a draft call")
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        call_publish(call=call, actor=acting_user(request))
        return Response(CallDetailOutput(call_get_for_user(request.user, call_id)).data)


class CallCancelApi(APIView):
    @extend_schema(request=None, responses=CallDetailOutput, summary="Cancel a call without selections")
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        call_cancel(call=call, actor=acting_user(request))
        return Response(CallDetailOutput(call_get_for_user(request.user, call_id)).data)


class FundingRuleInput(serializers.Serializer):
    target_level = serializers.SlugRelatedField(slug_field="code", queryset=TargetLevel.objects.all())
    size_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    gov_cap_krw = KrwField()
    total_cap_krw = KrwField(required=False, allow_null=True, default=None)
    gov_max_bp = serializers.IntegerField(min_value=0, max_value=10_000)
    gov_min_bp = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)
    partner_min_bp = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)
    partner_max_bp = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)
    sme_max_bp = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)
    combined_max_bp = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)
    local_max_bp = serializers.IntegerField(min_value=0, max_value=10_000, required=False, allow_null=True)


class FundingRuleSetApi(APIView):
    @extend_schema(
        request=FundingRuleInput, responses=FundingRuleOutput, summary="Set a funding rule of a call"
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(FundingRuleInput, request.data)
        rule = funding_rule_set(call=call, actor=acting_user(request), **data)
        return Response(FundingRuleOutput(rule).data)


class RubricCriterionInput(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    weight = serializers.IntegerField(min_value=1, max_value=100)
    max_score = serializers.IntegerField(min_value=1, max_value=100, default=10)


class RubricInput(serializers.Serializer):
    criteria = RubricCriterionInput(many=True, allow_empty=False)


class RubricSetApi(APIView):
    @extend_schema(
        request=RubricInput, responses=RubricOutput(many=True), summary="Replace the rubric of a call"
    )
    def put(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(RubricInput, request.data)
        criteria = rubric_set(call=call, actor=acting_user(request), criteria=data["criteria"])
        return Response(RubricOutput(criteria, many=True).data)


class NationalTargetOutput(serializers.ModelSerializer):
    label = LocalizedNameField("label")  # type: ignore[assignment]  # a field, not Field.label

    class Meta:
        model = NationalTarget
        fields = [
            "id",
            "code",
            "metric",
            "label",
            "label_ko",
            "label_en",
            "target_value",
            "unit",
            "counts_from",
            "deadline",
            "announced_on",
            "source",
            "is_active",
        ]


class NationalTargetListApi(ListAPIView):
    """National targets of the program (e.g. 30,000 smart factories)."""

    serializer_class = NationalTargetOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return national_target_list(active_only=False)


class NationalTargetInput(serializers.Serializer):
    code = serializers.SlugField(max_length=50)
    metric = serializers.ChoiceField(choices=NationalTarget._meta.get_field("metric").choices)  # type: ignore[arg-type]
    label_ko = serializers.CharField(max_length=200)
    label_en = serializers.CharField(max_length=200)
    target_value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    unit = serializers.ChoiceField(choices=NationalTarget._meta.get_field("unit").choices)  # type: ignore[arg-type]
    counts_from = serializers.DateField()
    deadline = serializers.DateField()
    announced_on = serializers.DateField(required=False, allow_null=True)
    source = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.source
        max_length=300, required=False, allow_blank=True, default=""
    )
    is_active = serializers.BooleanField(default=True)


class NationalTargetSaveApi(APIView):
    @extend_schema(
        request=NationalTargetInput, responses=NationalTargetOutput, summary="Create or update a target"
    )
    def post(self, request: Request) -> Response:
        data = validated(NationalTargetInput, request.data)
        target = national_target_save(actor=acting_user(request), **data)
        return Response(NationalTargetOutput(target).data)
