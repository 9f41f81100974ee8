"""Daily times written "HH:MM" (24-hour clock): one pattern for the configuration and the schedule constructs."""

from __future__ import annotations

import re

from gpulab.errors import shown

PATTERN = r"^([01][0-9]|2[0-3]):([0-5][0-9])$"
# A time on the hour, "HH:00": what Compute Engine's daily snapshot schedules take (start_time "HH:00").
ON_THE_HOUR = r"^([01][0-9]|2[0-3]):00$"
# A daily snapshot schedule's start_time must resolve to one of these (google_compute_resource_policy docs,
# snapshot_schedule_policy.schedule.daily_schedule.start_time).
GCE_SNAPSHOT_START_TIMES = ("00:00", "04:00", "08:00", "12:00", "16:00", "20:00")
_TIME_OF_DAY = re.compile(PATTERN)


def on_the_hour_problem(value: object) -> str | None:
    """A time "HH:00" on the 24-hour clock, else what is wrong (a rule, see gpulab/rules/values.py)."""
    if isinstance(value, str) and re.match(ON_THE_HOUR, value):
        return None
    return f"{shown(value)} is not a time on the hour (write HH:00 on the 24-hour clock, in UTC, e.g. 04:00)"


def hours_and_minutes(value: str, name: str) -> tuple[int, int]:
    """The hours and minutes of `value`; a ValueError naming the argument `name` if it is not HH:MM."""
    match = _TIME_OF_DAY.match(value)
    if not match:
        raise ValueError(f"{name} must be HH:MM (24-hour clock), got {value!r}")
    return int(match[1]), int(match[2])
