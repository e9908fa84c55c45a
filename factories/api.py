"""API of the factory register: factories with filters, a factory with its level history and sunk
support, completion of a project (its factory), level confirmations of a workplace, and closures."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.selectors import application_get_for_user
from core.api.views import acting_user, validated
from factories.forms import FactoryFilter
from factories.models import ClosureReason, Factory, LevelConfirmation
from factories.selectors import (
    factory_get_for_user,
    factory_register_for_user,
    factory_support_paid_krw,
    workplace_current_level,
    workplace_get_for_levels,
    workplace_level_history,
)
from factories.services import factory_close, factory_record_completion, level_confirmation_record


class LevelConfirmationOutput(serializers.ModelSerializer):
    workplace_id = serializers.IntegerField()
    level = serializers.CharField(source="level.code")
    factory_id = serializers.IntegerField(allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.__str__")

    class Meta:
        model = LevelConfirmation
        fields = [
            "id",
            "workplace_id",
            "level",
            "confirmed_on",
            "kind",
            "confirming_body",
            "certificate_number",
            "self_built",
            "factory_id",
            "note",
            "recorded_by",
            "recorded_at",
        ]


class FactoryOutput(serializers.ModelSerializer):
    workplace_id = serializers.IntegerField()
    workplace_name = serializers.CharField(source="workplace.name")
    company_id = serializers.IntegerField()
    company_name = serializers.CharField(source="company.name")
    brn = serializers.CharField(source="company.brn")
    region = serializers.CharField(source="region.slug")
    ksic = serializers.CharField(source="ksic.code")
    application_id = serializers.IntegerField(allow_null=True)
    application_number = serializers.SerializerMethodField()
    call_id = serializers.IntegerField(allow_null=True)
    partner_id = serializers.IntegerField(allow_null=True)
    partner_name = serializers.SerializerMethodField()
    level = serializers.CharField(source="level.code")
    current_level = serializers.SerializerMethodField()
    gov_paid_krw = serializers.SerializerMethodField()

    class Meta:
        model = Factory
        fields = [
            "id",
            "workplace_id",
            "workplace_name",
            "company_id",
            "company_name",
            "brn",
            "region",
            "ksic",
            "origin",
            "application_id",
            "application_number",
            "call_id",
            "program_type",
            "partner_id",
            "partner_name",
            "support_year",
            "completed_on",
            "completion_year",
            "level",
            "current_level",
            "counted",
            "closed_on",
            "closure_reason",
            "closure_note",
            "gov_paid_krw",
        ]

    def get_application_number(self, obj: Factory) -> str | None:
        if obj.application_id is None or obj.call is None:
            return None
        return f"{obj.call.fiscal_year}-{obj.application_id:07d}"

    def get_partner_name(self, obj: Factory) -> str | None:
        return obj.partner.name if obj.partner is not None else None

    def get_current_level(self, obj: Factory) -> str | None:
        """The workplace's latest confirmed level (its level now)."""
        if hasattr(obj, "current_level_code"):  # annotated by factory_register_for_user
            return obj.current_level_code
        latest = workplace_current_level(obj.workplace)
        return latest.level.code if latest else None

    @extend_schema_field({"type": "integer", "format": "int64"})
    def get_gov_paid_krw(self, obj: Factory) -> int:
        """Government support paid (net) to the project; 0 for a self-built factory."""
        if hasattr(obj, "gov_paid_krw"):
            return int(obj.gov_paid_krw or 0)
        return factory_support_paid_krw(obj)


class FactoryDetailOutput(FactoryOutput):
    sunk_support_krw = serializers.SerializerMethodField()
    level_history = serializers.SerializerMethodField()

    class Meta(FactoryOutput.Meta):
        fields = [*FactoryOutput.Meta.fields, "sunk_support_krw", "level_history"]

    @extend_schema_field({"type": "integer", "format": "int64"})
    def get_sunk_support_krw(self, obj: Factory) -> int:
        """The government support paid, once the factory is closed."""
        return self.get_gov_paid_krw(obj) if obj.closed_on is not None else 0

    @extend_schema_field(LevelConfirmationOutput(many=True))
    def get_level_history(self, obj: Factory) -> list[dict[str, Any]]:
        return LevelConfirmationOutput(workplace_level_history(obj.workplace), many=True).data  # type: ignore[return-value]


