"""Who may do what with workforce training: pure predicates on the user's roles.

Officials manage providers and courses and may record any cohort; a training provider's members record
and correct their own provider's cohorts; auditors read everything and never write. Nobody else sees
training records (they hold no personal data, but they are a provider's own reporting).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from core.models import User
from core.roles import Role
from core.selectors import user_access
from training.models import TrainingProvider

AnyUser = User | AnonymousUser


def can_view_training(user: AnyUser) -> bool:
    return user_access(user).has(Role.OFFICIAL, Role.AUDITOR, Role.TRAINING_PROVIDER)


def can_manage_training(user: AnyUser) -> bool:
    """Create and change providers and courses."""
    return user_access(user).has(Role.OFFICIAL)


def is_provider_member(user: AnyUser, provider: TrainingProvider) -> bool:
    access = user_access(user)
    return access.has(Role.TRAINING_PROVIDER) and provider.organisation_id in access.orgs(
        Role.TRAINING_PROVIDER
    )


def can_record_cohort(user: AnyUser, provider: TrainingProvider) -> bool:
    """Record or correct a cohort of this provider's courses."""
    return user_access(user).has(Role.OFFICIAL) or is_provider_member(user, provider)
