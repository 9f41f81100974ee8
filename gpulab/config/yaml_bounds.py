"""Bounds on an environment file before it is built into Python objects.

YAML aliases let a few hundred bytes stand for billions of values (an "alias
bomb"), and deep nesting crashes libyaml's composer outright. Both are
caught here by one streaming pass over the parser's events, which costs
little and never recurses: the file's size, its nesting depth, and the
number of values it stands for with every alias expanded are each bounded.
"""

from __future__ import annotations

import yaml

# Environment files are a few kilobytes; a setup script in one at most a few hundred (rules/boot_scripts.py).
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32
# Values with aliases expanded: the largest shipped file holds about 120.
MAX_VALUES = 20_000

_OPENS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSES = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class TooLarge(Exception):
    """The file is beyond a bound; the message says which and what to do."""


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise TooLarge(
            f"is {size:,} bytes; an environment file may hold at most {MAX_FILE_BYTES:,} "
            "(keep long scripts in their own files and fetch them from setup_script)"
        )


def check_structure(text: str, loader: type) -> None:
    """Raise `TooLarge` if `text` nests deeper than MAX_DEPTH or stands for more than MAX_VALUES values.

    Syntax errors are left to the loader that reads the file afterwards.
    """
    opened: list[tuple[str | None, int]] = []  # per open collection: its anchor, `expanded` when it opened
    sizes: dict[str, int] = {}  # anchor → how many values it stands for
    expanded = 0  # values so far, every alias counted as all it stands for
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, _OPENS):
                if len(opened) >= MAX_DEPTH:
                    line = event.start_mark.line + 1
                    raise TooLarge(f"line {line}: nests deeper than {MAX_DEPTH} levels (flatten it)")
                opened.append((event.anchor, expanded))
                expanded += 1
            elif isinstance(event, _CLOSES):
                anchor, start = opened.pop()
                if anchor is not None:
                    sizes[anchor] = expanded - start
            elif isinstance(event, yaml.ScalarEvent):
                expanded += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                if any(anchor == event.anchor for anchor, _ in opened):
                    line = event.start_mark.line + 1
                    raise TooLarge(f"line {line}: alias *{event.anchor} is used inside its own value (remove it)")
                expanded += sizes.get(event.anchor, 1)
            if expanded > MAX_VALUES:
                raise TooLarge(
                    f"stands for more than {MAX_VALUES:,} values once its aliases are expanded "
                    "(an alias bomb, or far more settings than an environment needs)"
                )
    except yaml.YAMLError:
        return  # the loader that reads the file next words the syntax error
