#!/usr/bin/env bash
# Every user-facing string has a Korean translation: re-extract the messages, then fail on any entry
# that is untranslated or fuzzy (a fuzzy match is a guess by msgmerge, never a translation).
set -euo pipefail
cd "$(dirname "$0")/.."
po=locale/ko/LC_MESSAGES/django.po
.venv/bin/python manage.py makemessages -l ko --no-obsolete --ignore=.venv --ignore=node_modules \
  --ignore=static_build --ignore=tests --ignore=bench -v 0
msgfmt --check-format -o /dev/null "$po"
untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
# The header entry (msgid "") counts as one untranslated-looking entry in msgattrib's output.
if [ "$untranslated" -gt 1 ] || [ "$fuzzy" -gt 0 ]; then
  echo "Translations missing: $((untranslated > 0 ? untranslated - 1 : 0)) untranslated, $fuzzy fuzzy in $po" >&2
  msgattrib --untranslated --no-obsolete "$po" | grep -A1 '^msgid ' | tail -n +3 >&2 || true
  msgattrib --only-fuzzy --no-obsolete "$po" | grep -A1 '^msgid ' >&2 || true
  exit 1
fi
echo "Translations complete."
