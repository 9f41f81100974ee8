"""One import hook for the jsii binding modules: cdktf, constructs and the cdktf providers.

Saves: what lazy_annotations.py measures, which it applies. Depends on:
binding modules loaded by source-file loaders with `exec_module`.

A meta-path finder wraps the loader of every binding module, so that the
module runs from the code lazy_annotations.py compiles (string annotations,
no argument checks in the `gpulab` command). Modules that are not
jsii bindings are never touched.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from contextlib import contextmanager

from gpulab.speed import lazy_annotations

JSII_PACKAGES = ("cdktf", "constructs")
PROVIDER_PREFIX = "cdktf_cdktf_provider_"


def is_jsii_binding(name: str) -> bool:
    top = name.split(".", 1)[0]
    return top in JSII_PACKAGES or top.startswith(PROVIDER_PREFIX)


def _is_provider_root(name: str) -> bool:
    return name.startswith(PROVIDER_PREFIX) and "." not in name


class BindingLoader(importlib.abc.Loader):
    """Runs a binding module from lazy-annotation code when that is on."""

    def __init__(self, loader: importlib.abc.Loader, finder: BindingFinder) -> None:
        self._loader = loader
        self._finder = finder

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        lazy = self._finder.lazy_annotations and self._finder.compiles_lazily(module.__name__)
        code = lazy_annotations.lazy_annotation_code(self._loader, module.__name__) if lazy else None
        with self._finder.whole_package_import(module.__name__):
            if code is None:
                self._loader.exec_module(module)
            else:
                exec(code, module.__dict__)  # noqa: S102 - the module's own code, compiled with other flags

    def __getattr__(self, name: str) -> object:
        return getattr(self._loader, name)


class BindingFinder(importlib.abc.MetaPathFinder):
    """Finds binding modules the ordinary way and wraps their loader in a BindingLoader."""

    def __init__(self) -> None:
        self.lazy_annotations = False
        self._whole_imports: set[str] = set()  # provider packages whose root __init__ is running

    def compiles_lazily(self, name: str) -> bool:
        """Whether lazy annotations pay off for module `name`: not when a provider's root imports it.

        A provider package's root `__init__` (run when the Python lazy import is off, or a
        package's layout is not the one it knows) imports every module of the package, 1,500 to
        2,200 of them, and compiling them all takes minutes on a first run (444 G instructions,
        222 s, for the google provider alone): they run as compiled by Python, like the root.
        """
        top = name.split(".", 1)[0]
        return top not in self._whole_imports and not _is_provider_root(name)

    @contextmanager
    def whole_package_import(self, name: str):
        """While a provider package's root module runs, the modules it imports are run as compiled by Python."""
        if not _is_provider_root(name) or name in self._whole_imports:
            yield
            return
        self._whole_imports.add(name)
        try:
            yield
        finally:
            self._whole_imports.discard(name)

    def find_spec(self, name, path, target=None):
        if not is_jsii_binding(name):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or isinstance(spec.loader, BindingLoader):
            return spec
        spec.loader = BindingLoader(spec.loader, self)
        return spec


def binding_finder() -> BindingFinder:
    """The one BindingFinder, installed first on sys.meta_path on first use."""
    for finder in sys.meta_path:
        if isinstance(finder, BindingFinder):
            return finder
    finder = BindingFinder()
    sys.meta_path.insert(0, finder)
    return finder


def enable_lazy_annotations() -> bool:
    """Run binding modules imported from now on with string annotations; False when switched off."""
    if not lazy_annotations.enabled():
        return False
    binding_finder().lazy_annotations = True
    return True
