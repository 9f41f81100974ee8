"""Load the cdktf provider bindings without loading all ~1,500 resources, and turn the layer on.

Saves: the Python lazy import 10.4× (9.2–14.0×) and about 1.26 GB, the JS
lazy index 3.0× (see lazy_provider_index.js), of a synth of every shipped
environment (benchmark `speedups` section, 2026-12-07). Depends on: binding
packages split into submodules with a `_jsii` subpackage that loads the
assembly.

`import cdktf_cdktf_provider_aws.vpc` first runs the package's root
`__init__`, which imports every submodule. `lazy_package()` registers the
package in `sys.modules` without running it; a module `__getattr__` imports
a submodule on first attribute access, so `aws.vpc` still works. A package
of another layout is imported the ordinary way. GPULAB_LAZY_IMPORT picks the
loaders: `both` (default), `python`, `js` or `off`.

`enable_library_speedups()` is the library opt-in (behaviour-neutral loaders
only), `enable_fast_provider_loading()` the whole layer, and
`enable_cli_speedups()` the `gpulab` command's choice between them (version_gate.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from gpulab.speed import import_ahead, switches
from gpulab.speed.bindings import enable_lazy_annotations
from gpulab.speed.kernel import enable_direct_kernel, install_kernel_start, preload_into_kernels, set_kernel_variable
from gpulab.speed.version_gate import untested_versions

SWITCH = switches.LAZY_IMPORT
PROVIDER_PACKAGES = (
    "cdktf_cdktf_provider_aws",
    "cdktf_cdktf_provider_azurerm",
    "cdktf_cdktf_provider_google",
    "cdktf_cdktf_provider_openstack",
)
JS_PRELOAD = Path(__file__).with_name("lazy_provider_index.js")
TYPE_DEFS_PRELOAD = Path(__file__).with_name("lazy_type_defs.js")
CREATION_STACKS_PRELOAD = Path(__file__).with_name("creation_stacks.js")
TOKEN_RESOLUTION_PRELOAD = Path(__file__).with_name("fast_token_resolution.js")
PRELOAD_SUPPORT = Path(__file__).with_name("preload_support.js")  # required by the preloads above
TARBALL_DIGESTS_PRELOAD = Path(__file__).with_name("tarball_digests.js")
# Kernel preloads with an on/off switch of their own (each also honours it inside the kernel).
SWITCHED_PRELOADS = {
    switches.LAZY_TYPE_DEFS: TYPE_DEFS_PRELOAD,  # provider type definitions read by range, not whole
    switches.SKIP_CREATION_STACKS: CREATION_STACKS_PRELOAD,  # cdktf's token creation stacks not recorded
    switches.LAZY_STACK_TRACES: CREATION_STACKS_PRELOAD,  # … or, with that off, formatted when read
    switches.FAST_TOKEN_RESOLUTION: TOKEN_RESOLUTION_PRELOAD,  # cdktf's resolve() without its waste
    switches.TARBALL_DIGESTS: TARBALL_DIGESTS_PRELOAD,  # assembly tarball digests remembered per file version
}
# The behaviour-neutral kernel preloads a library user may opt in to (enable_library_speedups).
LIBRARY_PRELOADS = {
    switches.LAZY_TYPE_DEFS: TYPE_DEFS_PRELOAD,
    switches.LAZY_STACK_TRACES: CREATION_STACKS_PRELOAD,
}
_CHOICES = {"both": {"python", "js"}, "python": {"python"}, "js": {"js"}, "off": set()}


def enabled_loaders() -> set[str]:
    """Which lazy loaders GPULAB_LAZY_IMPORT turns on (an unknown value warns and gives `both`)."""
    return _CHOICES[switches.choice(SWITCH, tuple(_CHOICES), "both")]


def enable_lazy_js_index() -> bool:
    """Preload the lazy provider index into jsii kernels started from now on.

    Only kernels started after this call see it: it must come before the
    first `import cdktf`. Returns whether the preload is on.
    """
    if "js" not in enabled_loaders():
        return False
    preload_into_kernels(JS_PRELOAD)
    return True


def enable_switched_preloads(switched: dict[str, Path] = SWITCHED_PRELOADS) -> None:
    """Preload each of `switched` into kernels started from now on, unless its switch is off."""
    for switch, script in switched.items():
        if switches.switched_on(switch):
            preload_into_kernels(script)


def lazy_package(name: str) -> ModuleType:
    """Make `name` importable without running its root `__init__`.

    Falls back to an ordinary import when the Python loader is off, when the
    package is already imported, or when it does not look like jsii bindings
    split into submodules (a `_jsii` subpackage that loads the assembly).
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    if "python" not in enabled_loaders() or not _is_split_jsii_package(spec):
        return importlib.import_module(name)
    module = importlib.util.module_from_spec(spec)
    module.__getattr__ = _submodule_on_access(name)
    sys.modules[name] = module
    return module


