"""python manage.py create_api_token USERNAME [--name NAME] [--days N]"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import ApplicationError
from core.models import User
from core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its key once (API 토큰 발급)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="what the token is for")
        parser.add_argument("--days", type=int, default=None, help="expire after this many days")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"사용자가 없습니다 / No such user: {options['username']}")
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number of days.")
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            token, key = api_token_create(user=user, name=options["name"], expires_at=expires)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{key}")
        self.stderr.write(
            "토큰이 발급되었습니다. 다시 표시되지 않으니 안전하게 보관하세요. / "
            f"Token {token.prefix}… created for {user.username}; the key is shown only once. "
            "Use it as: Authorization: Token <key>"
        )
