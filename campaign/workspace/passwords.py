"""Mail passwords: the system keyring, or, where there is none, this process's memory.

A password is never written to campaign.toml nor to any file of campaign's. The web app takes
it in a form and keeps it in the system keyring (service "campaign", user = the username, the
entry `keyring set campaign USER` makes); on a computer with no working keyring (a headless
Linux without Secret Service) it is kept in memory for as long as this process runs, and the
page says so.
"""

from __future__ import annotations

import threading

SERVICE = "campaign"
_memory: dict[str, str] = {}
_lock = threading.Lock()


def store(username: str, password: str) -> str:
    """Keep `password` for `username`: "keyring" where the system keyring took it (and gives
    it back), else "memory" (kept until this process ends)."""
    try:
        import keyring

        keyring.set_password(SERVICE, username, password)
        if keyring.get_password(SERVICE, username) == password:
            with _lock:
                _memory.pop(username, None)
            return "keyring"
    except Exception:  # no backend, a locked keyring, a refused write: memory it is
        pass
    with _lock:
        _memory[username] = password
    return "memory"


def lookup(username: str) -> str | None:
    """The password kept for `username`: this process's memory first, then the keyring."""
    with _lock:
        if username in _memory:
            return _memory[username]
    try:
        import keyring

        return keyring.get_password(SERVICE, username)
    except Exception:  # no keyring backend on a headless machine, a locked keyring...
        return None


def where(username: str) -> str:
    """Where the password for `username` is kept: "memory", "keyring" or "" (nowhere)."""
    with _lock:
        if username in _memory:
            return "memory"
    return "keyring" if lookup(username) else ""