def _submodule_on_access(package: str):
    """A module `__getattr__`: `package.name` imports the submodule, as the skipped root `__init__` would have."""

    def __getattr__(attribute: str) -> ModuleType:
        if attribute.startswith("__"):
            raise AttributeError(f"module {package!r} has no attribute {attribute!r}")
        try:
            return importlib.import_module(f"{package}.{attribute}")
        except ModuleNotFoundError as error:
            if error.name != f"{package}.{attribute}":
                raise
            raise AttributeError(f"module {package!r} has no attribute {attribute!r}") from None

    return __getattr__


def _is_split_jsii_package(spec: importlib.machinery.ModuleSpec) -> bool:
    locations = list(spec.submodule_search_locations or [])
    if len(locations) != 1:
        return False
    loader = Path(locations[0]) / "_jsii" / "__init__.py"
    try:
        return "JSIIAssembly.load" in loader.read_text(encoding="utf-8")
    except OSError:
        return False


def enable_library_speedups() -> None:
    """The loaders that change nothing a program can observe but its speed: `gpulab.enable_fast_loading()`.

    Provider packages load lazily (a submodule on first use, attribute access
    included), the kernel serves provider indexes lazily, reads type
    definitions by range and formats token creation stacks only when
    something reads them. Preloads go into the kernel's own environment,
    never into this process's NODE_OPTIONS.
    """
    enable_lazy_js_index()
    enable_switched_preloads(LIBRARY_PRELOADS)
    set_kernel_variable(switches.SKIP_CREATION_STACKS, "off")  # skipping them would change error texts
    install_kernel_start(direct=False)
    _register_lazy_packages()


def enable_fast_provider_loading() -> None:
    """Turn on every speed-up of gpulab/speed (docs/speed.md): what the `gpulab` command runs with.

    Called by `gpulab.cli.entry_point` before anything imports cdktf.
    Registering a package is cheap: nothing of it is executed until a
    submodule is imported. Provider packages that are not installed are skipped.
    """
    enable_lazy_js_index()
    enable_switched_preloads()
    enable_lazy_annotations()
    enable_direct_kernel()
    import_ahead.activate()
    _register_lazy_packages()


def enable_cli_speedups() -> bool:
    """What the `gpulab` command runs with: the whole layer for the versions it was tested with, else only the
    behaviour-neutral loaders and one line on stderr saying why. Whether the whole layer is on."""
    untested = untested_versions()
    if untested:
        print(
            f"gpulab: speed layer limited to its safe part: {', '.join(untested)}; synthesis is slower, "
            "output the same",
            file=sys.stderr,
        )
        enable_library_speedups()
        return False
    enable_fast_provider_loading()
    return True


def _register_lazy_packages() -> None:
    if "python" not in enabled_loaders():
        return  # the providers are imported the ordinary way, when first used
    for package in PROVIDER_PACKAGES:
        try:
            lazy_package(package)
        except ModuleNotFoundError:
            continue
