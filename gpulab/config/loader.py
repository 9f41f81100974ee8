"""Read environment files and turn every mistake in them into a clear line.

`load_environments(dir)` returns validated `Environment`s or raises
`ConfigError` listing every problem of every file, each as
`<file>: <field path>: <what is wrong> (<what to do>)`.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from gpulab.config.checks import check_environment, suggestion
from gpulab.config.checks.across import check_across
from gpulab.config.extends import Layer, merged, origin, read_chain
from gpulab.config.model import SLUG, SLUG_HINT, Environment
from gpulab.config.yaml_bounds import MAX_FILE_BYTES, TooLarge, check_size, check_structure
from gpulab.errors import ConfigError, Problem, shown

ENV_SUFFIXES = (".yaml", ".yml")
# A validator may name a sub-field at the start of its message: "cidr: …".
_SUBPATH = re.compile(r"^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (.*)$", re.S)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects a key given twice in one mapping (pure Python: the clearer errors)."""


# libyaml's parser is about ten times faster; files are read with it, and re-read with
# the pure-Python loader only to word an error.
_FastBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastUniqueKeyLoader(_FastBase):  # type: ignore[misc, valid-type]
    """The same rules as `_UniqueKeyLoader`, on libyaml when PyYAML was built with it."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice (keep one)", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


for _loader in (_UniqueKeyLoader, _FastUniqueKeyLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def environment_files(env_dir: Path) -> list[Path]:
    """The environment files in `env_dir`, sorted by name; `_*.yaml` are shared bases, not environments."""
    return sorted(
        p for p in env_dir.iterdir() if p.suffix in ENV_SUFFIXES and p.is_file() and not p.name.startswith("_")
    )


def broken_links(env_dir: Path) -> list[Path]:
    """YAML entries of `env_dir` that are symbolic links to nothing: reported, never skipped silently."""
    return sorted(p for p in env_dir.iterdir() if p.suffix in ENV_SUFFIXES and p.is_symlink() and not p.exists())


def load_environments(env_dir: Path, names: list[str] | None = None) -> list[Environment]:
    """Load and validate the environments in `env_dir` (all, or those named)."""
    if not env_dir.is_dir():
        raise ConfigError(
            [Problem(str(env_dir), "", "is not a directory (pass --env-dir with your environments folder)")]
        )
    files = environment_files(env_dir)
    broken = broken_links(env_dir)
    if broken:
        raise ConfigError(
            [Problem(str(p), "", f"is a broken symbolic link to {p.readlink()} (fix it or remove it)") for p in broken]
        )
    if not files:
        raise ConfigError(
            [Problem(str(env_dir), "", "holds no environment files (add e.g. dev.yaml; see docs/environments.md)")]
        )
    if names:
        by_name = {p.stem: p for p in files}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ConfigError(
                [
                    Problem(
                        str(env_dir),
                        "",
                        f"no environment named {n!r} ({suggestion(n, set(by_name))})",
                    )
                    for n in unknown
                ]
            )
        files = [by_name[n] for n in names]
    loaded, problems = [], []
    for path in files:
        try:
            loaded.append((path, load_environment(path)))
        except ConfigError as error:
            problems += error.problems
    problems += check_across(loaded)
    if problems:
        raise ConfigError(problems)
    return [env for _, env in loaded]


def load_environment(path: Path) -> Environment:
    """Load and validate one environment file."""
    file = str(path)
    chain = read_chain(path, _read_mapping)
    data = merged(chain)
    name = path.stem
    if not SLUG.match(name):
        raise ConfigError([Problem(file, "", f"file name {name!r} is not a valid environment name ({SLUG_HINT})")])
    if "name" in data and data["name"] != name:
        raise ConfigError(
            [
                Problem(
                    file,
                    "name",
                    f"{data['name']!r} differs from the file name {name!r} (drop name: or rename the file)",
                )
            ]
        )
    try:
        env = Environment.model_validate({**data, "name": name})
    except ValidationError as error:
        raise ConfigError(
            [_located(chain, where, message) for where, message in _describe_all(error.errors())]
        ) from None
    problems = [_located(chain, where, message) for where, message in check_environment(env)]
    if problems:
        raise ConfigError(problems)
    return env


def _located(chain: list[Layer], field: str, message: str) -> Problem:
    """A problem against the file that holds the value: a base file names the environment that inherited it."""
    environment, holder = chain[0].path, origin(chain, field)
    if holder == environment:
        return Problem(str(environment), field, message)
    return Problem(str(holder), field, f"{message} (inherited by {environment.name})")


def _read_mapping(path: Path) -> dict:
    """The top-level mapping of a YAML file (a fresh copy; the parse is cached per file version)."""
    try:
        stat = path.stat()
        return dict(_parse_mapping(path.resolve(), stat.st_mtime_ns, stat.st_size))
    except OSError as error:
        raise ConfigError([Problem(str(path), "", f"cannot be read: {error}")]) from None
    except ConfigError as error:  # name the file as the user did, not by its resolved path
        raise ConfigError([Problem(str(path), p.path, p.message) for p in error.problems]) from None


@functools.lru_cache(maxsize=256)
def _parse_mapping(path: Path, mtime_ns: int, size: int) -> dict:
    """Parse once per file version: a base file shared by many environments is read once."""
    file = str(path)
    try:
        check_size(size)
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        check_size(len(raw))  # the file may have grown since it was looked at
        text = raw.decode("utf-8")
        check_structure(text, _FastBase)
    except TooLarge as error:
        raise ConfigError([Problem(file, "", str(error))]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([Problem(file, "", f"cannot be read: {error}")]) from None
    try:
        data = yaml.load(text, Loader=_FastUniqueKeyLoader)
    except yaml.YAMLError as fast_error:
        try:
            yaml.load(text, Loader=_UniqueKeyLoader)
        except yaml.YAMLError as error:
            raise ConfigError([Problem(file, "", _yaml_message(error))]) from None
        raise ConfigError([Problem(file, "", _yaml_message(fast_error))]) from None
    if not isinstance(data, dict):
        raise ConfigError([Problem(file, "", "must be a YAML mapping of settings (see docs/environments.md)")])
    return data


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    what = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    if context and "twice" not in what:
        what = f"{context}, {what}"
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    hint = "" if what.endswith(")") else " (fix the syntax at that spot)"
    return f"{where}invalid YAML: {what}{hint}"


# pydantic error kinds that mean "wrong type", and the type that was expected.
_EXPECTED_TYPES = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a text value",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _describe_all(errors: list[dict]) -> list[tuple[str, str]]:
    """One (path, message) per field: the branches of a union fold into one line.

    Where a value failed several union members (`int | list[str]`), the
    members whose type it has explain best (70000 for a port → out of range);
    if it has none of their types, the line names every type that would do.
    """
    by_path: dict[str, list[tuple[dict, str]]] = {}
    for error in errors:
        path, message = _describe(error)
        by_path.setdefault(path, []).append((error, message))
    lines = []
    for path, found in by_path.items():
        if len(found) == 1:
            lines.append((path, found[0][1]))
            continue
        relevant = [message for error, message in found if not _wrong_type(error)]
        if relevant:
            lines += [(path, message) for message in relevant]
        else:
            expected = " or ".join(dict.fromkeys(_EXPECTED_TYPES.get(e["type"], "a listed name") for e, _ in found))
            lines.append((path, _not_of_type(found[0][0].get("input"), expected)))
    return lines


def _not_of_type(value: object, expected: str) -> str:
    return f"{shown(value)} is not {expected} (write {expected})"


def _wrong_type(error: dict) -> bool:
    """The value is not even of the member's type (gpulab's literals are all text)."""
    return error["type"] in _EXPECTED_TYPES or (
        error["type"] == "literal_error" and not isinstance(error["input"], str)
    )


def _describe(error: dict) -> tuple[str, str]:
    """A pydantic error as (field path, message with a hint)."""
    loc = [part for part in error["loc"] if not _is_union_tag(part)]
    path = _format_path(loc)
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "value_error" and "reason" in ctx:
        return path, _email(value, ctx, loc, error["msg"])
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        match = _SUBPATH.match(message)
        if match:
            path = f"{path}.{match.group(1)}" if path else match.group(1)
            message = match.group(2)
        return path, message
    if kind in _EXPECTED_TYPES:
        return path, _not_of_type(value, _EXPECTED_TYPES[kind])
    return path, _MESSAGES.get(kind, _generic)(value, ctx, loc, error["msg"])


def _is_union_tag(part: object) -> bool:
    """pydantic puts the union member tried into loc ('int', 'list[str]', 'constrained-int', …)."""
    return isinstance(part, str) and (
        part in {"int", "str", "float", "bool"} or "[" in part or part.startswith(("function-", "constrained-"))
    )


def _format_path(loc: list) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _allowed_keys(loc: list) -> list[str]:
    """The keys the model accepts at the mapping that holds loc[-1]."""
    model: type | None = Environment
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [k for k in model.model_fields if k != "name" or model is not Environment]


def _model_in(annotation: object) -> type | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, (types.UnionType,)) or typing.get_origin(annotation) in (typing.Union, list):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found:
                return found
    return None


def _extra(value, ctx, loc, msg) -> str:
    key = str(loc[-1])
    allowed = _allowed_keys(loc)
    hint = suggestion(key, allowed) if allowed else "remove it"
    return f"unknown key {key!r} ({hint})"


def _missing(value, ctx, loc, msg) -> str:
    return "is required (add it; see docs/environments.md)"


def _literal(value, ctx, loc, msg) -> str:
    return f"{shown(value)} is not allowed (use {ctx.get('expected', 'a listed value')})"


def _bound(value, ctx, loc, msg) -> str:
    for key, words in (("ge", "at least"), ("gt", "more than"), ("le", "at most"), ("lt", "less than")):
        if key in ctx:
            return f"{shown(value)} is out of range (use a value {words} {ctx[key]})"
    return f"{shown(value)} is out of range"


def _length(value, ctx, loc, msg) -> str:
    if isinstance(value, (list, dict)):
        bound = f"at least {ctx['min_length']}" if "min_length" in ctx else f"at most {ctx.get('max_length')}"
        return f"has {len(value):,} entries (give {bound})"
    if "min_length" in ctx:
        return f"{shown(value)} is too short (use at least {ctx['min_length']} characters)"
    return f"{shown(value)} is too long (use at most {ctx.get('max_length')} characters)"


def _pattern(value, ctx, loc, msg) -> str:
    return f"{shown(value)} does not have the expected form (match {ctx.get('pattern')})"


def _email(value, ctx, loc, msg) -> str:
    reason = str(ctx.get("reason", "")).rstrip(".")
    return f"{shown(value)} is not a valid e-mail address ({reason.lower() or 'write name@example.com'})"


def _generic(value, ctx, loc, msg) -> str:
    return f"{msg} (got {shown(value)}; see docs/environments.md)"


_MESSAGES = {
    "extra_forbidden": _extra,
    "missing": _missing,
    "literal_error": _literal,
    "greater_than_equal": _bound,
    "greater_than": _bound,
    "less_than_equal": _bound,
    "less_than": _bound,
    "string_too_short": _length,
    "string_too_long": _length,
    "too_short": _length,
    "too_long": _length,
    "string_pattern_mismatch": _pattern,
}
