"""Time zone names across clouds: Azure's schedules take Windows ids, Google Cloud's IANA names.

The mapping between the two is CLDR's windowsZones table, as the tzlocal
package ships it, so an environment may write `Europe/Berlin` on Azure and
get `W. Europe Standard Time`, and a Windows id on Google Cloud is answered
with the IANA name it stands for.
"""

from __future__ import annotations

from tzlocal.windows_tz import tz_win, win_tz

EXAMPLES = "a Windows id such as W. Europe Standard Time, or an IANA name such as Europe/Berlin"


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
