"""Email: messages built from letters, the SMTP and outbox transports, exactly-once delivery."""