def _factory(request: Request, factory_id: int, code: int = status.HTTP_200_OK) -> Response:
    factory = factory_register_for_user(request.user).get(pk=factory_id)
    return Response(FactoryDetailOutput(factory).data, status=code)


class FactoryListApi(ListAPIView):
    """Smart factories the user may see, newest completion first; filter by completion or support year,
    region, program type, origin, level, counted, closed, or search by company name or registration
    number."""

    serializer_class = FactoryOutput
    filterset_class = FactoryFilter

    def get_queryset(self) -> QuerySet[Any]:
        return factory_register_for_user(self.request.user)


class FactoryDetailApi(APIView):
    @extend_schema(responses=FactoryDetailOutput, summary="A factory with its level history and sunk support")
    def get(self, request: Request, factory_id: int) -> Response:
        found = factory_get_for_user(request.user, factory_id)
        return _factory(request, found.pk)


class CompletionInput(serializers.Serializer):
    completed_on = serializers.DateField()
    level = serializers.CharField(max_length=2)
    confirming_body = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class FactoryRecordCompletionApi(APIView):
    @extend_schema(
        request=CompletionInput,
        responses={201: FactoryDetailOutput},
        summary="Pass a project's final inspection, complete it and record its factory (409 unless in "
        "final inspection)",
    )
    def post(self, request: Request, application_id: int) -> Response:
        actor = acting_user(request)
        app = application_get_for_user(request.user, application_id)
        data = validated(CompletionInput, request.data)
        factory = factory_record_completion(application=app, actor=actor, **data)
        return _factory(request, factory.pk, status.HTTP_201_CREATED)


class LevelConfirmationInput(serializers.Serializer):
    level = serializers.CharField(max_length=2)
    confirmed_on = serializers.DateField()
    confirming_body = serializers.CharField(max_length=200)
    certificate_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    self_built = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class LevelConfirmationRecordApi(APIView):
    @extend_schema(
        request=LevelConfirmationInput,
        responses={201: LevelConfirmationOutput},
        summary="Record a level confirmation (수준확인) of a workplace; self_built records its self-built "
        "factory",
    )
    def post(self, request: Request, workplace_id: int) -> Response:
        actor = acting_user(request)
        workplace = workplace_get_for_levels(request.user, workplace_id)
        data = validated(LevelConfirmationInput, request.data)
        made = level_confirmation_record(workplace=workplace, actor=actor, **data)
        return Response(LevelConfirmationOutput(made).data, status=status.HTTP_201_CREATED)


class LevelHistoryOutput(serializers.Serializer):
    workplace_id = serializers.IntegerField()
    current_level = serializers.CharField(allow_null=True)
    history = LevelConfirmationOutput(many=True)


class WorkplaceLevelHistoryApi(APIView):
    @extend_schema(responses=LevelHistoryOutput, summary="A workplace's level history, oldest first")
    def get(self, request: Request, workplace_id: int) -> Response:
        workplace = workplace_get_for_levels(request.user, workplace_id)
        history = list(workplace_level_history(workplace))
        latest = max(history, key=lambda c: (c.confirmed_on, c.pk), default=None)
        data = {
            "workplace_id": workplace.pk,
            "current_level": latest.level.code if latest else None,
            "history": history,
        }
        return Response(LevelHistoryOutput(data).data)


class CloseInput(serializers.Serializer):
    closed_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class FactoryCloseApi(APIView):
    @extend_schema(
        request=CloseInput,
        responses=FactoryDetailOutput,
        summary="Mark a factory closed (409 when it already is); it stays counted, its support becomes sunk",
    )
    def post(self, request: Request, factory_id: int) -> Response:
        actor = acting_user(request)
        factory = factory_get_for_user(request.user, factory_id)
        data = validated(CloseInput, request.data)
        factory_close(factory=factory, actor=actor, **data)
        return _factory(request, factory.pk)
