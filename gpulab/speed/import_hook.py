"""A hook around the next import of one module, installed without importing that module first.

Saves: importing jsii (about 0.09 s) in `gpulab validate`, which never starts
a kernel. Depends on: nothing upstream. kernel.py patches jsii's process
module once it has run: find the module the ordinary way, run it, then do
something with it, once.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable


class ModuleImportHook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs module `name`, then `after(module)`.

    It leaves sys.meta_path once the module has run; a run that raises leaves
    it in place for the next attempt to import the module.
    """

    def __init__(self, name: str, *, after: Callable[[types.ModuleType], None]) -> None:
        self.name, self._after, self._loader = name, after, None

    def find_spec(self, name, path, target=None):
        if name != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            self._loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._loader.exec_module(module)
        sys.meta_path.remove(self)
        self._after(module)


def hook_import(hook: ModuleImportHook) -> None:
    """Put `hook` first on sys.meta_path, unless a hook for the same module is there already."""
    if not any(isinstance(other, ModuleImportHook) and other.name == hook.name for other in sys.meta_path):
        sys.meta_path.insert(0, hook)
