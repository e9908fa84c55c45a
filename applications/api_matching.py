"""API of SME ↔ partner-firm matching for a win-win call. One view per operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.matching import (
    DEFAULT_SUGGESTIONS,
    MAX_SUGGESTIONS,
    MatchingPreview,
    matching_apply,
    matching_preview,
    matching_suggestions,
)
from core.api.fields import StrictIntegerField
from core.api.views import acting_user, validated
from core.models import TargetLevel
from partners.models import WinWinAgreement
from partners.selectors import agreement_get_for_user
from programs.selectors import call_get_for_user


class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    points = serializers.IntegerField()


class MatchLineOutput(serializers.Serializer):
    company_id = serializers.IntegerField()
    company_name = serializers.CharField()
    brn = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    score = serializers.IntegerField(min_value=0, max_value=100)
    reasons = ReasonOutput(many=True)


class PartnerAllocationOutput(serializers.Serializer):
    agreement_id = serializers.IntegerField()
    partner_id = serializers.IntegerField()
    partner_name = serializers.CharField()
    consortium_name = serializers.CharField()
    mentee_quota = serializers.IntegerField()
    live_matches = serializers.IntegerField()
    capacity = serializers.IntegerField(help_text="Places left in the mentee quota before this allocation.")
    allocated = serializers.IntegerField()
    total_score = serializers.IntegerField()
    lines = MatchLineOutput(many=True)


class MatchingPreviewOutput(serializers.Serializer):
    call_id = serializers.IntegerField()
    target_level = serializers.CharField()
    target_level_name = serializers.CharField()
    candidate_count = serializers.IntegerField()
    allocated_count = serializers.IntegerField()
    capacity_total = serializers.IntegerField()
    total_score = serializers.IntegerField()
    fingerprint = serializers.CharField()
    allocations = PartnerAllocationOutput(many=True)


class MatchingSuggestionsOutput(serializers.Serializer):
    call_id = serializers.IntegerField()
    agreement_id = serializers.IntegerField()
    target_level = serializers.CharField()
    target_level_name = serializers.CharField()
    candidate_count = serializers.IntegerField()
    eligible_count = serializers.IntegerField()
    capacity = serializers.IntegerField()
    lines = MatchLineOutput(many=True)


def _target_level_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=TargetLevel.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Target level code (basic, advanced1 …); default: the lowest level the call funds.",
    )


class MatchingSuggestionsInput(serializers.Serializer):
    agreement = StrictIntegerField()
    target_level = _target_level_field()
    limit = StrictIntegerField(min_value=1, max_value=MAX_SUGGESTIONS, default=DEFAULT_SUGGESTIONS)


class MatchingPreviewInput(serializers.Serializer):
    target_level = _target_level_field()
    agreements = serializers.ListField(
        child=StrictIntegerField(),
        required=False,
        allow_empty=False,
        max_length=200,
        help_text="Agreement ids to allocate over; default: every agreement you may match for.",
    )


class MatchingApplyInput(MatchingPreviewInput):
    fingerprint = serializers.CharField(max_length=64, min_length=64)


def _agreements(request: Request, ids: list[int] | None) -> list[WinWinAgreement] | None:
    """Agreements by id through the scoped selector: one the user may not see is a 404."""
    if ids is None:
        return None
    return [agreement_get_for_user(request.user, pk) for pk in sorted(set(ids))]


def _preview_data(preview: MatchingPreview) -> dict[str, Any]:
    return dict(MatchingPreviewOutput(preview).data)


class MatchingSuggestionsApi(APIView):
    @extend_schema(
        request=MatchingSuggestionsInput,
        responses=MatchingSuggestionsOutput,
        summary="SMEs ranked by fit with one partner firm's agreement, with reasons (changes nothing)",
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(MatchingSuggestionsInput, request.data)
        agreement = agreement_get_for_user(request.user, data["agreement"])
        suggestions = matching_suggestions(
            call=call,
            agreement=agreement,
            actor=acting_user(request),
            target_level=data["target_level"],
            limit=data["limit"],
        )
        return Response(MatchingSuggestionsOutput(suggestions).data)


class MatchingPreviewApi(APIView):
    @extend_schema(
        request=MatchingPreviewInput,
        responses=MatchingPreviewOutput,
        summary="Preview the optimal allocation of SMEs to the call's partner firms (changes nothing)",
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(MatchingPreviewInput, request.data)
        preview = matching_preview(
            call=call,
            actor=acting_user(request),
            target_level=data["target_level"],
            agreements=_agreements(request, data.get("agreements")),
        )
        return Response(_preview_data(preview))


class MatchingApplyApi(APIView):
    @extend_schema(
        request=MatchingApplyInput,
        responses=MatchingPreviewOutput,
        summary="Propose the previewed matches (409 if anything changed since the preview)",
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(MatchingApplyInput, request.data)
        preview = matching_apply(
            call=call,
            actor=acting_user(request),
            fingerprint=data["fingerprint"],
            target_level=data["target_level"],
            agreements=_agreements(request, data.get("agreements")),
        )
        return Response(_preview_data(preview))
