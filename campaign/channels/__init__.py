"""Email and post."""
