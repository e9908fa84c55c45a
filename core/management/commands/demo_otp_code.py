"""`python manage.py demo_otp_code USERNAME`: the current second-factor code of a demo login.

Officials, finance officers and auditors sign in with a password and a 6-digit code from an authenticator
app (core.otp). In the demo nobody has the app, so this prints the code the login's authenticator would
show now (enrolling one on first use). Refused unless DEMO_OTP_CODES is on (local and test settings only).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ApplicationError
from core.models import User
from core.otp import otp_current_code, otp_demo_device


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo login (데모 인증코드)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"사용자가 없습니다 / No such user: {options['username']}")
        try:
            device = otp_demo_device(user=user)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        now = time.time()
        remaining = int(device.step - (now - device.t0) % device.step)
        self.stdout.write(otp_current_code(device, at=now))
        self.stderr.write(f"{remaining}초 동안 유효 / valid for {remaining} more seconds (then the next one)")
