"""Send jsii's assembly `load` requests without waiting for their answers.

Importing a binding package's `_jsii` module asks the kernel to load its
assembly and waits for the answer: for cdktf about 0.1 s of the kernel
unpacking and requiring the package while Python sits idle, and Python only
then goes on to run the package's own module, about as long again, while the
kernel sits idle. Nothing reads that answer (`Kernel.load` returns nothing).

So the direct kernel's process writes a `load` request and returns at once
(owed_answers.py); Python runs the binding module while the kernel loads. A
load that failed raises the error jsii would have raised, when its answer is
read, naming the assembly. Only a tarball that lives in an installed `_jsii`
package is loaded this way, since the temporary copy
`importlib.resources.as_file` makes for a zipped package is deleted as soon as
`load` returns. GPULAB_ASYNC_LOADS=off turns this off.
"""

from __future__ import annotations

from pathlib import Path

from gpulab.speed.switches import ASYNC_LOADS, switched_on

SWITCH = ASYNC_LOADS


def enabled() -> bool:
    return switched_on(SWITCH)


def is_installed_tarball(path: str) -> bool:
    """Whether `path` is an assembly tarball inside an installed `_jsii` package (not a temporary copy)."""
    tarball = Path(path)
    return tarball.parent.name == "_jsii" and (tarball.parent / "__init__.py").is_file() and tarball.is_file()


def loads_later(request) -> bool:
    """Whether this `load` request may be written without waiting for its answer."""
    return enabled() and is_installed_tarball(request.tarball)


class OwedLoad:
    """A `load` written ahead: any answer but an error will do."""

    expected_line = None  # the answer counts the assembly's types

    def __init__(self, request) -> None:
        self.request = request

    def accept(self, answer) -> None:
        pass

    def failure(self, error: str, name: str, stack: str) -> Exception:
        from gpulab.speed.owed_answers import jsii_error

        return jsii_error(f"loading assembly {self.request.name}@{self.request.version} failed: {error}", name, stack)
