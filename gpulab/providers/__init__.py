"""Provider bindings: fast loading, and each cloud's provider + state backend.

`gpulab/__init__.py` turns fast loading on before any gpulab module imports
cdktf; see `fast_import`.
"""

from gpulab.providers.fast_import import enable_fast_provider_loading, enable_lazy_js_index, lazy_package

__all__ = ["enable_fast_provider_loading", "enable_lazy_js_index", "lazy_package"]
