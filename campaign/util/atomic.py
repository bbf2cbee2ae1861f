"""Writing a file so a reader never sees half of it, and an error leaves nothing behind."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def writable(*paths: Path | None) -> None:
    """Refuse, in one line, a file to write whose folder does not exist (never make it up)."""
    from campaign.errors import CampaignError

    for path in paths:
        if path is not None and not Path(path).parent.is_dir():
            raise CampaignError(f"{Path(path).parent}: no such folder.")


@contextlib.contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`, moved over `out` only if the block succeeds."""
    writable(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
