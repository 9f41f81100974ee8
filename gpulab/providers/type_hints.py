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

import importlib.abc
import importlib.machinery
import os
import sys
import types
import typing
from collections.abc import Callable

SWITCH = "GPULAB_TYPE_HINT_CACHE"
JSII_PACKAGES = ("cdktf", "constructs")
PROVIDER_PREFIX = "cdktf_cdktf_provider_"


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


def _is_jsii_binding(name: str) -> bool:
    top = name.split(".", 1)[0]
    return top in JSII_PACKAGES or top.startswith(PROVIDER_PREFIX)


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real loader, then swaps the module's `typing` global for the caching stand-in."""

    def __init__(self, loader: importlib.abc.Loader, stand_in: CachedHintsTyping) -> None:
        self._loader = loader
        self._stand_in = stand_in

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        if module.__dict__.get("typing") is typing:
            module.typing = self._stand_in

    def __getattr__(self, name: str) -> object:
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, stand_in: CachedHintsTyping) -> None:
        self._stand_in = stand_in

    def find_spec(self, name, path, target=None):
        if not _is_jsii_binding(name):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or isinstance(spec.loader, _PatchingLoader):
            return spec
        spec.loader = _PatchingLoader(spec.loader, self._stand_in)
        return spec


def enable_type_hint_cache() -> bool:
    """Install the import hook (once); False when GPULAB_TYPE_HINT_CACHE=off."""
    if os.environ.get(SWITCH, "on").strip().lower() == "off":
        return False
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder(CachedHintsTyping()))
    return True
