"""Terminal text helpers: Hangul takes two columns, so padding counts display width, not characters."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """Display width in a terminal: Hangul and other wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * max(0, size - width(text))


def progress(label: str, count: int | None, seconds: float | None) -> str:
    """One progress line: label, row count and seconds in fixed columns."""
    rows = f"{count:>12,}" if count is not None else " " * 12
    took = f"{seconds:7.1f} s" if seconds is not None else ""
    return f"  {pad(label, 52)} {rows}  {took}".rstrip()
