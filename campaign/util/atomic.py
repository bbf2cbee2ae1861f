"""Writing a file so a reader never sees half of it, an error leaves nothing behind, and no
other user of the computer can read it.

A workspace holds other people's names, addresses and letters, so what campaign writes is
private on POSIX: folders 0700, files 0600 (README.md, "Privacy").
On Windows a file's privacy comes from the user's profile folder's access list, and os.chmod
only toggles the read-only flag, so the modes are left alone there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
POSIX = os.name == "posix"
# Errors that say the disk (not the program) refused a write: one line, never a traceback.
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def writable(*paths: Path | None) -> None:
    """Refuse, in one line, a file to write whose folder does not exist (never make it up)."""
    from campaign.errors import CampaignError

    for path in paths:
        if path is not None and not Path(path).parent.is_dir():
            raise CampaignError(f"{Path(path).parent}: no such folder.")


def private_opener(path: str, flags: int) -> int:
    """For open(..., opener=private_opener): a file created by it is readable by its owner only."""
    return os.open(path, flags, PRIVATE_FILE)


def make_private_file(path: Path) -> None:
    """Create `path` empty and private if it does not exist (for a writer that opens it later)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (replacing it), readable by its owner only."""
    with replacing(path) as temp:
        temp.write_bytes(data)


def make_private_folder(path: Path) -> None:
    """mkdir -p `path`, the last folder private (0700) whether it was new or not."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
    tighten(path)


def tighten(path: Path) -> bool:
    """Take group and other permissions off `path` (a file 0600 at most, a folder 0700);
    whether anything changed. A symbolic link, or a file of another user, is left alone."""
    if not POSIX:
        return False
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.geteuid():
        return False
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return False
    os.chmod(path, mode & 0o700)
    return True


@contextlib.contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`, moved over `out` only if the block succeeds.

    The temporary file exists already, private (0600), so whatever writes it (reportlab,
    openpyxl, write_bytes) keeps that mode: a letter is never readable by others, not even
    for the moment it is being written. A full disk is one line naming the file.
    """
    from campaign.errors import CampaignError

    writable(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        tmp.unlink(missing_ok=True)
        make_private_file(tmp)
        yield tmp
        os.replace(tmp, out)
    except OSError as err:
        if err.errno in FULL:
            raise CampaignError(
                f"{out}: cannot be written ({os.strerror(err.errno)}); nothing was written."
            ) from err
        raise
    finally:
        tmp.unlink(missing_ok=True)
