"""Is it an email address, is it a phone number: the one rule for a sheet, `init` and settings."""

from __future__ import annotations

import re

# A phone number as people write it: digits, spaces and + ( ) - . /, then perhaps an
# extension ("x 12", "ext. 12"). Letters (a name typed in the wrong box, "n/a") are not a
# number anyone can dial from a letterhead; ITU-T E.164 numbers have at most 15 digits.
_PHONE = re.compile(r"\+?[\d\s().\-/]+?(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?", re.IGNORECASE)
MIN_DIGITS = 3
MAX_DIGITS = 15 + 6  # E.164's 15 and an extension's 6
MAX_EMAIL = 254  # RFC 5321 section 4.5.3.1.3: a path holds at most 256 octets with its <>


def email_problem(text: str) -> str | None:
    """Why `text` is not one email address (as a sheet's Email cell is checked), else None."""
    from email_validator import EmailNotValidError, validate_email

    if len(text) > MAX_EMAIL:
        return f"it is {len(text)} characters long; an address has at most {MAX_EMAIL}"
    try:
        validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as err:
        said = str(err).rstrip(".")  # "The email address is not valid": within a sentence
        return said[:1].lower() + said[1:]
    return None


def phone_problem(text: str) -> str | None:
    """Why `text` is not a phone number, else None."""
    if not _PHONE.fullmatch(text.strip()):
        return (
            "a phone number holds only digits, spaces and + ( ) - . /, with x or ext. before "
            "an extension"
        )
    digits = sum(c.isdigit() for c in text)
    if digits < MIN_DIGITS:
        return f"a phone number has at least {MIN_DIGITS} digits"
    if digits > MAX_DIGITS:
        return f"it has {digits} digits; a phone number has at most {MAX_DIGITS}"
    return None
