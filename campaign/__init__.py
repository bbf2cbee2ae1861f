"""campaign: mail-merge campaigns for job seekers."""

__version__ = "0.1.0"
