"""Sign-up makes an account with no role; its owner then registers their company and becomes its SME user."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.models import User
from core.roles import Role
from tests import factories as f

GOOD = {
    "username": "hanbit.kim",
    "display_name": "김한빛 (생산관리팀)",
    "email": "kim@hanbit.example",
    "password1": "blue-lathe-coolant-42",
    "password2": "blue-lathe-coolant-42",
}


def test_sign_up_then_register_the_company(db):
    client = Client()
    response = client.post(reverse("signup"), GOOD)
    assert response["Location"] == reverse("companies:register")
    user = User.objects.get(username="hanbit.kim")
    assert not user.memberships.exists()
    assert user.check_password(GOOD["password1"])
    response = client.post(
        reverse("companies:register"),
        {
            "brn": "123-45-67891",
            "name_ko": "(주)한빛테크",
            "representative": "김대표",
            "size_class": f.size("small").pk,
            "ksic": f.ksic("29").pk,
            "founded_on": "2012-03-01",
            "employees": "25",
            "revenue_krw": "4,500,000,000",
        },
    )
    assert response.status_code == 302
    assert user.memberships.get().role == Role.SME


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "password123", "password2": "password123"}, "password1"),  # common password
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"username": "a b"}, "username"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_bad_sign_up_is_refused_and_creates_nothing(db, changes, field):
    response = Client().post(reverse("signup"), {**GOOD, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()


def test_taken_username_is_refused(db):
    f.UserFactory(username="hanbit.kim")
    response = Client().post(reverse("signup"), GOOD)
    assert response.status_code == 200
    assert User.objects.filter(username="hanbit.kim").count() == 1
    assert response.context["form"].errors


def test_signed_in_users_are_sent_home(sme_owner):
    assert sme_owner.browser().get(reverse("signup"))["Location"] == reverse("home")
