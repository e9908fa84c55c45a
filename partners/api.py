"""API of win-win partnerships: consortia, agreements, supply-chain ties, matches, mentors and mentoring.
One view per operation; every read goes through the scoped selectors of `partners.selectors`, so what a
user may not see is a 404 and what they may see but not change is a 403 (from the services)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.models import Company
from companies.selectors import company_get_for_user
from core.api.fields import KrwField, LocalizedNameField, StrictIntegerField
from core.api.views import acting_user, validated
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.identifiers import format_brn, normalize_brn
from core.models import KsicDivision, Organisation, Region
from core.money import percent_bp
from partners.forms import own_partner_firm, visible_partner_firms
from partners.models import (
    LIVE_MATCH_STATES,
    WINWIN_TRACKS,
    ActivityKind,
    AgreementStatus,
    Consortium,
    Match,
    MatchStatus,
    MatchStatusChange,
    Mentor,
    MentoringActivity,
    SupplyChainTie,
    WinWinAgreement,
)
from partners.permissions import (
    can_manage_agreement,
    can_manage_consortia,
    can_manage_partner_data,
    can_propose_match,
)
from partners.selectors import (
    activity_list_for_user,
    agreement_get_for_user,
    agreement_list_for_user,
    consortium_get_for_user,
    consortium_list_for_user,
    match_get_for_user,
    match_history,
    match_list_for_user,
    mentor_get_for_user,
    mentor_list_for_user,
    tie_get_for_user,
    tie_list_for_user,
)
from partners.services import (
    agreement_create,
    agreement_update,
    consortium_create,
    match_propose,
    match_transition,
    mentor_create,
    mentor_update,
    mentoring_activity_log,
    supply_chain_tie_remove,
    supply_chain_ties_add,
)
from partners.workflow import MATCH_TRANSITIONS, available_match_actions


def _visible(getter: Any, user: Any, pk: int, field: str) -> Any:
    """Fetch a referenced object through its scoped selector; an invisible one is a field error."""
    try:
        return getter(user, pk)
    except NotFound as exc:
        raise ValidationFailed(fields={field: [_("Not found or not available to you.")]}) from exc


def _partner_firm(user: Any, partner_id: int | None) -> Organisation:
    """The partner firm named in a request (404 if the user may not see it), or the user's own one."""
    if partner_id is None:
        own = own_partner_firm(user)
        if own is None:
            raise ValidationFailed(fields={"partner": [_("Choose the partner firm.")]})
        return own
    firm = visible_partner_firms(user).filter(pk=partner_id).first()
    if firm is None:
        raise NotFound()
    return firm


# --- consortia ------------------------------------------------------------------------------------


class ConsortiumOutput(serializers.ModelSerializer):
    name = LocalizedNameField()
    partner_id = serializers.IntegerField()
    partner_name = serializers.CharField(source="partner.name")
    institution_id = serializers.IntegerField()
    institution_name = serializers.CharField(source="institution.name")

    class Meta:
        model = Consortium
        fields = [
            "id",
            "name",
            "name_ko",
            "name_en",
            "partner_id",
            "partner_name",
            "institution_id",
            "institution_name",
            "established_on",
            "created_at",
        ]


class ConsortiumFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    institution = django_filters.NumberFilter(field_name="institution_id")

    class Meta:
        model = Consortium
        fields = ["partner", "institution"]


class ConsortiumListApi(ListAPIView):
    """Consortia the user may see: a partner firm's own, an institution's administered ones, or all."""

    serializer_class = ConsortiumOutput
    filterset_class = ConsortiumFilter

    def get_queryset(self) -> QuerySet[Any]:
        return consortium_list_for_user(self.request.user).order_by("name_ko", "id")


class ConsortiumDetailApi(APIView):
    @extend_schema(responses=ConsortiumOutput, summary="A consortium")
    def get(self, request: Request, consortium_id: int) -> Response:
        return Response(ConsortiumOutput(consortium_get_for_user(request.user, consortium_id)).data)


class ConsortiumCreateInput(serializers.Serializer):
    partner = StrictIntegerField()
    institution = StrictIntegerField()
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    established_on = serializers.DateField()


