"""Helpers of the operations tests: CSP parsing and an inspector of rendered HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

# Scripts the browser does not execute (data for charts, made by json_script).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
EVENT_ATTRIBUTE = re.compile(r"^on[a-z]+$")


def csp_directives(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def csp_nonce(header: str) -> str | None:
    for source in csp_directives(header).get("script-src", []):
        if source.startswith("'nonce-"):
            return source[len("'nonce-") : -1]
    return None


@dataclass
class InlineFinder(HTMLParser):
    """Collects what a strict CSP would refuse: inline scripts/styles without the nonce, style and event
    handler attributes, javascript: URLs."""

    nonce: str | None = None
    problems: list[str] = field(default_factory=list)
    scripts: int = 0

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if EVENT_ATTRIBUTE.match(name):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script":
            self.scripts += 1
            inline = not values.get("src")
            data_only = (values.get("type") or "").lower() in DATA_SCRIPT_TYPES
            if inline and not data_only and (not self.nonce or values.get("nonce") != self.nonce):
                self.problems.append("<script> inline without the nonce")
        if tag == "style" and (not self.nonce or values.get("nonce") != self.nonce):
            self.problems.append("<style> without the nonce")


def assert_strict_html(response) -> None:
    """The page's CSP is strict and nothing in the page needs 'unsafe-inline'."""
    header = response["Content-Security-Policy"]
    finder = InlineFinder(nonce=csp_nonce(header))
    finder.feed(response.content.decode())
    assert finder.problems == [], finder.problems


@pytest.fixture
def kpi_world(sme_owner, other_sme, partner, other_partner, official):
    from tests.kpi_dashboards.conftest import build_world

    return build_world(sme_owner, other_sme, partner, other_partner, official)
