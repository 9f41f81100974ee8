"""Checks shared by the bucket constructs of every cloud: one spec each, names and keys once, sane lifecycles."""

from __future__ import annotations

from collections.abc import Sequence

from gpulab.rules.lifecycles import noncurrent_archive_problem
from gpulab.rules.values import Rule, positive_integer_problem, require, unique_problem

LIFECYCLE_DAYS = (
    "cool_after_days",
    "archive_after_days",
    "noncurrent_expire_days",
    "archive_noncurrent_after_days",
    "abort_multipart_days",
)


def check_bucket_specs(specs: Sequence[object], name_rule: Rule, argument: str = "buckets") -> None:
    """Raise ValueError naming `<argument>[i].<field>` for the first bad spec.

    Each spec's `name` must pass `name_rule` (the cloud's naming rules), no
    name or `key` may be given twice, every lifecycle day count present must
    be a whole number above 0, and objects cool before they are archived.
    """
    for field in ("name", "key"):
        problem = unique_problem(getattr(spec, field) for spec in specs if hasattr(spec, field))
        if problem:
            raise ValueError(f"{argument}: {field} {problem}")
    for index, spec in enumerate(specs):
        where = f"{argument}[{index}]"
        require(f"{where}.name", spec.name, name_rule)
        for field in LIFECYCLE_DAYS:
            days = getattr(spec, field, None)
            if days is not None:
                require(f"{where}.{field}", days, positive_integer_problem)
        problem = noncurrent_archive_problem(
            getattr(spec, "archive_noncurrent_after_days", None), spec.noncurrent_expire_days
        )
        if problem:
            raise ValueError(f"{where}.archive_noncurrent_after_days: {problem}")
        cool, archive = getattr(spec, "cool_after_days", None), getattr(spec, "archive_after_days", None)
        if cool and archive and cool >= archive:
            raise ValueError(
                f"{where}.cool_after_days: {cool} is not before archive_after_days {archive} "
                "(cool first, then archive; or set archive_after_days to None)"
            )
