"""What the global options chose (the workspace, today), and the options commands share."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import click

from campaign.workspace.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """What the global options chose; the workspace and ledger are opened on first use."""

    def __init__(self, workspace: str | None, today: str | None):
        self.workspace_arg = workspace
        self.today_arg = today
        self._settings: Settings | None = None
        self._conn: sqlite3.Connection | None = None

    @functools.cached_property
    def today(self) -> dt.date:
        from campaign.workspace.settings import today

        return today(self.today_arg)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from campaign.cli.hints import HINTS
            from campaign.cli.output import say
            from campaign.errors import worded
            from campaign.workspace.settings import find_root, load
            from campaign.workspace.skeleton import make_private

            root = find_root(self.workspace_arg)
            notice = make_private(root)  # a workspace from before, or opened up since
            if notice is not None:
                say(f"note: {worded(notice, HINTS)}.")
            self._settings = load(root)
        return self._settings

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            from campaign.ledger.db import connect

            self._conn = connect(self.settings.ledger_path)
        return self._conn


pass_state = click.make_pass_decorator(State)


def json_option(func: F) -> F:
    """--json: print exactly one JSON document on stdout; messages still go to stderr."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document on stdout."
    )(func)


def dry_run_option(func: F) -> F:
    return click.option(
        "--dry-run", is_flag=True, help="Do everything but write: show what would happen."
    )(func)


def week_option(func: F) -> F:
    return click.option(
        "--week", metavar="YYYY-Www", help="The week (default: this week), e.g. 2026-W48."
    )(func)


def chosen_week(state: State, week: str | None) -> str:
    """--week, checked, else this week."""
    from campaign.letters.batch import iso_week, parse_week

    return parse_week(week) if week else iso_week(state.today)


def horizon_option(what: str, default: int = 0) -> Callable[[F], F]:
    """--days N: look N days ahead as well."""
    return click.option(
        "--days",
        "horizon",
        type=click.IntRange(min=0),
        default=default,
        show_default=bool(default),
        help=f"{what} falling due in the next N days.",
    )
