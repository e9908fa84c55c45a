"""drf-spectacular postprocessing hook: document the error responses every API operation can return.

Views document their success response; the shared error handler (core.api.errors) turns every failure
into `{code, message, fields}` with one of the statuses below, so the schema says so once here instead
of in every view: 400 for input the serializer, a filter or a service refused; 401 without valid
credentials; 403 when the caller's role or organisation may not do it; 404 for objects outside the
caller's scope (or a page past the end); 409 for a write that conflicts with the current state (a
wrong status, a replayed idempotency key with another request, a concurrent change).
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA_NAME = "ErrorResponse"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error body of the API.",
    "properties": {
        "code": {"type": "string", "description": "A stable machine-readable code, e.g. `invalid`."},
        "message": {"type": "string", "description": "A message for people, in the request's language."},
        "fields": {
            "type": "object",
            "description": "Messages per input field (`non_field_errors` for the whole input).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["code", "message", "fields"],
}
ERROR_DESCRIPTIONS = {
    "400": "The input is not valid; `fields` says which and why.",
    "401": "Sign-in or a valid API token is required.",
    "403": "The caller's role or organisation may not do this.",
    "404": "Not found, or not visible to the caller.",
    "409": "Conflicts with the current state (status, concurrent change or a reused idempotency key).",
}
READ_METHODS = {"get", "head"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def document_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool, **kwargs: Any
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in READ_METHODS | WRITE_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_DESCRIPTIONS.items():
                if status == "409" and method in READ_METHODS:
                    continue
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": reference}}},
                )
    return result
