"""How a rule is applied, and the rules about plain numbers, lists and e-mail addresses.

A rule is a function that returns None for a good value, or what is wrong
with it and what to do, without naming a field: the environment model raises
that as the field's error (the loader adds the file and the field path), and a
construct raises it with its argument's name through `require`:
`cidr: 10.0.300.0/16 is not a valid CIDR (write an IPv4 block such as 10.0.1.0/24)`.
A Terraform token (a value only a plan knows, see tokens.py) passes every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gpulab.errors import shown
from gpulab.rules.tokens import is_unresolved

Rule = Callable[[object], str | None]


def require(argument: str, value: object, *rules: Rule) -> None:
    """Raise ValueError(`<argument>: <problem>`) for the first rule `value` breaks; a token passes."""
    if is_unresolved(value):
        return
    for rule in rules:
        problem = rule(value)
        if problem:
            raise ValueError(f"{argument}: {problem}")


def require_each(argument: str, values: Iterable[object], *rules: Rule) -> None:
    """`require` on every entry, named `<argument>[<index>]`."""
    for index, value in enumerate(values):
        require(f"{argument}[{index}]", value, *rules)


def raise_problem(value: object, *rules: Rule) -> object:
    """Raise ValueError(problem) for the first rule broken, else return `value`: a pydantic AfterValidator."""
    for rule in rules:
        problem = rule(value)
        if problem:
            raise ValueError(problem)
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def one_of(choices: Iterable[object]) -> Rule:
    """A value among `choices`."""
    allowed = tuple(choices)

    def rule(value: object) -> str | None:
        if value not in allowed:
            return f"{shown(value)} is not one of {', '.join(map(str, allowed))}"
        return None

    return rule


def between(low: float, high: float) -> Rule:
    """A number from `low` to `high`, both included; a whole number when both bounds are."""
    whole = isinstance(low, int) and isinstance(high, int)

    def rule(value: object) -> str | None:
        if not _is_number(value) or (whole and not isinstance(value, int)):
            return f"{shown(value)} is not a {'whole ' if whole else ''}number (use one from {low} to {high})"
        if not low <= value <= high:  # type: ignore[operator]
            return f"{shown(value)} is out of range (use a value from {low} to {high})"
        return None

    return rule


def within(limits: tuple[int, int]) -> Rule:
    """`between` for a (low, high) pair of limits.py."""
    return between(*limits)


def positive_problem(value: object) -> str | None:
    if not _is_number(value) or value <= 0:  # type: ignore[operator]
        return f"{shown(value)} must be a positive number"
    return None


def positive_integer_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return f"{shown(value)} must be a whole number above 0"
    return None


def unique_problem(values: Iterable[object]) -> str | None:
    seen: set = set()
    for value in values:
        if value in seen:
            return f"{shown(value)} is given twice (give each one once)"
        seen.add(value)
    return None


def email_problem(value: object) -> str | None:
    """An address pydantic's EmailStr accepts: the environment model's own check (config/emails.py)."""
    from gpulab.config.emails import normalized_email  # email_validator is costly to import: only when asked

    if not isinstance(value, str):
        return f"{shown(value)} is not an e-mail address"
    try:
        normalized_email(value)
    except ValueError as error:
        reason = error.message() if hasattr(error, "message") else str(error)
        return f"{shown(value)} is not a valid e-mail address ({reason.split(': ', 1)[-1].rstrip('.')})"
    return None
