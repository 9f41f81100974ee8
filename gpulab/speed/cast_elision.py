"""Compile jsii binding code without its `typing.cast(T, value)` calls.

Saves: 1.3× (1.2–2.2×) of a synth of every shipped environment (benchmark
`speedups` section, 2026-12-07). Depends on: the generated getters' spelling
`typing.cast(T, value)`.

`typing.cast` returns `value`, but Python first builds `T`
(`typing.Optional[typing.List["SomeStruct"]]`: typing's caches, a compiled
`ForwardRef` per quoted name) on every call, and jsii reads every property of
every struct it sends through such getters. `elide_casts` replaces each call
with `value` in the syntax tree, at `value`'s source position, so tracebacks
point at the same lines; only two positional arguments and the module-level
name `typing` are rewritten. Applied by lazy_annotations' compile;
GPULAB_ELIDE_CASTS=off turns it off.
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
