"""What commands print: one JSON document on stdout, messages on stderr, plain tables."""

from __future__ import annotations

import json
from typing import Any

import click

from campaign.util.text import visible


def emit_json(data: Any) -> None:
    """The one JSON document a --json command prints on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def say(message: str = "", **style: Any) -> None:
    """A message for the person at the terminal (stderr, so stdout stays for data)."""
    click.secho(visible(message), err=True, **style)


def echo(text: str = "") -> None:
    """A line of a command's output on stdout, invisible characters shown as escapes."""
    click.echo(visible(text))


def table(rows: list[dict], columns: list[tuple[str, str, int]]) -> str:
    """A plain text table: columns are (key, heading, max width)."""
    cells = [
        [visible(str(r.get(k) if r.get(k) is not None else "")) for k, _, _ in columns]
        for r in rows
    ]
    widths = []
    for index, (_, heading, limit) in enumerate(columns):
        longest = max([len(heading), *(len(c[index]) for c in cells)])
        widths.append(min(longest, limit))

    def line(values: list[str]) -> str:
        parts = []
        for value, width in zip(values, widths, strict=True):
            value = value.replace("\n", ", ")
            if len(value) > width:
                value = value[: width - 1] + "…"
            parts.append(value.ljust(width))
        return "  ".join(parts).rstrip()

    out = [line([h for _, h, _ in columns]), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    return "\n".join(out)
