"""Provider bindings: fast loading, and each cloud's provider + state backend.

Importing this package arranges for the jsii kernel to load provider indexes
lazily; it must happen before the first `import cdktf`, so gpulab's constructs,
stacks and CLI import it first.
"""

from gpulab.providers.fast_import import enable_lazy_js_index, lazy_package

enable_lazy_js_index()

__all__ = ["enable_lazy_js_index", "lazy_package"]
