"""`extends:`: a file's settings laid over those of a base file in the same folder.

Mappings merge key by key, lists of named entries (machines, buckets) merge
entry by entry on `name`, anything else the extending file gives replaces the
base's value. A base is named by its file name and must stay inside the
environment folder. Every file of the chain is kept, so that a problem can be
reported against the file that holds the value (`origin`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gpulab.errors import ConfigError, Problem, shown

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Layer:
    """One file of an `extends:` chain and the settings it gives itself (without `extends`)."""

    path: Path
    settings: dict


def read_chain(path: Path, read: Callable[[Path], dict]) -> list[Layer]:
    """The file at `path` and the bases it extends, the file itself first; `read` parses one file."""
    chain: list[Layer] = []
    seen: list[Path] = []
    folder = path.parent.resolve()
    while True:
        data = read(path)
        base_name = data.pop("extends", None)
        chain.append(Layer(path, data))
        seen.append(path.resolve())
        if base_name is None:
            return chain
        path = _base_of(path, base_name, folder, seen)


def _base_of(path: Path, base_name: object, folder: Path, seen: list[Path]) -> Path:
    file = str(path)
    if not isinstance(base_name, str):
        raise ConfigError([Problem(file, "extends", f"{shown(base_name)} is not a file name (write e.g. _fleet.yaml)")])
    base = path.parent / base_name
    if "/" in base_name or "\\" in base_name or base_name in {".", ".."} or base.resolve().parent != folder:
        raise ConfigError(
            [
                Problem(
                    file,
                    "extends",
                    f"{shown(base_name)} is not a file of the environment folder "
                    "(give the name of a file next to this one, e.g. _fleet.yaml)",
                )
            ]
        )
    if base.resolve() in seen:
        chain = " → ".join(p.name for p in (*seen, base.resolve()))
        raise ConfigError([Problem(file, "extends", f"{shown(base_name)} extends itself ({chain}; break the cycle)")])
    if not base.is_file():
        raise ConfigError(
            [Problem(file, "extends", f"{shown(base_name)} does not exist next to this file (give its file name)")]
        )
    return base


def merged(chain: list[Layer]) -> dict:
    """The settings of the whole chain, each file laid over its base."""
    result: object = {}
    for layer in reversed(chain):
        result = merge_settings(result, layer.settings)
    assert isinstance(result, dict)
    return result


def merge_settings(base: object, override: object) -> object:
    """`override` laid over `base` (the module docstring gives the rules)."""
    if isinstance(base, dict) and isinstance(override, dict):
        result = dict(base)
        for key, value in override.items():
            result[key] = merge_settings(base[key], value) if key in base else value
        return result
    if _named_entries(base) and override and _named_entries(override):
        entries = {entry["name"]: entry for entry in base}
        for entry in override:
            name = entry["name"]
            entries[name] = merge_settings(entries[name], entry) if name in entries else entry
        return list(entries.values())
    return override


def origin(chain: list[Layer], field: str) -> Path:
    """The file of `chain` whose own settings give `field` (`machines[1].count`), else the first file.

    A list index counts entries of the merged settings: a named entry is
    followed into each file by its name.
    """
    parts = [name if name else int(index) for name, index in _PART.findall(field)]
    if not parts:
        return chain[0].path
    whole = merged(chain)
    for layer in chain:
        if _gives(layer.settings, whole, parts):
            return layer.path
    return chain[0].path


def _gives(own: object, whole: object, parts: list) -> bool:
    """Whether `own` (one file's settings) sets the value at `parts` of `whole` (the merged settings)."""
    for part in parts:
        if isinstance(part, int):
            if not isinstance(whole, list) or part >= len(whole) or not isinstance(own, list):
                return False
            entry = whole[part]
            if _named_entries(whole) and isinstance(entry, dict):
                matches = [e for e in own if isinstance(e, dict) and e.get("name") == entry.get("name")]
                if not matches:
                    return False
                own, whole = matches[0], entry
            elif part < len(own):
                own, whole = own[part], entry
            else:
                return False
        else:
            if not isinstance(own, dict) or part not in own:
                return False
            own, whole = own[part], whole.get(part) if isinstance(whole, dict) else None
    return True


def _named_entries(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(e, dict) and "name" in e for e in value)
