"""Resolve each jsii type-checking stub's type hints once, not on every call.

Saves: 1.6× (1.4–1.8×) of a synth of every shipped environment (benchmark
`speedups` section, 2026-12-07). Depends on: the prebuilt bindings calling
`typing.get_type_hints(stub)` through their module's `typing` global (newer
jsii code generators memoize this themselves, `cached_type_hints`).

jsii-generated code checks every argument at run time (`if __debug__:`),
resolving the stub's annotations anew on every call. After a binding module
is imported, its `typing` global becomes a stand-in whose `get_type_hints`
is memoized per stub; and since an annotation's hint depends only on what
the names in it are bound to, each distinct annotation string is resolved,
by `typing.get_type_hints` itself, once per set of bindings (all shipped
environments: 371 resolutions instead of 1,678). Every check still runs,
against the same hints. GPULAB_TYPE_HINT_CACHE=off leaves the modules untouched.
"""

from __future__ import annotations

import re
import types
import typing

from gpulab.speed.bindings import patch_bindings
from gpulab.speed.switches import TYPE_HINT_CACHE, switched_on

SWITCH = TYPE_HINT_CACHE
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CachedHintsTyping(types.ModuleType):
    """`typing`, except that a plain `get_type_hints(function)` is memoized per function and per annotation."""

    def __init__(self) -> None:
        super().__init__("typing")
        self._by_function: dict[types.FunctionType, dict[str, object]] = {}
        self._by_module: dict[tuple[str, object], object] = {}  # (module name, annotation) -> hint
        # (annotation, ids of what its names are bound to) -> (hint, those objects, kept alive so no id is reused)
        self._by_bindings: dict[tuple[object, tuple[int, ...]], tuple[object, tuple[object, ...]]] = {}

    def __getattr__(self, name: str) -> object:
        return getattr(typing, name)

    def get_type_hints(self, obj, globalns=None, localns=None, include_extras=False):
        plain = globalns is None and localns is None and not include_extras
        if not (plain and isinstance(obj, types.FunctionType)) or hasattr(obj, "__wrapped__"):
            return typing.get_type_hints(obj, globalns, localns, include_extras)
        hints = self._by_function.get(obj)
        if hints is None:
            hints = self._by_function[obj] = self._resolve(obj)
        return hints

    def _resolve(self, function: types.FunctionType) -> dict[str, object]:
        """`typing.get_type_hints(function)`, one annotation at a time, each looked up in the memos."""
        namespace = function.__globals__
        module = namespace.get("__name__")
        if not isinstance(module, str):
            return typing.get_type_hints(function)  # no module to key the memo by
        hints = {}
        for name, annotation in getattr(function, "__annotations__", {}).items():
            key = (module, annotation)
            try:
                hint = self._by_module[key]
            except (KeyError, TypeError):
                hint = self._resolve_annotation(annotation, namespace)
                try:
                    self._by_module[key] = hint
                except TypeError:
                    pass  # an unhashable annotation is resolved every time, like typing does
            hints[name] = hint
        return hints

    def _resolve_annotation(self, annotation: object, namespace: dict) -> object:
        """The hint `annotation` gives in `namespace`, shared by every module that binds its names alike."""
        bound = _bound_objects(annotation, namespace)
        key = (annotation, tuple(map(id, bound)))
        try:
            return self._by_bindings[key][0]
        except (KeyError, TypeError):
            hint = typing.get_type_hints(_carrying(annotation, namespace))["value"]
        try:
            self._by_bindings[key] = (hint, bound)
        except TypeError:
            pass
        return hint


def _bound_objects(annotation: object, namespace: dict) -> tuple[object, ...]:
    """What every identifier in a string annotation (and the namespace's builtins) is bound to in `namespace`.

    The identifiers are a superset of the names evaluating the annotation
    looks up (attribute names and quoted forward references included), so
    equal strings whose bindings are the same objects evaluate alike. An
    annotation that is not a string (evaluated, when lazy annotations are off)
    may hold forward references whose names cannot be listed: it is keyed by
    the whole namespace, so it is shared within its module only.
    """
    if not isinstance(annotation, str):
        return (namespace,)
    names = ["__builtins__", *sorted(set(_IDENTIFIER.findall(annotation)))]
    return tuple(namespace.get(name) for name in names)


_CARRIER_CODE = (lambda value: None).__code__


def _carrying(annotation: object, namespace: dict) -> types.FunctionType:
    """A function of `namespace` whose one parameter carries `annotation`: its hints are that annotation's."""
    carrier = types.FunctionType(_CARRIER_CODE, namespace, "carrier")
    carrier.__annotations__ = {"value": annotation}
    return carrier


class _UseCachedHints:
    """Swaps a freshly run binding module's `typing` global for the caching stand-in."""

    def __init__(self, stand_in: CachedHintsTyping) -> None:
        self._stand_in = stand_in

    def __call__(self, module: types.ModuleType) -> None:
        if module.__dict__.get("typing") is typing:
            module.typing = self._stand_in


def enable_type_hint_cache() -> bool:
    """Install the import hook (once); False when GPULAB_TYPE_HINT_CACHE=off."""
    if not switched_on(SWITCH):
        return False
    patch_bindings(_UseCachedHints(CachedHintsTyping()))
    return True
