"""Which views show personal or business data, for the access log (접속기록; core.access_log_middleware).

`RULES` maps a view (its dotted path; admin views by URL name) to how its GET is logged. `NOT_LOGGED`
names every other view with why it is left out, so that `tests/access_log/test_coverage.py` can fail for a
new view that is in neither: adding a page means deciding here whether it shows such data.

Personal data (개인정보) is a person's name, phone or e-mail: a company's representative (대표자명), a
mentor, an evaluator, an account. Business data is a firm's registration number, finances and project
records. A subject is named as "company name (BRN)" for a firm's records, or the person's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model

from applications.models import Application, ChangeRequest, EvaluatorAssignment, ProjectAgreement
from companies.models import Company, Supplier, Workplace
from core.access_log_middleware import AccessRule
from core.identifiers import format_brn
from core.models import User
from factories.models import Factory, IndustrialComplex, OutcomeReport
from funding.models import DisbursementRequest
from partners.models import Consortium, Match, Mentor, WinWinAgreement
from programs.models import Call


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def firm(model: type[Model], path: str = "") -> Callable[[str], str]:
    """Whose data a record of `model` is: the firm at `path` ("" for the firm itself), "name (BRN)"."""

    def subject(pk: str) -> str:
        key = _int(pk)
        row = (
            model._default_manager.filter(pk=key)
            .values_list(f"{path}organisation__name_ko", f"{path}brn")
            .first()
            if key is not None
            else None
        )
        return f"{row[0]} ({format_brn(row[1])})" if row else ""

    return subject


def named(model: type[Model], *fields: str) -> Callable[[str], str]:
    """Whose data a record of `model` is, from its own name fields (joined by " · ")."""

    def subject(pk: str) -> str:
        key = _int(pk)
        row: Any = (
            model._default_manager.filter(pk=key).values_list(*fields).first() if key is not None else None
        )
        return " · ".join(str(v) for v in row if v) if row else ""

    return subject


company = firm(Company)
workplace = firm(Workplace, "company__")
supplier = firm(Supplier)
application = firm(Application, "company__")
assignment = firm(EvaluatorAssignment, "application__company__")
project_agreement = firm(ProjectAgreement, "application__company__")
change_request = firm(ChangeRequest, "agreement__application__company__")
disbursement = firm(DisbursementRequest, "agreement__application__company__")
factory = firm(Factory, "company__")
outcome_report = firm(OutcomeReport, "factory__company__")
match = firm(Match, "company__")
call = named(Call, "title_ko")
consortium = named(Consortium, "partner__name_ko", "institution__name_ko")
winwin = named(WinWinAgreement, "consortium__partner__name_ko", "consortium__institution__name_ko")
mentor = named(Mentor, "name", "partner__name_ko")
complex_ = named(IndustrialComplex, "name_ko")
account = named(User, "username", "display_name")


def one(resource: str, kwarg: str, subject: Callable[[str], str], *, personal: bool = False) -> AccessRule:
    return AccessRule(resource=resource, personal_data=personal, kwarg=kwarg, subject=subject)


def listing(resource: str, *, personal: bool = False, always: bool = False) -> AccessRule:
    return AccessRule(resource=resource, personal_data=personal, listing=True, always=always)


RULES: dict[str, AccessRule] = {
    # Companies (대표자명 is personal data), workplaces and suppliers.
    "companies.views.company_list": listing("companies"),
    "companies.views.company_detail": one("company", "company_id", company, personal=True),
    "companies.views.company_edit": one("company", "company_id", company, personal=True),
    "companies.views.workplace_new": one("company", "company_id", company),
    "companies.views.workplace_edit": one("workplace", "workplace_id", workplace),
    "companies.api.CompanyListApi": listing("companies", personal=True),
    "companies.api.CompanyDetailApi": one("company", "company_id", company, personal=True),
    "companies.api.CompanyWorkplaceListApi": one("company", "company_id", company),
    "companies.api.WorkplaceDetailApi": one("workplace", "workplace_id", workplace),
    "companies.api.SupplierListApi": listing("suppliers", personal=True),
    "companies.api.SupplierDetailApi": one("supplier", "supplier_id", supplier, personal=True),
    # Applications and their evaluation.
    "applications.views.application_list": listing("applications"),
    "applications.views.application_detail": one("application", "application_id", application),
    "applications.views.application_edit": one("application", "application_id", application),
    "applications.views.funding_check": one("application", "application_id", application),
    "applications.views.assignment_list": listing("assignments"),
    "applications.views.assignment_detail": one("assignment", "assignment_id", assignment),
    "applications.views.selection": one("selection", "call_id", call),
    "applications.api.ApplicationListApi": listing("applications"),
    "applications.api.ApplicationDetailApi": one("application", "application_id", application),
    "applications.api.ApplicationHistoryApi": one("application", "application_id", application),
    "applications.api.DuplicateFlagListApi": one("application", "application_id", application),
    # Who evaluates an application is personal data of the evaluators.
    "applications.api.ApplicationAssignmentListApi": one(
        "application", "application_id", application, personal=True
    ),
    "applications.api.AssignmentListApi": listing("assignments"),
    "applications.api.AssignmentDetailApi": one("assignment", "assignment_id", assignment),
    # Project agreements (협약) and change requests.
    "applications.views_agreements.agreement_list": listing("agreements"),
    "applications.views_agreements.agreement_sign_view": one("application", "application_id", application),
    "applications.views_agreements.change_request_new": one("agreement", "agreement_id", project_agreement),
    "applications.views_agreements.change_request_list": listing("change_requests"),
    "applications.api_agreements.AgreementListApi": listing("agreements"),
    "applications.api_agreements.AgreementDetailApi": one("agreement", "agreement_id", project_agreement),
    "applications.api_agreements.ChangeRequestListApi": listing("change_requests"),
    # Partners' portfolios and matching: lists of mentee firms.
    "applications.views_portfolio.portfolio": listing("portfolio", always=True),
    "applications.views_portfolio.comparison": listing("partner_comparison"),
    "applications.api_portfolio.PortfolioApi": listing("portfolio", always=True),
    "applications.api_portfolio.PortfolioMenteeListApi": listing("portfolio_mentees", always=True),
    "applications.api_portfolio.ComparisonApi": listing("partner_comparison"),
    "applications.views_matching.matching_page": one("matching", "call_id", call),
    # Win-win agreements, consortia, supply-chain ties, matches, mentors and mentoring logs.
    "partners.views.agreement_list": listing("winwin_agreements"),
    "partners.views.agreement_detail": one("winwin_agreement", "agreement_id", winwin),
    "partners.views.agreement_edit": one("winwin_agreement", "agreement_id", winwin),
    "partners.views.match_propose_view": one("winwin_agreement", "agreement_id", winwin),
    "partners.views.consortium_list": listing("consortia"),
    "partners.views.tie_list": listing("supply_chain_ties", always=True),
    "partners.views.match_list": listing("matches"),
    # The match page lists its mentoring log with the mentors' names.
    "partners.views.match_detail": one("match", "match_id", match, personal=True),
    "partners.views.mentor_list": listing("mentors", personal=True),
    "partners.views.mentor_edit": one("mentor", "mentor_id", mentor, personal=True),
    "partners.api.ConsortiumListApi": listing("consortia"),
    "partners.api.ConsortiumDetailApi": one("consortium", "consortium_id", consortium),
    "partners.api.AgreementListApi": listing("winwin_agreements"),
    "partners.api.AgreementDetailApi": one("winwin_agreement", "agreement_id", winwin),
    "partners.api.TieListApi": listing("supply_chain_ties", always=True),
    "partners.api.MatchListApi": listing("matches"),
    "partners.api.MatchDetailApi": one("match", "match_id", match, personal=True),
    "partners.api.MentorListApi": listing("mentors", personal=True),
    "partners.api.ActivityListApi": listing("mentoring_activities", personal=True),
    # Money: agreements' funding, disbursement requests, the ledger.
    "funding.views.agreement_detail": one("agreement", "agreement_id", project_agreement),
    "funding.views.disbursement_request_view": one("agreement", "agreement_id", project_agreement),
    "funding.views.recovery_view": one("agreement", "agreement_id", project_agreement),
    "funding.views.finance_queue": listing("disbursements", always=True),
    "funding.views.ledger": listing("ledger", always=True),
    "funding.views.my_payments": listing("disbursements"),
    "funding.views.reconciliation": listing("reconciliation", always=True),
    "funding.api.DisbursementListApi": listing("disbursements", always=True),
    "funding.api.DisbursementDetailApi": one("disbursement", "request_id", disbursement),
    "funding.api.LedgerListApi": listing("ledger", always=True),
    "funding.api_reports.ReconciliationReportApi": listing("reconciliation", always=True),
    # Factories, level history, outcome reports, leading complexes.
    "factories.views.factory_list": listing("factories"),
    "factories.views.factory_detail": one("factory", "factory_id", factory),
    "factories.views.factory_close_view": one("factory", "factory_id", factory),
    "factories.views.factory_complete": one("application", "application_id", application),
    "factories.views.workplace_levels": one("workplace_levels", "workplace_id", workplace),
    "factories.api.FactoryListApi": listing("factories"),
    "factories.api.FactoryDetailApi": one("factory", "factory_id", factory),
    "factories.api.WorkplaceLevelHistoryApi": one("workplace_levels", "workplace_id", workplace),
    "factories.views_outcomes.outcome_list": listing("outcome_reports"),
    "factories.views_outcomes.outcome_detail": one("outcome_report", "report_id", outcome_report),
    "factories.views_outcomes.outcome_schedule": one("outcome_schedule", "call_id", call),
    "factories.api_outcomes.OutcomeReportListApi": listing("outcome_reports"),
    "factories.api_outcomes.OutcomeReportDetailApi": one("outcome_report", "report_id", outcome_report),
    "factories.api_outcomes.OutcomeScheduleApi": one("outcome_schedule", "call_id", call),
    "factories.views_complexes.complex_detail": one("complex", "complex_id", complex_),
    "factories.api_complexes.ComplexWorkplaceListApi": one("complex", "complex_id", complex_),
    "factories.api_complexes.ComplexFactoryListApi": one("complex", "complex_id", complex_),
    # Downloads of aggregates (no firm is named, but they are the program's business figures).
    "kpi.views.export": AccessRule(resource="kpi_chart"),
    "exports.views_reports.ministry_workbook_download": AccessRule(resource="ministry_workbook"),
    "exports.api_reports.MinistryWorkbookDownloadApi": AccessRule(resource="ministry_workbook"),
    "exports.views_reports.open_data_download": AccessRule(resource="open_data"),
    "exports.api_reports.OpenDataDownloadApi": AccessRule(resource="open_data"),
    # Imports: a job's errors quote the uploaded cells (firms' records); its annotated workbook holds the
    # uploaded rows themselves, representatives' names included.
    "exports.views_imports.import_detail": AccessRule(resource="import_job", kwarg="job_id"),
    "exports.api_imports.ImportJobDetailApi": AccessRule(resource="import_job", kwarg="job_id"),
    "exports.views_imports.import_errors_download": AccessRule(
        resource="import_errors", personal_data=True, kwarg="job_id"
    ),
    # The auditors' own pages: the logs name accounts and addresses.
    "core.views_audit.access_log": listing("access_log", personal=True),
    "core.views_audit.security_log": listing("security_log", personal=True),
    "core.views_audit.access_review": listing("access_review", personal=True, always=True),
    # Accounts and their memberships in the admin.
    "admin:core_user_changelist": listing("users", personal=True),
    "admin:core_user_change": one("user", "object_id", account, personal=True),
    "admin:core_user_history": one("user", "object_id", account, personal=True),
}

# Views left out, and why.
_OWN_ACCOUNT = "the signed-in user's own account"
_PUBLIC = "public program information or reference data"
_AGGREGATE = "aggregates naming no firm or person"
_FORM = "an empty form, or a POST-only action (writes are audited by pghistory)"
_OPS = "operations endpoint"
_OWN_IMPORTS = "the signed-in user's own import jobs (status, counts and progress, no rows)"
_OWN_EXPORTS = "the signed-in user's own export jobs (status and progress, no rows)"
_SELF_LOGGED = "logs its own download, with the reason given (core.access.access_record_request)"

NOT_LOGGED: dict[str, str] = {
    "core.views.home": _OWN_ACCOUNT,
    "core.views.signup": _FORM,
    "core.api.endpoints.MeApi": _OWN_ACCOUNT,
    "core.api.endpoints.RegionListApi": _PUBLIC,
    "core.api.endpoints.KsicListApi": _PUBLIC,
    "core.api.endpoints.LevelListApi": _PUBLIC,
    "core.api.endpoints.TargetLevelListApi": _PUBLIC,
    "core.api.endpoints.FirmSizeListApi": _PUBLIC,
    "core.views_auth.SignOutView": _OWN_ACCOUNT,
    "core.views_auth.otp_verify_view": _OWN_ACCOUNT,
    "core.views_auth.otp_setup_view": _OWN_ACCOUNT,
    "core.views_auth.otp_replace_view": _OWN_ACCOUNT,
    "core.views_health.health": _OPS,
    "core.views_health.metrics": _OPS,
    "programs.views.call_list": _PUBLIC,
    "programs.views.call_detail": _PUBLIC,
    "programs.views.call_new": _FORM,
    "programs.views.call_edit": _PUBLIC,
    "programs.views.call_publish_view": _FORM,
    "programs.views.call_cancel_view": _FORM,
    "programs.views.funding_rule_edit": _PUBLIC,
    "programs.views.rubric_edit": _PUBLIC,
    "programs.views.target_list": _PUBLIC,
    "programs.api.CallListApi": _PUBLIC,
    "programs.api.CallDetailApi": _PUBLIC,
    "programs.api.NationalTargetListApi": _PUBLIC,
    "companies.views.my_company": "a redirect to the user's own company page (which is logged)",
    "companies.views.company_register_view": _FORM,
    "applications.views.application_new": _FORM,
    "applications.views.application_act": _FORM,
    "applications.views.evaluator_assign_view": _FORM,
    "applications.views.duplicate_override_view": _FORM,
    "applications.views_agreements.agreement_close": _FORM,
    "applications.views_agreements.change_request_decide": _FORM,
    "partners.views.agreement_new": _FORM,
    "partners.views.consortium_new": _FORM,
    "partners.views.tie_remove": _FORM,
    "partners.views.match_act": _FORM,
    "funding.views.disbursement_act": _FORM,
    "funding.views.ledger_reverse": _FORM,
    "funding.views.execution": _AGGREGATE,
    "funding.api_reports.ExecutionReportApi": _AGGREGATE,
    "factories.views_outcomes.outcome_submit": _FORM,
    "factories.views_outcomes.outcome_review": _FORM,
    "factories.api_outcomes.OutcomeEffectsApi": _AGGREGATE,
    "factories.views_complexes.complex_list": _PUBLIC,
    "factories.views_complexes.complex_new": _FORM,
    "factories.views_complexes.complex_edit": _PUBLIC,
    "factories.views_complexes.complex_designate_view": _FORM,
    "factories.views_complexes.complex_end_view": _FORM,
    "factories.views_complexes.complex_workplace_add_view": _FORM,
    "factories.views_complexes.complex_workplace_remove_view": _FORM,
    "factories.api_complexes.ComplexListApi": _PUBLIC,
    "factories.api_complexes.ComplexSummaryApi": _AGGREGATE,
    "factories.api_complexes.ComplexDetailApi": _PUBLIC,
    "factories.views_aggregates.aggregate_list": _AGGREGATE,
    "factories.views_aggregates.aggregate_import_view": _FORM,
    "factories.api_aggregates.AggregateListApi": _AGGREGATE,
    "factories.api_aggregates.AggregateTotalsApi": _AGGREGATE,
    # Training holds counts only (training/models.py): no firm's or person's data.
    "training.views.cohort_list": _AGGREGATE,
    "training.views.cohort_new": _FORM,
    "training.views.cohort_edit": _AGGREGATE,
    "training.views.course_new": _FORM,
    "training.views.course_edit": _PUBLIC,
    "training.views.provider_list": _PUBLIC,
    "training.views.provider_new": _FORM,
    "training.views.provider_edit": _PUBLIC,
    "training.api.ProviderListApi": _PUBLIC,
    "training.api.ProviderDetailApi": _PUBLIC,
    "training.api.CourseListApi": _PUBLIC,
    "training.api.CohortListApi": _AGGREGATE,
    "training.api.CohortDetailApi": _AGGREGATE,
    "training.api.TrainedWorkersApi": _AGGREGATE,
    "exports.views_reports.reports_page": _AGGREGATE,
    "exports.views_imports.import_list": _OWN_IMPORTS,
    "exports.views_imports.import_progress": _OWN_IMPORTS,
    "exports.views_imports.import_template_download": _FORM,
    # Raw exports: the export page shows a row count; the files log their own downloads.
    "exports.views.export_new": _SELF_LOGGED,
    "exports.views.job_list": _OWN_EXPORTS,
    "exports.views.job_detail": _OWN_EXPORTS,
    "exports.views.job_progress": _OWN_EXPORTS,
    "exports.views.job_download": _SELF_LOGGED,
    "exports.api_jobs.ExportJobCollectionApi": _OWN_EXPORTS,
    "exports.api_jobs.ExportJobDetailApi": _OWN_EXPORTS,
    "exports.api_jobs.ExportJobDownloadApi": _SELF_LOGGED,
    "kpi.views.dashboard": _AGGREGATE,
    "kpi.views.freeze": _FORM,
    "kpi.views.refresh": _FORM,
    "kpi.api.KpiDashboardApi": _AGGREGATE,
    "kpi.api.MetricListApi": _AGGREGATE,
    "kpi.api.MetricValuesApi": _AGGREGATE,
    "kpi.api.SnapshotListApi": _AGGREGATE,
}
