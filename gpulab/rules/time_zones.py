"""Time zone names across clouds: Azure's schedules take Windows ids, Google Cloud's IANA names.

The mapping between the two is CLDR's windowsZones table, as the tzlocal
package ships it, so an environment may write `Europe/Berlin` on Azure and
get `W. Europe Standard Time`, and a Windows id on Google Cloud is answered
with the IANA name it stands for.
"""

from __future__ import annotations

import functools
import importlib.resources
import zoneinfo

from tzlocal.windows_tz import tz_win, win_tz

from gpulab.errors import shown

EXAMPLES = "a Windows id such as W. Europe Standard Time, or an IANA name such as Europe/Berlin"


def is_iana_time_zone(name: str) -> bool:
    """Whether `name` is one of `zoneinfo.available_timezones()`, walking the tz database only if need be.

    That set is the tzdata package's zone list plus the zone files found
    under the system's tz paths, so a name on the list (one file to read) is
    in it; only a name missing from the list needs the walk (about 35 ms).
    """
    return name in _tzdata_zone_list() or name in _available_time_zones()


@functools.cache
def _tzdata_zone_list() -> frozenset[str]:
    """The tzdata package's list of zone names; empty when tzdata is not installed."""
    try:
        return frozenset(importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())
    except (ImportError, OSError):
        return frozenset()


@functools.cache
def _available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def iana_time_zone_problem(value: object) -> str | None:
    """An IANA time zone name (Google Cloud's schedules take these); a Windows id is answered with its match."""
    if isinstance(value, str) and is_iana_time_zone(value):
        return None
    iana = iana_for_windows(value) if isinstance(value, str) else None
    hint = f"; did you mean {iana!r}?" if iana else ""
    return f"{shown(value)} is not an IANA time zone (write e.g. UTC or Europe/Berlin{hint})"


def windows_time_zone(name: str) -> str | None:
    """The Windows time zone id `name` is or stands for (an IANA name translated), or None."""
    if name in win_tz:
        return name
    return tz_win.get(name)


def iana_for_windows(name: str) -> str | None:
    """The IANA name a Windows time zone id stands for, or None when `name` is not one."""
    return win_tz.get(name)


def windows_ids() -> list[str]:
    """Every Windows time zone id, sorted."""
    return sorted(win_tz)


def azure_time_zone(argument: str, name: str) -> str:
    """`name` as the Windows id an Azure schedule takes; ValueError naming `argument` when it is neither kind."""
    windows = windows_time_zone(name)
    if windows is None:
        raise ValueError(f"{argument}: {name!r} is not a time zone Azure knows (write {EXAMPLES})")
    return windows
