"""Compile jsii binding code without its `typing.cast(T, value)` calls.

jsii-generated getters end in `return typing.cast(T, value)`, where `T` is a
type expression such as `typing.Optional[typing.List["SomeStruct"]]`.
`typing.cast` returns `value` unchanged, but Python evaluates `T` first, on
every call: each subscript goes through typing's caches, and each quoted
name builds a `ForwardRef`, which compiles its string. jsii reads every
property of every struct it sends to the kernel through these getters, so
for one small environment that is about 1,500 type expressions built and
thrown away.

`elide_casts` replaces each `typing.cast(T, value)` call with `value` in the
module's syntax tree, keeping `value`'s source position, so tracebacks point
at the same lines. Only that exact spelling is rewritten: two positional
arguments and the module-level name `typing`. The binding-module compile in
`lazy_annotations` applies it; GPULAB_ELIDE_CASTS=off turns it off.
"""

from __future__ import annotations

import ast

from gpulab.speed.switches import ELIDE_CASTS, switched_on

SWITCH = ELIDE_CASTS


def enabled() -> bool:
    return switched_on(SWITCH)


def _is_typing_cast(node: ast.Call) -> bool:
    function = node.func
    return (
        isinstance(function, ast.Attribute)
        and function.attr == "cast"
        and isinstance(function.value, ast.Name)
        and function.value.id == "typing"
        and len(node.args) == 2
        and not node.keywords
        and not any(isinstance(argument, ast.Starred) for argument in node.args)
    )


class _CastElider(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        return node.args[1] if _is_typing_cast(node) else node


def elide_casts(tree: ast.Module) -> ast.Module:
    """`tree` with every `typing.cast(T, value)` replaced by `value`."""
    return _CastElider().visit(tree)
