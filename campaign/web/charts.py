"""Server-drawn SVG charts: the geometry here, the drawing in templates (values escaped)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    short: str = ""  # under a column: the week's Monday, "30 Nov"


def funnel(stages: list[tuple[str, int]], width: float = 420, row: float = 34) -> list[Bar]:
    """Horizontal bars, one per stage, scaled to the first (all prospects)."""
    top = max([value for _, value in stages] + [1])
    return [
        Bar(label, value, 0, index * row, max(width * value / top, 2 if value else 0), row - 8)
        for index, (label, value) in enumerate(stages)
    ]


def columns(weeks: list[tuple[str, int]], height: float = 120, step: float = 40) -> list[Bar]:
    """Vertical bars, one per week, scaled to the busiest week."""
    top = max([value for _, value in weeks] + [1])
    bars = []
    for index, (label, value) in enumerate(weeks):
        tall = height * value / top
        short, label = _week_words(label)
        bars.append(Bar(label, value, index * step, height - tall, step - 10, tall, short))
    return bars


def _week_words(week: str) -> tuple[str, str]:
    """An ISO week ("2026-W49") as people say it: ("30 Nov", "the week of Mon 30 Nov 2026")."""
    found = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    if not found:
        return week[-3:], week
    monday = dt.date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    return f"{monday.day} {monday:%b}", f"the week of {monday:%a} {monday.day} {monday:%b %Y}"
