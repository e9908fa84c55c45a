"""Drive an application through the workflow with the real services (no shortcuts in the data)."""

from __future__ import annotations

from decimal import Decimal

from applications import services as s
from applications.models import Application, ApplicationStatus, EvaluatorAssignment, ProjectAgreement
from core.models import User
from factories.models import Factory
from partners.models import WinWinAgreement
from programs.selectors import rubric_for


def submit(app: Application, sme: User) -> Application:
    return s.application_submit(application=app, actor=sme)


def to_evaluation(app: Application, sme: User, official: User) -> Application:
    if app.status == ApplicationStatus.DRAFT:
        submit(app, sme)
    s.application_transition(application=app, actor=official, action="start_screening")
    return s.application_pass_screening(application=app, actor=official)


def score(app: Application, official: User, evaluator: User, fraction: Decimal) -> EvaluatorAssignment:
    """Assign the evaluator, declare no conflict, and score every criterion at `fraction` of its maximum."""
    assignment = s.evaluator_assign(application=app, actor=official, evaluator=evaluator)
    s.assignment_declare(assignment=assignment, actor=evaluator, has_conflict=False)
    scores = {c.pk: Decimal(c.max_score) * fraction for c in rubric_for(app.call)}
    return s.assignment_submit_scores(assignment=assignment, actor=evaluator, scores=scores)


def to_scored(
    app: Application, sme: User, official: User, evaluator: User, fraction: str = "0.8"
) -> Application:
    to_evaluation(app, sme, official)
    score(app, official, evaluator, Decimal(fraction))
    app.refresh_from_db()
    return app


def to_selected(app: Application, sme: User, official: User, evaluator: User) -> Application:
    to_scored(app, sme, official, evaluator)
    return s.application_select(application=app, actor=official)


def cofund(app: Application, agreement: WinWinAgreement | None = None) -> User:
    """Make `app` co-funded: an agreement for its call's year (a new one unless given), an accepted match
    of its company, the agreement named on the draft, and the partner's share confirmed by a partner
    user (returned)."""
    from applications.models import Application as App
    from core.roles import Role
    from tests import factories as f

    agreement = agreement or f.AgreementFactory(fiscal_year=app.call.fiscal_year)
    partner_user = f.UserFactory()
    f.member(partner_user, agreement.consortium.partner, Role.PARTNER)
    f.MatchFactory(agreement=agreement, company=app.company)
    App.objects.filter(pk=app.pk).update(partner_agreement=agreement)
    app.refresh_from_db()
    s.application_partner_confirm(application=app, actor=partner_user)
    app.refresh_from_db()
    return partner_user


def sign(app: Application, official: User, **values: object) -> ProjectAgreement:
    """Sign the agreement of a selected application (one year from next month, a sample account)."""
    import datetime as dt

    from django.utils import timezone

    from applications.agreements import agreement_sign

    start = timezone.localdate() + dt.timedelta(days=7)
    defaults: dict[str, object] = {
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=365),
        "scope": "MES 구축 및 설비 데이터 수집",
        "account_bank": "기업은행",
        "account_number": "123-456789-01-012",
        "account_holder": "(주)에이정밀",
    }
    return agreement_sign(application=app, actor=official, **(defaults | values))


def to_agreed(app: Application, sme: User, official: User, evaluator: User) -> ProjectAgreement:
    to_selected(app, sme, official, evaluator)
    return sign(app, official)


def to_final_inspection(app: Application, official: User, *, starts_on: object = None) -> ProjectAgreement:
    """Sign a selected application's agreement, started `starts_on` (200 days ago unless given, so
    that it may complete today), and take the project through build-out to its final inspection."""
    import datetime as dt

    from django.utils import timezone

    start = starts_on or timezone.localdate() - dt.timedelta(days=200)
    agreement = sign(app, official, starts_on=start, ends_on=start + dt.timedelta(days=365))  # type: ignore[operator]
    for action in ("start_build", "start_final_inspection"):
        s.application_transition(application=app, actor=official, action=action)
    app.refresh_from_db()
    return agreement


def to_completed(
    app: Application,
    official: User,
    *,
    completed_on: object = None,
    level: str = "L3",
    confirming_body: str = "경기스마트제조혁신센터",
) -> Factory:
    """Complete a project in final inspection with the real service: its factory is recorded."""
    from django.utils import timezone

    from factories.services import factory_record_completion

    return factory_record_completion(
        application=app,
        actor=official,
        completed_on=completed_on or timezone.localdate(),  # type: ignore[arg-type]
        level=level,
        confirming_body=confirming_body,
    )
