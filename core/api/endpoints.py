"""The signed-in user and reference data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import LocalizedNameField
from core.models import FirmSizeClass, KsicDivision, Level, Region, TargetLevel
from core.selectors import (
    firm_size_class_list,
    ksic_division_list,
    level_list,
    membership_list_for_user,
    region_list,
    target_level_list,
)


class MembershipOutput(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    organisation_id = serializers.IntegerField()
    organisation_name = serializers.CharField(source="organisation.name")
    organisation_kind = serializers.CharField(source="organisation.kind")


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.EmailField()
    memberships = MembershipOutput(many=True)


class MeApi(APIView):
    @extend_schema(responses=MeOutput, summary="The signed-in user and their roles")
    def get(self, request: Request) -> Response:
        user = request.user
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "display_name": getattr(user, "display_name", ""),
            "email": getattr(user, "email", ""),
            "memberships": membership_list_for_user(user),  # type: ignore[arg-type]
        }
        return Response(MeOutput(data).data)


class RegionCodeOutput(serializers.Serializer):
    mois_code = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class RegionOutput(serializers.ModelSerializer):
    name = LocalizedNameField()
    codes = RegionCodeOutput(many=True)

    class Meta:
        model = Region
        fields = ["id", "slug", "name", "name_ko", "name_en", "kostat_code", "iso_code", "codes"]


class KsicOutput(serializers.ModelSerializer):
    name = LocalizedNameField()

    class Meta:
        model = KsicDivision
        fields = ["id", "code", "name", "name_ko", "name_en"]


class LevelOutput(serializers.ModelSerializer):
    name = LocalizedNameField()

    class Meta:
        model = Level
        fields = ["id", "code", "rank", "stage", "name", "name_ko", "name_en"]


class TargetLevelOutput(serializers.ModelSerializer):
    name = LocalizedNameField()
    reference_level = serializers.CharField(source="reference_level.code")

    class Meta:
        model = TargetLevel
        fields = ["id", "code", "name", "name_ko", "name_en", "reference_level"]


class FirmSizeOutput(serializers.ModelSerializer):
    name = LocalizedNameField()

    class Meta:
        model = FirmSizeClass
        fields = ["id", "code", "name", "name_ko", "name_en", "is_sme", "valid_from", "valid_to"]


class RegionListApi(ListAPIView):
    """Regions (시도) with their MOIS codes and validity dates."""

    serializer_class = RegionOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return region_list()


class KsicListApi(ListAPIView):
    """KSIC manufacturing divisions (10–34)."""

    serializer_class = KsicOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return ksic_division_list()


class LevelListApi(ListAPIView):
    """Smart-factory levels L1–L5 (KS X 9001)."""

    serializer_class = LevelOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return level_list()


class TargetLevelListApi(ListAPIView):
    """Target-level categories of calls (기초, 고도화1, 고도화2)."""

    serializer_class = TargetLevelOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return target_level_list()


class FirmSizeListApi(ListAPIView):
    """Firm-size classes with their validity dates."""

    serializer_class = FirmSizeOutput
    pagination_class = None

    def get_queryset(self) -> QuerySet[Any]:
        return firm_size_class_list()
