"""The match workflow as a plain table: proposed → accepted → active → completed | ended.

The SME accepts or declines a proposal (declining ends it); the partner firm (or an official) starts,
completes or ends a match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from partners import permissions as p
from partners.models import Match
from partners.models import MatchStatus as M


@dataclass(frozen=True)
class MatchTransition:
    action: str
    sources: frozenset[str]
    target: str
    permission: Callable[[p.AnyUser, Match], bool]
    label: str | Promise
    note_required: bool = False


MATCH_TRANSITIONS: dict[str, MatchTransition] = {
    t.action: t
    for t in (
        MatchTransition("accept", frozenset({M.PROPOSED}), M.ACCEPTED, p.can_answer_match, _("Accept")),
        MatchTransition("decline", frozenset({M.PROPOSED}), M.ENDED, p.can_answer_match, _("Decline")),
        MatchTransition("start", frozenset({M.ACCEPTED}), M.ACTIVE, p.can_run_match, _("Start mentoring")),
        MatchTransition("complete", frozenset({M.ACTIVE}), M.COMPLETED, p.can_run_match, _("Complete")),
        MatchTransition(
            "end",
            frozenset({M.PROPOSED, M.ACCEPTED, M.ACTIVE}),
            M.ENDED,
            p.can_run_match,
            _("End the match"),
            note_required=True,
        ),
    )
}


def available_match_actions(user: p.AnyUser, match: Match) -> list[MatchTransition]:
    return [t for t in MATCH_TRANSITIONS.values() if match.status in t.sources and t.permission(user, match)]
