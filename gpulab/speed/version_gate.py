"""Which versions the whole speed layer was built and tested against; any other gets only the safe part.

Saves: nothing itself; it keeps the layer from running on versions it was
not tested with. Depends on: installed distributions' metadata.

Most of gpulab/speed reaches into jsii's runtime, cdktf's JavaScript and the
provider bindings: a patched kernel program, replaced cdktf functions,
requests sent ahead of their answers. Each piece checks what it
patches, but a newer release can change behaviour without changing shape.
So the `gpulab` command turns the whole layer on only for the versions below
(requirements.txt pins the same; a test keeps them equal); with any other it
prints one line and runs with the behaviour-neutral loaders alone, which
change nothing but loading and fall back by themselves when a package's
layout is not the one they know.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# Exact versions of the packages the patches reach into.
TESTED = {"jsii": "1.142.0", "cdktf": "0.21.0", "constructs": "10.8.1"}
# Provider bindings: a new minor adds resources; a new major may change the generated code.
TESTED_MAJORS = {
    "cdktf-cdktf-provider-aws": 21,
    "cdktf-cdktf-provider-azurerm": 14,
    "cdktf-cdktf-provider-google": 16,
    "cdktf-cdktf-provider-openstack": 1,
}


def untested_versions() -> list[str]:
    """The installed packages whose version the speed layer was not tested with, as `name version (tested: …)`.

    A provider package that is not installed is no reason to turn anything off.
    """
    found = []
    for package, tested in TESTED.items():
        installed = _installed(package)
        if installed != tested:
            found.append(f"{package} {installed or 'missing'} (tested: {tested})")
    for package, major in TESTED_MAJORS.items():
        installed = _installed(package)
        if installed is not None and installed.split(".")[0] != str(major):
            found.append(f"{package} {installed} (tested: {major}.x)")
    return found


def _installed(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None
