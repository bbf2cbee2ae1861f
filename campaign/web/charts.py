"""Server-drawn SVG charts: the geometry here, the drawing in templates (values escaped)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


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
        bars.append(Bar(label, value, index * step, height - tall, step - 10, tall))
    return bars
