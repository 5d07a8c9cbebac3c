"""Votes: a later issue fills this package (see DESIGN.md)."""
