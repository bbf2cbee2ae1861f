"""The two ways a letter goes: by email or by post."""


def letter_channel(email: str) -> str:
    """Email where there is an email address, else post: the one place this rule lives."""
    return "email" if email else "post"
