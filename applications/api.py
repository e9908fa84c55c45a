"""API of applications, screening, evaluation and selection. One view per operation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.filters import ApplicationFilter
from applications.models import (
    Application,
    ApplicationStatusChange,
    DuplicateFlag,
    EvaluatorAssignment,
)
from applications.permissions import can_see_evaluations
from applications.selectors import (
    application_get_for_user,
    application_history,
    application_list_for_user,
    assignment_get_for_user,
    assignment_list_for_user,
    assignments_for_application,
    cofunding_agreements_for,
    duplicate_flag_get_for_user,
    duplicate_flags_for,
)
from applications.services import (
    SelectionPreview,
    application_create_draft,
    application_partner_confirm,
    application_partner_unconfirm,
    application_pass_screening,
    application_select,
    application_submit,
    application_transition,
    application_update_draft,
    assignment_declare,
    assignment_submit_scores,
    duplicate_flag_override,
    evaluator_assign,
    selection_apply,
    selection_preview,
)
from applications.workflow import GENERIC_ACTIONS, available_actions
from companies.selectors import supplier_get_for_user, workplace_get_for_user
from core.api.fields import KrwField, StrictIntegerField
from core.api.views import acting_user, validated
from core.errors import NotFound, ValidationFailed
from core.models import Level, TargetLevel, User
from programs.selectors import call_get_for_user


class ReviewerOnlyFieldsMixin:
    """Drops scores and reviewer-only data for users who may not see evaluations (applicants …)."""

    reviewer_only_fields: tuple[str, ...] = ("evaluation_score",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # type: ignore[attr-defined]
        if request is None or not can_see_evaluations(request.user):
            for name in self.reviewer_only_fields:
                self.fields.pop(name, None)  # type: ignore[attr-defined]


class ApplicationListOutput(ReviewerOnlyFieldsMixin, serializers.ModelSerializer):
    number = serializers.CharField()
    call_id = serializers.IntegerField()
    call_code = serializers.CharField(source="call.code")
    call_title = serializers.CharField(source="call.title")
    fiscal_year = serializers.IntegerField(source="call.fiscal_year")
    program_type = serializers.CharField(source="call.program_type")
    company_id = serializers.IntegerField()
    company_name = serializers.CharField(source="company.name")
    workplace_id = serializers.IntegerField()
    workplace_name = serializers.CharField(source="workplace.name")
    region = serializers.CharField(source="region.slug")
    target_level = serializers.CharField(source="target_level.code")
    status_label = serializers.CharField(source="get_status_display")
    total_cost_krw = KrwField(allow_zero=True)
    gov_amount_krw = KrwField(allow_zero=True)
    evaluation_score = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, required=False
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "call_id",
            "call_code",
            "call_title",
            "fiscal_year",
            "program_type",
            "company_id",
            "company_name",
            "workplace_id",
            "workplace_name",
            "region",
            "target_level",
            "status",
            "status_label",
            "title",
            "total_cost_krw",
            "gov_amount_krw",
            "evaluation_score",
            "submitted_at",
            "decided_at",
            "updated_at",
        ]


class ActionOutput(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    note_required = serializers.BooleanField()


class ApplicationDetailOutput(ApplicationListOutput):
    supplier_id = serializers.IntegerField(allow_null=True)
    supplier_name = serializers.SerializerMethodField()
    current_level = serializers.CharField(source="current_level.code", allow_null=True, default=None)
    partner_amount_krw = KrwField(allow_zero=True)
    sme_amount_krw = KrwField(allow_zero=True)
    local_amount_krw = KrwField(allow_zero=True)
    gov_share_bp = serializers.IntegerField()
    partner_agreement_id = serializers.IntegerField(allow_null=True)
    partner_name = serializers.SerializerMethodField()
    partner_confirmed_krw = KrwField(allow_null=True)
    partner_confirmed_at = serializers.DateTimeField(allow_null=True)
    available_actions = serializers.SerializerMethodField()

    class Meta(ApplicationListOutput.Meta):
        fields = [
            *ApplicationListOutput.Meta.fields,
            "summary",
            "planned_start",
            "planned_end",
            "supplier_id",
            "supplier_name",
            "current_level",
            "partner_amount_krw",
            "sme_amount_krw",
            "local_amount_krw",
            "gov_share_bp",
            "partner_agreement_id",
            "partner_name",
            "partner_confirmed_krw",
            "partner_confirmed_at",
            "created_at",
            "available_actions",
        ]

    def get_supplier_name(self, obj: Application) -> str | None:
        return obj.supplier.name if obj.supplier is not None else None

    def get_partner_name(self, obj: Application) -> str | None:
        agreement = obj.partner_agreement
        return agreement.consortium.partner.name if agreement is not None else None

    @extend_schema_field(ActionOutput(many=True))
    def get_available_actions(self, obj: Application) -> list[dict[str, Any]]:
        user = self.context["request"].user
        return [
            {"action": t.action, "label": str(t.label), "note_required": t.note_required}
            for t in available_actions(user, obj)
        ]


class ApplicationListApi(ListAPIView):
    """Applications the user may see, newest first; filter by call, status, region and more."""

    serializer_class = ApplicationListOutput
    filterset_class = ApplicationFilter

    def get_queryset(self) -> QuerySet[Any]:
        return application_list_for_user(self.request.user).order_by("-id")


def _detail(request: Request, application_id: int, *, status_code: int = 200) -> Response:
    application = application_get_for_user(request.user, application_id)
    return Response(
        ApplicationDetailOutput(application, context={"request": request}).data, status=status_code
    )


class ApplicationDetailApi(APIView):
    @extend_schema(responses=ApplicationDetailOutput, summary="An application")
    def get(self, request: Request, application_id: int) -> Response:
        return _detail(request, application_id)


class ApplicationCreateInput(serializers.Serializer):
    call = StrictIntegerField()
    workplace = StrictIntegerField()
    target_level = serializers.SlugRelatedField(slug_field="code", queryset=TargetLevel.objects.all())


def _visible(getter: Any, user: Any, pk: int, field: str) -> Any:
    """Fetch a referenced object through its scoped selector; an invisible one is a field error."""
    try:
        return getter(user, pk)
    except NotFound as exc:
        raise ValidationFailed(fields={field: [_("Not found or not available to you.")]}) from exc


class ApplicationCreateApi(APIView):
    @extend_schema(
        request=ApplicationCreateInput,
        responses={201: ApplicationDetailOutput},
        summary="Start a draft application",
    )
    def post(self, request: Request) -> Response:
        data = validated(ApplicationCreateInput, request.data)
        call = _visible(call_get_for_user, request.user, data["call"], "call")
        workplace = _visible(workplace_get_for_user, request.user, data["workplace"], "workplace")
        app = application_create_draft(
            actor=acting_user(request),
            call=call,
            workplace=workplace,
            target_level=data["target_level"],
        )
        return _detail(request, app.pk, status_code=status.HTTP_201_CREATED)


class ApplicationUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)
    supplier = StrictIntegerField(required=False, allow_null=True)
    current_level = serializers.SlugRelatedField(
        slug_field="code", queryset=Level.objects.all(), required=False
    )
    target_level = serializers.SlugRelatedField(
        slug_field="code", queryset=TargetLevel.objects.all(), required=False
    )
    total_cost_krw = KrwField(allow_zero=True, required=False)
    gov_amount_krw = KrwField(allow_zero=True, required=False)
    partner_amount_krw = KrwField(allow_zero=True, required=False)
    sme_amount_krw = KrwField(allow_zero=True, required=False)
    local_amount_krw = KrwField(allow_zero=True, required=False)
    partner_agreement = StrictIntegerField(required=False, allow_null=True)


class ApplicationUpdateApi(APIView):
    @extend_schema(request=ApplicationUpdateInput, responses=ApplicationDetailOutput, summary="Save a draft")
    def patch(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        data = validated(ApplicationUpdateInput, request.data)
        if data.get("supplier") is not None:
            data["supplier"] = _visible(supplier_get_for_user, request.user, data["supplier"], "supplier")
        if data.get("partner_agreement") is not None:
            agreement = cofunding_agreements_for(app).filter(pk=data["partner_agreement"]).first()
            if agreement is None:
                raise ValidationFailed(
                    fields={"partner_agreement": [_("Not found or not available to this application.")]}
                )
            data["partner_agreement"] = agreement
        application_update_draft(application=app, actor=acting_user(request), **data)
        return _detail(request, application_id)


class ApplicationSubmitApi(APIView):
    @extend_schema(request=None, responses=ApplicationDetailOutput, summary="Submit a draft")
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        application_submit(application=app, actor=acting_user(request))
        return _detail(request, application_id)


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a, a) for a in GENERIC_ACTIONS])
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class ApplicationTransitionApi(APIView):
    @extend_schema(
        request=TransitionInput,
        responses=ApplicationDetailOutput,
        summary="Withdraw, start or fail screening, waitlist or reject",
    )
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        data = validated(TransitionInput, request.data)
        application_transition(application=app, actor=acting_user(request), **data)
        return _detail(request, application_id)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class ApplicationPassScreeningApi(APIView):
    @extend_schema(
        request=NoteInput, responses=ApplicationDetailOutput, summary="Pass screening into evaluation"
    )
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        data = validated(NoteInput, request.data)
        application_pass_screening(application=app, actor=acting_user(request), **data)
        return _detail(request, application_id)


class ApplicationSelectApi(APIView):
    @extend_schema(request=NoteInput, responses=ApplicationDetailOutput, summary="Select within budget")
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        data = validated(NoteInput, request.data)
        application_select(application=app, actor=acting_user(request), **data)
        return _detail(request, application_id)


class ApplicationPartnerConfirmApi(APIView):
    @extend_schema(
        request=None,
        responses=ApplicationDetailOutput,
        summary="Partner firm confirms its share of a draft (committed against its pledge; 409 beyond it)",
    )
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        application_partner_confirm(application=app, actor=acting_user(request))
        return _detail(request, application_id)


class ApplicationPartnerUnconfirmApi(APIView):
    @extend_schema(
        request=None, responses=ApplicationDetailOutput, summary="The partner firm withdraws its confirmation"
    )
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        application_partner_unconfirm(application=app, actor=acting_user(request))
        return _detail(request, application_id)


class HistoryOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    from_label = serializers.CharField(source="get_from_status_display")
    to_label = serializers.CharField(source="get_to_status_display")

    class Meta:
        model = ApplicationStatusChange
        fields = ["id", "action", "from_status", "from_label", "to_status", "to_label", "actor", "note", "at"]

    def get_actor(self, obj: ApplicationStatusChange) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class ApplicationHistoryApi(APIView):
    @extend_schema(responses=HistoryOutput(many=True), summary="Status history of an application")
    def get(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        return Response(HistoryOutput(application_history(app), many=True).data)


class DuplicateFlagOutput(serializers.ModelSerializer):
    earlier_application_id = serializers.IntegerField()
    earlier_number = serializers.CharField(source="earlier_application.number")
    earlier_call = serializers.CharField(source="earlier_application.call.title")
    earlier_status = serializers.CharField(source="earlier_application.get_status_display")
    overridden_by = serializers.SerializerMethodField()

    class Meta:
        model = DuplicateFlag
        fields = [
            "id",
            "basis",
            "earlier_application_id",
            "earlier_number",
            "earlier_call",
            "earlier_status",
            "created_at",
            "overridden_by",
            "overridden_at",
            "override_reason",
        ]

    def get_overridden_by(self, obj: DuplicateFlag) -> str | None:
        return str(obj.overridden_by) if obj.overridden_by_id else None


class DuplicateFlagListApi(APIView):
    @extend_schema(
        responses=DuplicateFlagOutput(many=True), summary="Duplicate-support flags (reviewers only)"
    )
    def get(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        return Response(DuplicateFlagOutput(duplicate_flags_for(request.user, app), many=True).data)


class OverrideInput(serializers.Serializer):
    reason = serializers.CharField(max_length=5_000)


class DuplicateFlagOverrideApi(APIView):
    @extend_schema(
        request=OverrideInput, responses=DuplicateFlagOutput, summary="Override a duplicate-support flag"
    )
    def post(self, request: Request, flag_id: int) -> Response:
        flag = duplicate_flag_get_for_user(request.user, flag_id)
        data = validated(OverrideInput, request.data)
        flag = duplicate_flag_override(flag=flag, actor=acting_user(request), **data)
        return Response(DuplicateFlagOutput(flag).data)


class ScoreOutput(serializers.Serializer):
    criterion_id = serializers.IntegerField()
    criterion_name = serializers.CharField(source="criterion.name")
    score = serializers.DecimalField(max_digits=5, decimal_places=2)


class AssignmentOutput(serializers.ModelSerializer):
    """What an evaluator needs to judge a conflict of interest, and their own scores."""

    application_id = serializers.IntegerField()
    application_number = serializers.CharField(source="application.number")
    call_title = serializers.CharField(source="application.call.title")
    applicant_name = serializers.CharField(source="application.company.name")
    supplier_name = serializers.SerializerMethodField()
    target_level = serializers.CharField(source="application.target_level.code")
    application_status = serializers.CharField(source="application.status")
    evaluator = serializers.CharField(source="evaluator.__str__")
    scores = ScoreOutput(many=True, read_only=True)

    class Meta:
        model = EvaluatorAssignment
        fields = [
            "id",
            "application_id",
            "application_number",
            "call_title",
            "applicant_name",
            "supplier_name",
            "target_level",
            "application_status",
            "evaluator",
            "assigned_at",
            "conflict_status",
            "conflict_note",
            "declared_at",
            "total_score",
            "comment",
            "submitted_at",
            "scores",
        ]

    def get_supplier_name(self, obj: EvaluatorAssignment) -> str | None:
        supplier = obj.application.supplier
        return supplier.name if supplier else None


class AssignmentListApi(ListAPIView):
    """Evaluator assignments the user may see (an evaluator's own ones)."""

    serializer_class = AssignmentOutput

    def get_queryset(self) -> QuerySet[Any]:
        return (
            assignment_list_for_user(self.request.user)
            .prefetch_related("scores__criterion")
            .order_by("-assigned_at", "id")
        )


class ApplicationAssignmentListApi(APIView):
    @extend_schema(
        responses=AssignmentOutput(many=True), summary="Evaluators of an application (reviewers only)"
    )
    def get(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        return Response(AssignmentOutput(assignments_for_application(request.user, app), many=True).data)


class AssignInput(serializers.Serializer):
    evaluator = StrictIntegerField()


class EvaluatorAssignApi(APIView):
    @extend_schema(request=AssignInput, responses={201: AssignmentOutput}, summary="Assign an evaluator")
    def post(self, request: Request, application_id: int) -> Response:
        app = application_get_for_user(request.user, application_id)
        data = validated(AssignInput, request.data)
        evaluator = User.objects.filter(pk=data["evaluator"], is_active=True).first()
        if evaluator is None:
            raise ValidationFailed(fields={"evaluator": [_("This user is not an evaluator.")]})
        assignment = evaluator_assign(application=app, actor=acting_user(request), evaluator=evaluator)
        return Response(
            AssignmentOutput(assignment_get_for_user(request.user, assignment.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class AssignmentDetailApi(APIView):
    @extend_schema(responses=AssignmentOutput, summary="An evaluator assignment")
    def get(self, request: Request, assignment_id: int) -> Response:
        return Response(AssignmentOutput(assignment_get_for_user(request.user, assignment_id)).data)


class DeclarationInput(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")


class AssignmentDeclareApi(APIView):
    @extend_schema(
        request=DeclarationInput, responses=AssignmentOutput, summary="Declare (no) conflict of interest"
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_get_for_user(request.user, assignment_id)
        data = validated(DeclarationInput, request.data)
        assignment_declare(assignment=assignment, actor=acting_user(request), **data)
        return Response(AssignmentOutput(assignment_get_for_user(request.user, assignment_id)).data)


class CriterionScoreInput(serializers.Serializer):
    criterion = StrictIntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)


class ScoresInput(serializers.Serializer):
    scores = CriterionScoreInput(many=True, allow_empty=False)
    comment = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")

    def validate_scores(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [item["criterion"] for item in value]
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError(_("Each criterion can be scored once."))
        return value


class AssignmentScoreApi(APIView):
    @extend_schema(
        request=ScoresInput, responses=AssignmentOutput, summary="Submit scores for every criterion"
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = assignment_get_for_user(request.user, assignment_id)
        data = validated(ScoresInput, request.data)
        scores = {item["criterion"]: item["score"] for item in data["scores"]}
        assignment_submit_scores(
            assignment=assignment,
            actor=acting_user(request),
            scores=scores,
            comment=data["comment"],
        )
        return Response(AssignmentOutput(assignment_get_for_user(request.user, assignment_id)).data)


class SelectionLineOutput(serializers.Serializer):
    application_id = serializers.IntegerField()
    number = serializers.CharField()
    company_name = serializers.CharField()
    title = serializers.CharField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    gov_amount_krw = KrwField(allow_zero=True)
    included = serializers.BooleanField()
    reason = serializers.CharField()


class SelectionPreviewOutput(serializers.Serializer):
    call_id = serializers.IntegerField()
    top_n = serializers.IntegerField()
    lines = SelectionLineOutput(many=True)
    included_ids = serializers.ListField(child=serializers.IntegerField())
    total_gov_krw = KrwField(allow_zero=True)
    remaining_before_krw = KrwField(allow_zero=True)
    remaining_after_krw = KrwField(allow_zero=True)
    slots_before = serializers.IntegerField()
    fingerprint = serializers.CharField()


class SelectionPreviewInput(serializers.Serializer):
    top_n = StrictIntegerField(min_value=1, max_value=100_000)


class SelectionApplyInput(SelectionPreviewInput):
    fingerprint = serializers.CharField(max_length=64, min_length=64)


def _preview_response(preview: SelectionPreview) -> Response:
    return Response(SelectionPreviewOutput(preview).data)


class SelectionPreviewApi(APIView):
    @extend_schema(
        request=SelectionPreviewInput,
        responses=SelectionPreviewOutput,
        summary="Preview selecting the top N by score within budget (changes nothing)",
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(SelectionPreviewInput, request.data)
        return _preview_response(
            selection_preview(call=call, actor=acting_user(request), top_n=data["top_n"])
        )


class SelectionApplyApi(APIView):
    @extend_schema(
        request=SelectionApplyInput,
        responses=SelectionPreviewOutput,
        summary="Apply a previewed top-N selection (409 if anything changed since the preview)",
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_for_user(request.user, call_id)
        data = validated(SelectionApplyInput, request.data)
        preview = selection_apply(call=call, actor=acting_user(request), **data)
        return _preview_response(preview)
