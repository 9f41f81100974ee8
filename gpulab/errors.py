"""Errors gpulab reports to a person instead of a traceback."""

from __future__ import annotations

from dataclasses import dataclass

SHOWN_CHARACTERS = 60
MAX_MESSAGE_CHARACTERS = 1000


def shown(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """`repr(value)` for an error message, cut to its first `limit` characters with its full size named.

    A value can be megabytes (a YAML alias bomb, a pasted file); the line that
    reports it must stay one short line.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, str):
        size = f"{len(value):,} characters"
    elif isinstance(value, (list, tuple)):
        size = f"a list of {len(value):,} entries"
    elif isinstance(value, dict):
        size = f"a mapping of {len(value):,} keys"
    else:
        size = f"{len(text):,} characters written out"
    return f"{text[:limit]}… ({size})"


def cut(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """`text` as it is if short, else its first `limit` characters and its length: `shown` without quotes."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, printed as a single line."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        """One line; a message that still quotes a huge value is cut (`shown` keeps most of them short)."""
        where = f"{self.file}: {self.path}" if self.path else self.file
        message = self.message.replace("\n", " ")
        if len(message) > MAX_MESSAGE_CHARACTERS:
            message = f"{message[:MAX_MESSAGE_CHARACTERS]}… (cut: {len(message):,} characters)"
        return f"{where}: {message}"


class ConfigError(Exception):
    """Raised with every problem found; the CLI prints them and exits 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class MissingProvider(Exception):
    """An environment's cloud needs provider bindings that are not installed; the message says how to add them."""
