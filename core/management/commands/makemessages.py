"""makemessages without msgmerge's fuzzy matching: its guesses are wrong more often than right for
Korean (it offered 선정 기준점수 for "Password"), and a guess must never reach users."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