class ConsortiumCreateApi(APIView):
    @extend_schema(
        request=ConsortiumCreateInput,
        responses={201: ConsortiumOutput},
        summary="Form a consortium of a partner firm and a cooperating institution (officials)",
    )
    def post(self, request: Request) -> Response:
        actor = acting_user(request)
        if not can_manage_consortia(actor):
            # Refuse before resolving the organisations, so that ids cannot be probed.
            raise PermissionDenied()
        data = validated(ConsortiumCreateInput, request.data)
        orgs = Organisation.objects.in_bulk([data["partner"], data["institution"]])
        missing = {
            field: [_("Not found or not available to you.")]
            for field in ("partner", "institution")
            if data[field] not in orgs
        }
        if missing:
            raise ValidationFailed(fields=missing)
        consortium = consortium_create(
            actor=actor,
            partner=orgs[data["partner"]],
            institution=orgs[data["institution"]],
            name_ko=data["name_ko"],
            name_en=data["name_en"],
            established_on=data["established_on"],
        )
        return Response(
            ConsortiumOutput(consortium_get_for_user(request.user, consortium.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- agreements -----------------------------------------------------------------------------------


def _with_live_matches(qs: QuerySet[WinWinAgreement]) -> QuerySet[WinWinAgreement]:
    return qs.annotate(live_matches=Count("matches", filter=Q(matches__status__in=LIVE_MATCH_STATES)))


WINWIN_TRACK_CHOICES = [(t.value, t.label) for t in WINWIN_TRACKS]


class AgreementListOutput(serializers.ModelSerializer):
    tracks = serializers.ListField(child=serializers.ChoiceField(choices=WINWIN_TRACK_CHOICES))
    consortium_name = serializers.CharField(source="consortium.name")
    partner_id = serializers.IntegerField(source="consortium.partner_id")
    partner_name = serializers.CharField(source="consortium.partner.name")
    institution_id = serializers.IntegerField(source="consortium.institution_id")
    institution_name = serializers.CharField(source="consortium.institution.name")
    status_label = serializers.CharField(source="get_status_display")
    pledged_krw = KrwField()
    committed_krw = KrwField(allow_zero=True)
    remaining_krw = KrwField(allow_zero=True)
    execution_bp = serializers.SerializerMethodField()
    live_matches = serializers.IntegerField()

    class Meta:
        model = WinWinAgreement
        fields = [
            "id",
            "consortium_id",
            "consortium_name",
            "partner_id",
            "partner_name",
            "institution_id",
            "institution_name",
            "fiscal_year",
            "status",
            "status_label",
            "pledged_krw",
            "committed_krw",
            "remaining_krw",
            "execution_bp",
            "mentee_quota",
            "live_matches",
            "tracks",
            "signed_on",
        ]

    def get_execution_bp(self, obj: WinWinAgreement) -> int:
        """Committed ÷ pledged in basis points (1 % = 100)."""
        return percent_bp(obj.committed_krw, obj.pledged_krw)


class RegionRefOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = LocalizedNameField()


class KsicRefOutput(serializers.Serializer):
    code = serializers.CharField()
    name = LocalizedNameField()


class AgreementDetailOutput(AgreementListOutput):
    regions = RegionRefOutput(many=True)
    industries = KsicRefOutput(many=True)
    can_edit = serializers.SerializerMethodField()
    can_propose = serializers.SerializerMethodField()

    class Meta(AgreementListOutput.Meta):
        fields = [
            *AgreementListOutput.Meta.fields,
            "regions",
            "industries",
            "created_at",
            "updated_at",
            "can_edit",
            "can_propose",
        ]

    def get_can_edit(self, obj: WinWinAgreement) -> bool:
        return can_manage_agreement(self.context["request"].user, obj.consortium)

    def get_can_propose(self, obj: WinWinAgreement) -> bool:
        return obj.status == AgreementStatus.ACTIVE and can_propose_match(self.context["request"].user, obj)


class AgreementFilter(django_filters.FilterSet):
    fiscal_year = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=AgreementStatus.choices)
    consortium = django_filters.NumberFilter(field_name="consortium_id")
    partner = django_filters.NumberFilter(field_name="consortium__partner_id")

    class Meta:
        model = WinWinAgreement
        fields = ["fiscal_year", "status", "consortium", "partner"]


class AgreementListApi(ListAPIView):
    """Win-win agreements the user may see, newest year first, with their live-match counts."""

    serializer_class = AgreementListOutput
    filterset_class = AgreementFilter

    def get_queryset(self) -> QuerySet[Any]:
        return _with_live_matches(agreement_list_for_user(self.request.user))


def _agreement_detail(request: Request, agreement_id: int, *, status_code: int = 200) -> Response:
    agreement = agreement_get_for_user(request.user, agreement_id)
    agreement.live_matches = agreement.matches.filter(status__in=LIVE_MATCH_STATES).count()  # type: ignore[attr-defined]
    return Response(AgreementDetailOutput(agreement, context={"request": request}).data, status=status_code)


class AgreementDetailApi(APIView):
    @extend_schema(
        responses=AgreementDetailOutput,
        summary="An agreement: pledge, committed and remaining amounts, quota and live matches",
    )
    def get(self, request: Request, agreement_id: int) -> Response:
        return _agreement_detail(request, agreement_id)


class AgreementValuesInput(serializers.Serializer):
    pledged_krw = KrwField()
    mentee_quota = StrictIntegerField(min_value=1, max_value=100_000)
    tracks = serializers.ListField(
        child=serializers.ChoiceField(choices=WINWIN_TRACK_CHOICES), allow_empty=False
    )
    signed_on = serializers.DateField()
    regions = serializers.SlugRelatedField(
        slug_field="slug", queryset=Region.objects.all(), many=True, required=False
    )
    industries = serializers.SlugRelatedField(
        slug_field="code", queryset=KsicDivision.objects.all(), many=True, required=False
    )


class AgreementCreateInput(AgreementValuesInput):
    fiscal_year = StrictIntegerField(min_value=2014, max_value=2100)


class AgreementCreateApi(APIView):
    @extend_schema(
        request=AgreementCreateInput,
        responses={201: AgreementDetailOutput},
        summary="Record a consortium's agreement for a fiscal year (officials or its institution)",
    )
    def post(self, request: Request, consortium_id: int) -> Response:
        consortium = consortium_get_for_user(request.user, consortium_id)
        data = validated(AgreementCreateInput, request.data)
        agreement = agreement_create(actor=acting_user(request), consortium=consortium, **data)
        return _agreement_detail(request, agreement.pk, status_code=status.HTTP_201_CREATED)


class AgreementUpdateInput(AgreementValuesInput):
    status = serializers.ChoiceField(choices=AgreementStatus.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class AgreementUpdateApi(APIView):
    @extend_schema(
        request=AgreementUpdateInput,
        responses=AgreementDetailOutput,
        summary="Change an agreement (never below what is committed or the live matches)",
    )
    def patch(self, request: Request, agreement_id: int) -> Response:
        agreement = agreement_get_for_user(request.user, agreement_id)
        data = validated(AgreementUpdateInput, request.data)
        agreement_update(agreement=agreement, actor=acting_user(request), **data)
        return _agreement_detail(request, agreement_id)


# --- supply-chain ties ----------------------------------------------------------------------------


class TieOutput(serializers.ModelSerializer):
    partner_id = serializers.IntegerField()
    partner_name = serializers.CharField(source="partner.name")
    brn = serializers.SerializerMethodField()
    registered = serializers.BooleanField(help_text="A company with this number is registered here.")

    class Meta:
        model = SupplyChainTie
        fields = ["id", "partner_id", "partner_name", "brn", "name", "registered", "created_at"]

    def get_brn(self, obj: SupplyChainTie) -> str:
        return format_brn(obj.brn)


class TieFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    registered = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="search", label="business registration number or name")

    class Meta:
        model = SupplyChainTie
        fields = ["partner", "registered", "q"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        digits = value.replace("-", "").strip()
        if digits.isdigit():
            return queryset.filter(brn__startswith=digits)
        return queryset.filter(name__icontains=value.strip())


def with_registered(qs: QuerySet[SupplyChainTie]) -> QuerySet[SupplyChainTie]:
    return qs.annotate(registered=Exists(Company.objects.filter(brn=OuterRef("brn"))))


class TieListApi(ListAPIView):
    """Supply-chain SMEs (협력사) of the partner firms the user may see."""

    serializer_class = TieOutput
    filterset_class = TieFilter

    def get_queryset(self) -> QuerySet[Any]:
        return with_registered(tie_list_for_user(self.request.user)).order_by("partner_id", "brn")


class TieEntryInput(serializers.Serializer):
    brn = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TieAddInput(serializers.Serializer):
    partner = StrictIntegerField(required=False, help_text="Default: the user's own partner firm.")
    entries = TieEntryInput(many=True, allow_empty=False, max_length=1_000)  # type: ignore[call-arg]


class TieAddApi(APIView):
    @extend_schema(
        request=TieAddInput,
        responses={201: TieOutput(many=True)},
        summary="Record supply-chain SMEs by business registration number (all or nothing)",
    )
    def post(self, request: Request) -> Response:
        data = validated(TieAddInput, request.data)
        partner = _partner_firm(request.user, data.get("partner"))
        ties = supply_chain_ties_add(
            actor=acting_user(request),
            partner=partner,
            entries=[(e["brn"], e["name"]) for e in data["entries"]],
        )
        rows = with_registered(tie_list_for_user(request.user).filter(pk__in=[t.pk for t in ties]))
        return Response(TieOutput(rows.order_by("brn"), many=True).data, status=status.HTTP_201_CREATED)


class TieRemoveApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Remove a supply-chain tie")
    def post(self, request: Request, tie_id: int) -> Response:
        tie = tie_get_for_user(request.user, tie_id)
        supply_chain_tie_remove(actor=acting_user(request), tie=tie)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- matches --------------------------------------------------------------------------------------


class MatchListOutput(serializers.ModelSerializer):
    fiscal_year = serializers.IntegerField(source="agreement.fiscal_year")
    consortium_name = serializers.CharField(source="agreement.consortium.name")
    partner_id = serializers.IntegerField(source="agreement.consortium.partner_id")
    partner_name = serializers.CharField(source="agreement.consortium.partner.name")
    company_name = serializers.CharField(source="company.name")
    company_brn = serializers.CharField(source="company.brn_display")
    status_label = serializers.CharField(source="get_status_display")
    proposed_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Match
        fields = [
            "id",
            "agreement_id",
            "fiscal_year",
            "consortium_name",
            "partner_id",
            "partner_name",
            "company_id",
            "company_name",
            "company_brn",
            "status",
            "status_label",
            "score",
            "reasons",
            "proposed_at",
            "updated_at",
        ]


class MatchHistoryOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    from_label = serializers.CharField(source="get_from_status_display")
    to_label = serializers.CharField(source="get_to_status_display")

    class Meta:
        model = MatchStatusChange
        fields = ["id", "action", "from_status", "from_label", "to_status", "to_label", "actor", "note", "at"]

    def get_actor(self, obj: MatchStatusChange) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class MatchActionOutput(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    note_required = serializers.BooleanField()


class MatchDetailOutput(MatchListOutput):
    history = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    mentoring_hours = serializers.DecimalField(max_digits=12, decimal_places=1)

    class Meta(MatchListOutput.Meta):
        fields = [*MatchListOutput.Meta.fields, "mentoring_hours", "available_actions", "history"]

    @extend_schema_field(MatchHistoryOutput(many=True))
    def get_history(self, obj: Match) -> list[dict[str, Any]]:
        return MatchHistoryOutput(match_history(obj), many=True).data  # type: ignore[return-value]

    @extend_schema_field(MatchActionOutput(many=True))
    def get_available_actions(self, obj: Match) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return [
            {"action": t.action, "label": str(t.label), "note_required": t.note_required}
            for t in available_match_actions(user, obj)
        ]


class MatchFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=MatchStatus.choices)
    agreement = django_filters.NumberFilter(field_name="agreement_id")
    company = django_filters.NumberFilter(field_name="company_id")
    fiscal_year = django_filters.NumberFilter(field_name="agreement__fiscal_year")
    partner = django_filters.NumberFilter(field_name="agreement__consortium__partner_id")

    class Meta:
        model = Match
        fields = ["status", "agreement", "company", "fiscal_year", "partner"]


class MatchListApi(ListAPIView):
    """Matches the user may see: a partner firm's or institution's consortia, an SME's own, or all."""

    serializer_class = MatchListOutput
    filterset_class = MatchFilter

    def get_queryset(self) -> QuerySet[Any]:
        return match_list_for_user(self.request.user)


def _match_detail(request: Request, match_id: int, *, status_code: int = 200) -> Response:
    match = match_get_for_user(request.user, match_id)
    hours = match.activities.aggregate(total=Sum("hours"))["total"]
    match.mentoring_hours = hours or 0  # type: ignore[attr-defined]
    return Response(MatchDetailOutput(match, context={"request": request}).data, status=status_code)


class MatchDetailApi(APIView):
    @extend_schema(responses=MatchDetailOutput, summary="A match with its history and the user's actions")
    def get(self, request: Request, match_id: int) -> Response:
        return _match_detail(request, match_id)


class BrnField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            return normalize_brn(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class ReasonInput(serializers.Serializer):
    code = serializers.CharField(max_length=50)
    label = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.label
        max_length=300, required=False, allow_blank=True, default=""
    )
    points = serializers.IntegerField(min_value=-100, max_value=100, required=False)


class MatchProposeInput(serializers.Serializer):
    company = StrictIntegerField(required=False, help_text="A company the user may see, by id.")
    brn = BrnField(required=False, max_length=20, help_text="Or the company's business registration number.")
    score = StrictIntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    reasons = ReasonInput(many=True, required=False, max_length=50)  # type: ignore[call-arg]
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("company" in attrs) == ("brn" in attrs):
            raise serializers.ValidationError({"company": [_("Give either the company id or its number.")]})
        return attrs


class MatchProposeApi(APIView):
    @extend_schema(
        request=MatchProposeInput,
        responses={201: MatchDetailOutput},
        summary="Propose the agreement's partner firm to an SME (partner firm or official)",
    )
    def post(self, request: Request, agreement_id: int) -> Response:
        agreement = agreement_get_for_user(request.user, agreement_id)
        if not can_propose_match(request.user, agreement):
            # Refused before the company is looked up, so that company ids cannot be probed.
            raise PermissionDenied()
        data = validated(MatchProposeInput, request.data)
        if "company" in data:
            company = _visible(company_get_for_user, request.user, data["company"], "company")
        else:
            company = Company.objects.select_related("organisation").filter(brn=data["brn"]).first()
            if company is None:
                raise ValidationFailed(
                    fields={"brn": [_("No company with this business registration number is registered.")]}
                )
        match = match_propose(
            actor=acting_user(request),
            agreement=agreement,
            company=company,
            score=data.get("score"),
            reasons=data.get("reasons") or [],
            note=data["note"],
        )
        return _match_detail(request, match.pk, status_code=status.HTTP_201_CREATED)


class MatchTransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in MATCH_TRANSITIONS])
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class MatchTransitionApi(APIView):
    @extend_schema(
        request=MatchTransitionInput,
        responses=MatchDetailOutput,
        summary="Accept or decline (SME); start, complete or end (partner firm or official) a match",
    )
    def post(self, request: Request, match_id: int) -> Response:
        match = match_get_for_user(request.user, match_id)
        data = validated(MatchTransitionInput, request.data)
        match_transition(match=match, actor=acting_user(request), **data)
        return _match_detail(request, match_id)


# --- mentors --------------------------------------------------------------------------------------


class MentorOutput(serializers.ModelSerializer):
    partner_id = serializers.IntegerField()
    partner_name = serializers.CharField(source="partner.name")

    class Meta:
        model = Mentor
        fields = ["id", "partner_id", "partner_name", "name", "expertise", "is_active", "created_at"]


class MentorFilter(django_filters.FilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Mentor
        fields = ["partner", "is_active"]


class MentorListApi(ListAPIView):
    """Mentors of the partner firms the user acts for (all of them for officials and auditors)."""

    serializer_class = MentorOutput
    filterset_class = MentorFilter

    def get_queryset(self) -> QuerySet[Any]:
        return mentor_list_for_user(self.request.user).order_by("partner_id", "name", "id")


class MentorCreateInput(serializers.Serializer):
    partner = StrictIntegerField(required=False, help_text="Default: the user's own partner firm.")
    name = serializers.CharField(max_length=100)
    expertise = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MentorCreateApi(APIView):
    @extend_schema(request=MentorCreateInput, responses={201: MentorOutput}, summary="Add a mentor")
    def post(self, request: Request) -> Response:
        data = validated(MentorCreateInput, request.data)
        partner = _partner_firm(request.user, data.pop("partner", None))
        mentor = mentor_create(actor=acting_user(request), partner=partner, **data)
        return Response(MentorOutput(mentor).data, status=status.HTTP_201_CREATED)


class MentorUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    expertise = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class MentorUpdateApi(APIView):
    @extend_schema(request=MentorUpdateInput, responses=MentorOutput, summary="Change or retire a mentor")
    def patch(self, request: Request, mentor_id: int) -> Response:
        mentor = mentor_get_for_user(request.user, mentor_id)
        data = validated(MentorUpdateInput, request.data)
        mentor = mentor_update(mentor=mentor, actor=acting_user(request), **data)
        return Response(MentorOutput(mentor).data)


# --- mentoring activity ---------------------------------------------------------------------------


class ActivityOutput(serializers.ModelSerializer):
    company_id = serializers.IntegerField(source="match.company_id")
    company_name = serializers.CharField(source="match.company.name")
    agreement_id = serializers.IntegerField(source="match.agreement_id")
    mentor_name = serializers.CharField(source="mentor.name")
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = MentoringActivity
        fields = [
            "id",
            "match_id",
            "agreement_id",
            "company_id",
            "company_name",
            "mentor_id",
            "mentor_name",
            "kind",
            "kind_label",
            "date",
            "hours",
            "notes",
            "created_at",
        ]


class ActivityFilter(django_filters.FilterSet):
    match = django_filters.NumberFilter(field_name="match_id")
    mentor = django_filters.NumberFilter(field_name="mentor_id")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = MentoringActivity
        fields = ["match", "mentor", "kind", "date_from", "date_to"]


class ActivityListApi(ListAPIView):
    """Mentoring sessions of the matches the user may see, newest first."""

    serializer_class = ActivityOutput
    filterset_class = ActivityFilter

    def get_queryset(self) -> QuerySet[Any]:
        return activity_list_for_user(self.request.user).order_by("-date", "-id")


class ActivityCreateInput(serializers.Serializer):
    mentor = StrictIntegerField()
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    date = serializers.DateField()
    hours = serializers.DecimalField(max_digits=4, decimal_places=1)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class ActivityCreateApi(APIView):
    @extend_schema(
        request=ActivityCreateInput,
        responses={201: ActivityOutput},
        summary="Record a mentoring session of an accepted or active match",
    )
    def post(self, request: Request, match_id: int) -> Response:
        match = match_get_for_user(request.user, match_id)
        if not can_manage_partner_data(request.user, match.agreement.consortium.partner_id):
            # Refused before the mentor is looked up: those who may see the match but not log for the
            # partner firm (the SME, the institution, auditors) get 403, not a 'mentor' field error.
            raise PermissionDenied()
        data = validated(ActivityCreateInput, request.data)
        mentor = _visible(mentor_get_for_user, request.user, data.pop("mentor"), "mentor")
        activity = mentoring_activity_log(actor=acting_user(request), match=match, mentor=mentor, **data)
        row = activity_list_for_user(request.user).get(pk=activity.pk)
        return Response(ActivityOutput(row).data, status=status.HTTP_201_CREATED)
