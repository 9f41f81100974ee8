"""Daily times written "HH:MM" (24-hour clock): one pattern for the configuration and the schedule constructs."""

from __future__ import annotations

import re

PATTERN = r"^([01][0-9]|2[0-3]):([0-5][0-9])$"
_TIME_OF_DAY = re.compile(PATTERN)


def hours_and_minutes(value: str, name: str) -> tuple[int, int]:
    """The hours and minutes of `value`; a ValueError naming the argument `name` if it is not HH:MM."""
    match = _TIME_OF_DAY.match(value)
    if not match:
        raise ValueError(f"{name} must be HH:MM (24-hour clock), got {value!r}")
    return int(match[1]), int(match[2])
