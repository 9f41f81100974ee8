"""gpulab's constructs, one package per cloud. Each construct works on its own.

`gpulab.providers` is imported first so that the provider bindings load lazily.
"""

import gpulab.providers  # noqa: F401  (must run before the first `import cdktf`)
