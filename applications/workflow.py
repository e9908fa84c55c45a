"""The application workflow as a plain table: action → (source states, target state, permission).

DESIGN.md §4: draft → submitted → screening → evaluation → selected | rejected | waitlisted → agreed →
building → interim check → final inspection → completed → settled → follow-up → closed; withdrawn
before selection, terminated after agreement. `services.application_transition` applies a row of this
table under a row lock and writes the history row; actions with their own checks (submit, select …)
have services that run those checks and then apply the same row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from applications import permissions as p
from applications.models import Application
from applications.models import ApplicationStatus as S


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    permission: Callable[[p.AnyUser, Application], bool]
    label: str | Promise
    note_required: bool = False
    # Whether the generic transition endpoint may apply it; False for actions with their own service.
    generic: bool = True


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit", frozenset({S.DRAFT}), S.SUBMITTED, p.can_submit_application, _("Submit"), generic=False
        ),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.SUBMITTED, S.SCREENING, S.EVALUATION, S.WAITLISTED}),
            S.WITHDRAWN,
            p.can_withdraw_application,
            _("Withdraw"),
        ),
        Transition(
            "start_screening",
            frozenset({S.SUBMITTED}),
            S.SCREENING,
            p.can_screen_application,
            _("Start screening"),
        ),
        Transition(
            "pass_screening",
            frozenset({S.SCREENING}),
            S.EVALUATION,
            p.can_screen_application,
            _("Pass screening"),
            generic=False,
        ),
        Transition(
            "fail_screening",
            frozenset({S.SCREENING}),
            S.REJECTED,
            p.can_screen_application,
            _("Fail screening"),
            note_required=True,
        ),
        Transition(
            "waitlist", frozenset({S.EVALUATION}), S.WAITLISTED, p.can_decide_application, _("Waitlist")
        ),
        Transition(
            "select",
            frozenset({S.EVALUATION, S.WAITLISTED}),
            S.SELECTED,
            p.can_decide_application,
            _("Select"),
            generic=False,
        ),
        Transition(
            "reject",
            frozenset({S.EVALUATION, S.WAITLISTED}),
            S.REJECTED,
            p.can_decide_application,
            _("Reject"),
            note_required=True,
        ),
        # After selection: signing the agreement, settling and terminating have their own services
        # (applications.agreements); the build-out steps in between need no checks beyond the table.
        Transition(
            "agree",
            frozenset({S.SELECTED}),
            S.AGREED,
            p.can_manage_project,
            _("Sign agreement"),
            generic=False,
        ),
        Transition(
            "start_build",
            frozenset({S.AGREED}),
            S.BUILDING,
            p.can_manage_project,
            _("Start build-out"),
        ),
        Transition(
            "start_interim_check",
            frozenset({S.BUILDING}),
            S.INTERIM_CHECK,
            p.can_manage_project,
            _("Start interim check"),
        ),
        Transition(
            "start_final_inspection",
            frozenset({S.BUILDING, S.INTERIM_CHECK}),
            S.FINAL_INSPECTION,
            p.can_manage_project,
            _("Start final inspection"),
        ),
        Transition(
            "complete",
            frozenset({S.FINAL_INSPECTION}),
            S.COMPLETED,
            p.can_manage_project,
            _("Complete"),
            # The factory record is made with it (factories.services.factory_record_completion).
            generic=False,
        ),
        Transition(
            "settle",
            frozenset({S.COMPLETED}),
            S.SETTLED,
            p.can_decide_application,
            _("Settle"),
            generic=False,
        ),
        Transition(
            "start_follow_up",
            frozenset({S.SETTLED}),
            S.FOLLOW_UP,
            p.can_manage_project,
            _("Start follow-up"),
        ),
        Transition("close", frozenset({S.FOLLOW_UP}), S.CLOSED, p.can_manage_project, _("Close")),
        Transition(
            "terminate",
            frozenset({S.AGREED, S.BUILDING, S.INTERIM_CHECK, S.FINAL_INSPECTION}),
            S.TERMINATED,
            p.can_decide_application,
            _("Terminate agreement"),
            note_required=True,
            generic=False,
        ),
    )
}

GENERIC_ACTIONS = tuple(action for action, t in TRANSITIONS.items() if t.generic)


def available_actions(user: p.AnyUser, application: Application) -> list[Transition]:
    """The transitions this user may apply to this application now (for buttons and the API)."""
    return [
        t for t in TRANSITIONS.values() if application.status in t.sources and t.permission(user, application)
    ]
