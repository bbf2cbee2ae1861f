"""Spreadsheets: files read as the user sees them, headers mapped, rows checked, stored."""
