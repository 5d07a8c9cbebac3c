"""What the file commands share: an error that names the line and field of a
file, and the way a command stops on one (a message on stderr, status 2)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click


class FileError(ValueError):
    """A file that cannot be read: where (line, field) and what is wrong."""

    def __init__(self, line: int, field: str | None, message: str) -> None:
        super().__init__(line, field, message)
        self.line = line
        self.field = field
        self.message = message

    def __str__(self) -> str:
        where = f'line {self.line}, field "{self.field}"' if self.field else f"line {self.line}"
        return f"{where}: {self.message}"


def stop(message: str) -> NoReturn:
    """End a command: ``Error: message`` on stderr, nothing more on stdout, status 2."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)
