"""The OpenAPI schema is valid, documents every operation and is served only to signed-in users."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)
    assert len(operations(schema)) >= 40


def test_every_operation_has_a_summary_or_description(schema):
    undocumented = [
        f"{method} {path}"
        for method, path, operation in operations(schema)
        if not (operation.get("summary") or "").strip() and not (operation.get("description") or "").strip()
    ]
    assert undocumented == []


def test_operation_ids_are_unique(schema):
    ids = [operation["operationId"] for _m, _p, operation in operations(schema)]
    assert len(ids) == len(set(ids))


def test_money_is_an_integer_in_the_schema(schema):
    component = schema["components"]["schemas"]["PatchedApplicationUpdateInputRequest"]["properties"][
        "gov_amount_krw"
    ]
    assert (component["type"], component["format"]) == ("integer", "int64")


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_need_a_signed_in_user(client, django_user_model, url):
    assert client.get(url).status_code == 401
    client.force_login(django_user_model.objects.create(username="reader"))
    response = client.get(url)
    assert response.status_code == 200
    if url == "/api/docs/":
        assert b"swagger" in response.content.lower()
        assert b"cdn" not in response.content.lower()


def test_the_schema_generates_without_warnings(tmp_path):
    """A warning (an unresolvable queryset, a name collision) means an incorrect schema: the command
    fails on any, as `check --deploy` in CI does."""
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.stat().st_size > 10_000
