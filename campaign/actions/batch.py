"""Changing this week's batch before its letters go: what the CLI's `batch --take-out/--add`
and This week's Take out and Add both call."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from campaign.email.delivery import run_lock
from campaign.errors import CampaignError, SendError
from campaign.letters.batch import add_to, take_out


def change_batch(
    conn: sqlite3.Connection, root: Path, week: str, prospect: sqlite3.Row, adding: bool
) -> None:
    """Add `prospect` to `week`'s batch, or take them out of it, while no send runs: a
    sending run plans its letters once, so a change under it would not stop a letter."""
    try:
        with run_lock(root):
            (add_to if adding else take_out)(conn, week, prospect)
    except SendError as err:
        if err.hint != "another-run":
            raise
        raise CampaignError(
            "letters are being sent now; change the batch once that has finished",
            hint="another-run",
        ) from None
