"""Child process of bench/loadtest.py: API tokens and ids for the load, printed as one JSON line.

Run against the benchmark database (DATABASE_URL set by loadtest.py). It adds `LOADTEST_OFFICIALS`
official accounts (loadtest_official_NN at KOSMO, so that several simulated officials do not share one
account's export quota), and takes partner firms with accepted or active matches and mentors, and SMEs
with drafts, from the national seed. Writes go through the core services.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, ApplicationStatus  # noqa: E402
from core.models import Membership, Region, User  # noqa: E402
from core.roles import Role  # noqa: E402
from core.services import api_token_create, membership_grant, user_create  # noqa: E402
from partners.models import Match, MatchStatus, Mentor  # noqa: E402

OFFICIALS = int(os.environ.get("LOADTEST_OFFICIALS", "12"))
PARTNERS = 8
SMES = 20


def token(user: User) -> str:
    return api_token_create(user=user, name="loadtest", expires_at=timezone.now() + dt.timedelta(hours=6))[1]


@transaction.atomic
def main() -> None:
    kosmo = Membership.objects.filter(user__username="official", role=Role.OFFICIAL).first()
    if kosmo is None:
        raise SystemExit("the benchmark database has no demo 'official': seed it first")
    officials = []
    for n in range(OFFICIALS):
        username = f"loadtest_official_{n:02d}"
        user = User.objects.filter(username=username).first() or user_create(
            username=username, password=None, display_name=f"부하 시험 {n:02d}"
        )
        if not Membership.objects.filter(user=user, role=Role.OFFICIAL, is_active=True).exists():
            membership_grant(user=user, organisation=kosmo.organisation, role=Role.OFFICIAL)
        officials.append(token(user))

    partners = []
    partner_memberships = Membership.objects.filter(role=Role.PARTNER, is_active=True).select_related("user")
    for membership in partner_memberships.order_by("organisation_id", "user_id"):
        org_id = membership.organisation_id
        matches = list(
            Match.objects.filter(
                agreement__consortium__partner_id=org_id,
                status__in=[MatchStatus.ACCEPTED, MatchStatus.ACTIVE],
            ).values_list("pk", flat=True)[:50]
        )
        mentors = list(
            Mentor.objects.filter(partner_id=org_id, is_active=True).values_list("pk", flat=True)[:20]
        )
        if matches and mentors:
            partners.append([token(membership.user), matches, mentors])
        if len(partners) >= PARTNERS:
            break

    smes = []
    sme_memberships = Membership.objects.filter(role=Role.SME, is_active=True).select_related("user")
    for membership in sme_memberships.order_by("organisation_id")[:2_000]:
        drafts = list(
            Application.objects.filter(
                company__organisation_id=membership.organisation_id, status=ApplicationStatus.DRAFT
            ).values_list("pk", flat=True)[:5]
        )
        if drafts:
            smes.append([token(membership.user), drafts])
        if len(smes) >= SMES:
            break
    if not partners or not smes:
        raise SystemExit("no partner with matches and mentors, or no SME with a draft, in the database")
    regions = list(Region.objects.order_by("sort_order").values_list("slug", flat=True))
    this_year = timezone.localdate().year
    print(
        json.dumps(
            {
                "officials": officials,
                "partners": partners,
                "smes": smes,
                "regions": regions,
                "years": list(range(this_year - 6, this_year)),
            }
        )
    )


if __name__ == "__main__":
    main()
