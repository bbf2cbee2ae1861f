"""Writing a file so a reader never sees half of it, and an error leaves nothing behind."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`, moved over `out` only if the block succeeds."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
