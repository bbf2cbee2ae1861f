"""The mailbox over IMAP: read-only sync, replies and bounces classified, Sent copies."""
