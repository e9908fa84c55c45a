"""Writes of core records: organisations, memberships, users and API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Conflict, ValidationFailed
from core.models import ApiToken, Membership, Organisation, Region, User
from core.roles import ROLE_ORGANISATION_KINDS, OrganisationKind
from core.selectors import forget_access
from core.tokens import hash_token_key, new_token_key


@transaction.atomic
def organisation_create(
    *, kind: str, name_ko: str, name_en: str = "", region: Region | None = None
) -> Organisation:
    """Create an organisation. A regional center must name its region."""
    if kind not in OrganisationKind.values:
        raise ValidationFailed(_("Unknown organisation kind."), fields={"kind": [_("Unknown kind.")]})
    if kind == OrganisationKind.REGIONAL_CENTER and region is None:
        raise ValidationFailed(
            _("A regional center must have a region."), fields={"region": [_("Choose a region.")]}
        )
    name_ko = name_ko.strip()
    if not name_ko:
        raise ValidationFailed(_("Enter a name."), fields={"name_ko": [_("Enter a name.")]})
    return Organisation.objects.create(kind=kind, name_ko=name_ko, name_en=name_en.strip(), region=region)


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation; refused when the role does not fit the organisation kind."""
    allowed = ROLE_ORGANISATION_KINDS.get(role)
    if allowed is None:
        raise ValidationFailed(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    if organisation.kind not in allowed:
        raise ValidationFailed(
            _("This role cannot be held in this kind of organisation."),
            code="role_organisation_mismatch",
            fields={"role": [_("Not allowed for this organisation.")]},
        )
    membership, _created = Membership.objects.update_or_create(
        user=user, organisation=organisation, role=role, defaults={"is_active": True}
    )
    forget_access(user)
    return membership


@transaction.atomic
def user_create(*, username: str, password: str | None, email: str = "", display_name: str = "") -> User:
    """Create a user. A `None` password makes an account that cannot sign in with a password.
    Conflict when the username is taken (also when a concurrent request took it first); ValidationFailed
    `weak_password` when the password breaks AUTH_PASSWORD_VALIDATORS."""
    taken = Conflict(_("This username is already taken."), code="username_taken")
    if User.objects.filter(username=username).exists():
        raise taken
    if password is not None:
        # The same rules as the sign-up form (AUTH_PASSWORD_VALIDATORS): 10+ characters, not a common
        # or all-digit password, not close to the username or email.
        try:
            validate_password(password, User(username=username, email=email, display_name=display_name))
        except DjangoValidationError as exc:
            raise ValidationFailed(
                _("The password is too weak."), code="weak_password", fields={"password": list(exc.messages)}
            ) from exc
    try:
        with transaction.atomic():
            user = User(username=username, email=email, display_name=display_name)
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
    except IntegrityError:
        if User.objects.filter(username=username).exists():
            raise taken from None
        raise
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token and return it with its key. The key is not stored and cannot be shown again."""
    if not user.is_active:
        raise Conflict(_("The user account is disabled."), code="user_inactive")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(
            _("The expiry must be in the future."), fields={"expires_at": [_("In the past.")]}
        )
    key = new_token_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=hash_token_key(key), expires_at=expires_at
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token
