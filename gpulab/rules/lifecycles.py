"""Rules about bucket lifecycles, for the environment model and the bucket constructs of every cloud."""

from __future__ import annotations


def noncurrent_archive_problem(archive_after: int | None, expire_after: int) -> str | None:
    """Replaced versions are archived before they expire, else the archive step never happens."""
    if archive_after is not None and archive_after >= expire_after:
        return (
            f"{archive_after} is not before noncurrent_expire_days {expire_after} (replaced versions are archived, "
            "then deleted: raise noncurrent_expire_days)"
        )
    return None
