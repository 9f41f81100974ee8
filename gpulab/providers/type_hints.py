"""Resolve each jsii type-checking stub's type hints once, not on every call.

jsii-generated Python checks every argument of every constructor and method
at run time (`if __debug__:`): it calls `typing.get_type_hints(stub)` and
hands the result to typeguard. Resolving those stringized annotations is the
largest Python-side cost of a synth, and it is repeated for every resource
although the answer never changes. Newer jsii code generators call
`jsii._type_checking.cached_type_hints(stub)` instead, which memoizes per
stub; the prebuilt provider packages were generated before that. This module
gives their modules the same memoization: after a jsii binding module is
imported, its `typing` global is replaced by a stand-in whose
`get_type_hints` is jsii's cached one (any other call goes to `typing`).

Every check still runs, against the same hints, so behaviour and output are
unchanged; with a jsii that has no cache, hints are resolved as before.
GPULAB_TYPE_HINT_CACHE=off leaves the modules untouched.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Callable

from gpulab.providers.bindings import binding_finder

SWITCH = "GPULAB_TYPE_HINT_CACHE"


def _jsii_cached_type_hints() -> Callable:
    """jsii's memoizing get_type_hints; plain `typing.get_type_hints` for a jsii without one."""
    try:
        from jsii._type_checking import cached_type_hints
    except ImportError:
        return typing.get_type_hints
    return cached_type_hints


class CachedHintsTyping(types.ModuleType):
    """`typing`, except that a plain `get_type_hints(obj)` is answered from jsii's cache.

    jsii is looked up on the first call, when a binding module has imported it
    anyway, so installing the hook costs nothing for `gpulab validate`.
    """

    def __init__(self) -> None:
        super().__init__("typing")
        self._cached: Callable | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(typing, name)

    def get_type_hints(self, obj, globalns=None, localns=None, include_extras=False):
        if globalns is None and localns is None and not include_extras:
            if self._cached is None:
                self._cached = _jsii_cached_type_hints()
            return self._cached(obj)
        return typing.get_type_hints(obj, globalns, localns, include_extras)


class _UseCachedHints:
    """Swaps a freshly run binding module's `typing` global for the caching stand-in."""

    def __init__(self, stand_in: CachedHintsTyping) -> None:
        self._stand_in = stand_in

    def __call__(self, module: types.ModuleType) -> None:
        if module.__dict__.get("typing") is typing:
            module.typing = self._stand_in


def enable_type_hint_cache() -> bool:
    """Install the import hook (once); False when GPULAB_TYPE_HINT_CACHE=off."""
    if os.environ.get(SWITCH, "on").strip().lower() == "off":
        return False
    finder = binding_finder()
    if not any(isinstance(patch, _UseCachedHints) for patch in finder.after_exec):
        finder.after_exec.append(_UseCachedHints(CachedHintsTyping()))
    return True
