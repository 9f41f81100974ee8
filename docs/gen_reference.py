"""Build step of the documentation site (mkdocs-gen-files): the environment-file reference, from the model.

Every section of an environment file is a pydantic model in gpulab/config/model.py; this writes one table per
section (field, type, default, allowed values or range) so the reference cannot drift from what validation
accepts. The JSON Schema (docs/environment.schema.json, `gpulab schema`) is the machine-readable twin.
"""

from __future__ import annotations

import inspect
import types
import typing

import mkdocs_gen_files
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from gpulab.config.model import Environment

SKIPPED = {"name"}  # comes from the file name


def _models(model: type[BaseModel], seen: dict[str, type[BaseModel]]) -> dict[str, type[BaseModel]]:
    """`model` and every model its fields hold, in the order a reader meets them."""
    seen.setdefault(model.__name__, model)
    for field in model.model_fields.values():
        for inner in _nested(field.annotation):
            if inner.__name__ not in seen:
                _models(inner, seen)
    return seen


def _nested(annotation: object) -> list[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for argument in typing.get_args(annotation) for m in _nested(argument)]


def _type(annotation: object) -> str:
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(arguments[0])
    if origin is typing.Literal:
        return " \\| ".join(f"`{value}`" for value in arguments)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type(argument) for argument in arguments)
    if origin in (list, dict):
        return f"{origin.__name__} of {', '.join(_type(argument) for argument in arguments)}"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation)).replace("typing.", "")


def _limits(field) -> str:
    found = []
    for rule in field.metadata:
        for name, word in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"), ("min_length", "length ≥"),
                           ("max_length", "length ≤"), ("pattern", "matches")):
            value = getattr(rule, name, None)
            if value is not None:
                found.append(f"{word} `{value}`" if name == "pattern" else f"{word} {value}")
    return ", ".join(found)


def _default(field) -> str:
    if field.is_required():
        return "required"
    value = field.default if field.default is not PydanticUndefined else field.default_factory()
    if isinstance(value, BaseModel):
        return "(section defaults)"
    return f"`{value!r}`" if value not in ([], {}, None) else f"`{value}`" if value is not None else "`null`"


def reference() -> str:
    lines = [
        "# Environment file reference",
        "",
        "Generated from the model (`gpulab/config/model.py`) when the site is built: every section, field,",
        "type, default and range. [environments.md](../environments.md) explains them with a full example;",
        "`gpulab schema` prints the same as JSON Schema for editors. Checks that need the cloud's catalog",
        "(regions, machine types, sites) run in `gpulab validate` on top of these.",
        "",
    ]
    for name, model in _models(Environment, {}).items():
        title = "the file (top level)" if model is Environment else f"`{name}`"
        lines += [f"## {title}", "", inspect.cleandoc(model.__doc__ or ""), ""]
        lines += ["| field | type | default | range |", "|---|---|---|---|"]
        for key, field in model.model_fields.items():
            if model is Environment and key in SKIPPED:
                continue
            lines.append(f"| `{key}` | {_type(field.annotation)} | {_default(field)} | {_limits(field)} |")
        lines.append("")
    return "\n".join(lines)


with mkdocs_gen_files.open("reference/environment-file.md", "w") as page:
    page.write(reference())
