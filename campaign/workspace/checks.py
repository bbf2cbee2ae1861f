"""The values of campaign.toml checked, every problem collected and named by its key.

A setting is read once, where Settings is made, and refused there when it could not work:
a follow-up letter 0 or -5 days after the first would go the same day, `nan` seconds of
retry crashes mid-run, 10**30 overflows every date. Problems are collected, not raised one
by one: one message names each key to fix (three runs for three mistakes helps nobody).
"""

from __future__ import annotations

import math
import re
from typing import Any

from campaign.errors import WorkspaceError
from campaign.util.contact import email_problem, phone_problem
from campaign.util.text import quote, shorten

CONFIG = "campaign.toml"
MAX_DAYS = 3650  # ten years: a date further out is a typo, and past 10**6 days dates overflow
MAX_COUNT = 100

# A template is named by its file's stem in templates/: a name, never a path. "../x", "/etc/x",
# "a\\b" and "C:x" would read a file outside the workspace's templates/ folder.
_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}")


def template_name_problem(name: str) -> str | None:
    """Why `name` is not a template's name (templates/NAME.md), else None."""
    if not _TEMPLATE_NAME.fullmatch(name) or ".." in name or name.endswith((" ", ".")):
        return (
            f"{quote(name, 40)} is not a template's name: letters, digits, - and _ only "
            "(the file templates/NAME.md)"
        )
    return None


# cadence key: (lowest, highest). Each gap in days (or number of calls) is at least 1, except
# the thank-you note, which goes the same day as the interview (README.md, "Following up").
CADENCE_LIMITS: dict[str, tuple[int, int]] = {
    "receipt_check_days": (1, MAX_DAYS),
    "followup_letter_days": (1, MAX_DAYS),
    "thank_you_days": (0, MAX_DAYS),
    "first_call_after_meeting_days": (1, MAX_DAYS),
    "call_every_days": (1, MAX_DAYS),
    "article_after_calls": (1, MAX_COUNT),
    "networking_call_days": (1, MAX_DAYS),
    "insider_checkin_days": (1, MAX_DAYS),
    "unanswered_calls_limit": (1, MAX_COUNT),
    "retry_call_days": (1, MAX_DAYS),
    "thank_you_late_days": (1, MAX_DAYS),
}
# Lists: the follow-up letters go on different days, in order; the others are a range (from,
# to). Two entries at most: there are two follow-up letters, and a range has two ends.
STRICTLY_INCREASING = {"followup_letter_days"}


def _shown(value: Any) -> str:
    return shorten(repr(value), 60)


class Reader:
    """Reads campaign.toml's tables, keeping every problem (each naming its key)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text.rstrip("."))

    def check(self) -> None:
        """Raise every problem found, in one message."""
        if self.problems:
            raise WorkspaceError(f"{CONFIG}: " + "; ".join(self.problems) + ".")

    def value(self, table: dict, key: str, kind: type | tuple, default: Any, where: str) -> Any:
        """table[key] if it is of `kind`, else `default` and a problem."""
        value = table.get(key, default)
        if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
            self.problem(f'{where}.{key} = {value} must be written in quotes: {key} = "{value}"')
            return default
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.problem(f"{where}.{key} = {_shown(value)} is not valid; see the comments")
            return default
        return value

    def whole(self, table: dict, key: str, default: int, where: str, low: int, high: int) -> int:
        """A whole number from `low` to `high`."""
        value = self.value(table, key, int, default, where)
        if not low <= value <= high:
            self.problem(f"{where}.{key} = {_shown(value)} must be from {low:,} to {high:,}")
            return default
        return value

    def seconds(self, table: dict, key: str, default: float, where: str, high: float) -> float:
        """A finite number of seconds above 0, at most `high`."""
        value = self.value(table, key, (int, float), default, where)
        if not (math.isfinite(value) and 0 < value <= high):
            self.problem(
                f"{where}.{key} = {_shown(value)} must be a number of seconds above 0, "
                f"at most {high:g}"
            )
            return default
        return float(value)

    def choice(self, table: dict, key: str, default: str, where: str, allowed: tuple) -> str:
        value = self.value(table, key, str, default, where).lower()
        if value not in allowed:
            names = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            self.problem(f"{where}.{key} = {_shown(value)}; use {names}")
            return default
        return value

    def email(self, table: dict, key: str, where: str) -> str:
        """An email address (one), or empty."""
        value = self.value(table, key, str, "", where).strip()
        if value and (why := email_problem(value)):
            self.problem(f"{where}.{key} = {quote(value)} is not an email address ({why})")
            return ""
        return value

    def phone(self, table: dict, key: str, where: str) -> str:
        value = self.value(table, key, str, "", where).strip()
        if value and (why := phone_problem(value)):
            self.problem(f"{where}.{key} = {quote(value)} is not a phone number ({why})")
            return ""
        return value

    def template(self, table: dict, key: str, default: str, where: str) -> str:
        value = self.value(table, key, str, default, where)
        if why := template_name_problem(value):
            self.problem(f"{where}.{key}: {why}")
            return default
        return value

    def cadence(self, table: dict, defaults: dict[str, Any]) -> dict[str, Any]:
        """[cadence], each number in its range and each list in order."""
        out = dict(defaults)
        for key, value in table.items():
            low, high = CADENCE_LIMITS[key]
            if isinstance(defaults[key], list):
                out[key] = self._days_list(key, value, low, high, defaults[key])
            else:
                out[key] = self.whole(table, key, defaults[key], "cadence", low, high)
        if out["thank_you_late_days"] < out["thank_you_days"]:
            self.problem(
                f"cadence.thank_you_late_days = {out['thank_you_late_days']} must be at least "
                f"thank_you_days ({out['thank_you_days']})"
            )
        return out

    def _days_list(self, key: str, value: Any, low: int, high: int, default: list) -> list[int]:
        where = f"cadence.{key} = {_shown(value)}"
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            self.problem(f"{where} is not valid; write a list of whole numbers, like {default}")
            return default
        if not 1 <= len(value) <= 2:
            self.problem(f"{where} must hold one or two numbers, like {default}")
            return default
        if not all(low <= v <= high for v in value):
            self.problem(f"{where}: each must be from {low:,} to {high:,}")
            return default
        strict = key in STRICTLY_INCREASING
        if len(value) == 2 and (value[1] <= value[0] if strict else value[1] < value[0]):
            order = "later than" if strict else "at least"
            self.problem(f"{where}: the second must be {order} the first")
            return default
        return value
