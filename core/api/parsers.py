"""The API's JSON parser: JSON, minus the NUL character.

PostgreSQL text cannot hold U+0000, so a NUL anywhere in a request body (a value or a key) would reach
the database as an error (a 500) as soon as a field looks something up by it (a slug, a unique check).
It is refused here, once for every endpoint, as malformed input (400).
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def _has_nul(value: Any, depth: int = 0) -> bool:
    if depth > MAX_DEPTH:
        raise ParseError("JSON nested too deeply.")
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError("The request contains a NUL character (U+0000), which text cannot hold.")
        return data
