"""The CLI's commands, one module per job, each imported only when its command runs."""
