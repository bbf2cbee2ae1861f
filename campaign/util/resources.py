"""Where the shipped templates and sample list are, installed or in a checkout."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # campaign/


def shipped(name: str) -> Path:
    """The shipped folder `name` ("templates" or "lists"), from the wheel or the source tree."""
    installed = PACKAGE / "_shipped" / name
    if installed.is_dir():
        return installed
    checkout = PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the shipped {name}/ folder is missing from this installation")


def sample_list() -> Path:
    """The shipped sample employer list."""
    return shipped("lists") / "employers.xlsx"
