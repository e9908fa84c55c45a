"""Local development and the demo (`make demo`)."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-development-only-not-secret")

# Serve static files straight from the finders (node_modules, static/) without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# `manage.py demo_otp_code <username>` prints the current second-factor code of a demo login.
DEMO_OTP_CODES = True
