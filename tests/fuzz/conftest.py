"""The fuzz world: the small demo seed, committed, with an API token per persona.

Seeded afresh for every persona, so each persona's run starts from the same world whatever the
others changed, and the personas spread over the xdist workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command

from core.models import ApiToken, Membership, User
from core.roles import Role
from core.tokens import hash_token_key, new_token_key

# Persona → the demo login that plays it (None: anonymous; "other_partner" is found below).
PERSONA_LOGINS: dict[str, str | None] = {
    "sme_owner": "sme",
    "other_sme": "sme2",
    "supplier": "supplier",
    "partner": "partner",
    "other_partner": None,
    "institution": "institution",
    "regional_officer": "officer",
    "evaluator": "evaluator",
    "official": "official",
    "finance": "finance",
    "auditor": "auditor",
    "trainer": "trainer",
    "anonymous": None,
}
PERSONAS = list(PERSONA_LOGINS)


@dataclass
class FuzzWorld:
    app: WSGIHandler
    tokens: dict[str, str]

    def headers(self, persona: str) -> dict[str, str]:
        token = self.tokens.get(persona)
        return {"Authorization": f"Token {token}"} if token else {}


def _token_for(user: User) -> str:
    key = new_token_key()
    ApiToken.objects.create(user=user, name="fuzz", prefix=key[:8], key_hash=hash_token_key(key))
    return key


def _other_partner(partner: User) -> User:
    """A partner-firm user of another firm than the `partner` login's."""
    own = Membership.objects.filter(user=partner, role=Role.PARTNER).values_list("organisation", flat=True)
    membership = (
        Membership.objects.filter(role=Role.PARTNER, is_active=True)
        .exclude(organisation__in=list(own))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert membership is not None, "the demo seed has partner staff in several firms"
    return membership.user


@pytest.fixture
def fuzz_world(transactional_db) -> FuzzWorld:
    """The small demo seed with a token per persona. `transactional_db`: the cases run in autocommit, as
    in production, so `on_commit` callbacks fire after every request; the flush at teardown empties the
    database again."""
    call_command("seed_demo", scale="small", seed=42, reset=True, verbosity=0)
    logins = [login for login in PERSONA_LOGINS.values() if login]
    users = {u.username: u for u in User.objects.filter(username__in=logins)}
    tokens = {persona: _token_for(users[login]) for persona, login in PERSONA_LOGINS.items() if login}
    tokens["other_partner"] = _token_for(_other_partner(users["partner"]))
    return FuzzWorld(app=WSGIHandler(), tokens=tokens)
