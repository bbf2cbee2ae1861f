"""The CLI's commands, one module per job; importing this registers them on `cli`."""

from . import demo, followups, post, prospects, sending, setup  # noqa: F401
