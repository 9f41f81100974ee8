"""Send jsii's assembly `load` requests without waiting for their answers.

Importing a binding package's `_jsii` module asks the kernel to load its
assembly and waits for the answer: for cdktf about 0.1 s of the kernel
unpacking and requiring the package while Python sits idle, and Python only
then goes on to run the package's own module, about as long again, while the
kernel sits idle. Nothing reads that answer (`Kernel.load` returns nothing),
and the kernel handles requests in the order they arrive.

So the direct kernel's process (kernel.py) writes a `load` request and
returns at once; Python runs the binding module while the kernel loads. The
answers owed are read, in order, before the next request is sent: a load
that failed raises the error jsii would have raised, there, naming the
assembly. Only a tarball that lives in an installed `_jsii` package is loaded
this way, since the temporary copy `importlib.resources.as_file` makes for a
zipped package is deleted as soon as `load` returns. GPULAB_ASYNC_LOADS=off
turns this off.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

from gpulab.providers.switches import ASYNC_LOADS, switched_on

SWITCH = ASYNC_LOADS


def enabled() -> bool:
    return switched_on(SWITCH)


def is_installed_tarball(path: str) -> bool:
    """Whether `path` is an assembly tarball inside an installed `_jsii` package (not a temporary copy)."""
    tarball = Path(path)
    return tarball.parent.name == "_jsii" and (tarball.parent / "__init__.py").is_file() and tarball.is_file()


class AsyncLoads:
    """A mixin for jsii's `_NodeProcess`: `load` requests are written at once, their answers read later."""

    _owed_loads: deque | None = None

    def send(self, request, response_type):
        from jsii._kernel.types import LoadRequest

        if isinstance(request, LoadRequest) and enabled() and is_installed_tarball(request.tarball):
            self._write_request(request)
            if self._owed_loads is None:
                self._owed_loads = deque()
            self._owed_loads.append(request)
            return None  # Kernel.load, the only caller, discards the answer
        if self._owed_loads:
            self.collect_owed_loads()
        return super().send(request, response_type)

    def _write_request(self, request) -> None:
        """Write `request` the way jsii's `send` does, without reading the answer."""
        from jsii._kernel.providers.process import jdefault

        data = json.dumps(self._serializer.unstructure(request), default=jdefault).encode("utf8")
        self._process.stdin.write(b"%b\n" % (data,))
        self._process.stdin.flush()

    def settle_owed_loads(self) -> None:
        """Wait for every load still owed, whatever its outcome: called before the kernel is stopped.

        A program that imports a binding package and exits at once would
        otherwise tell the kernel to exit, and close its channel, while the
        kernel is still loading: its answer then fails with EPIPE, and Node.js
        prints the error with a line of the (minified) kernel to stderr.
        """
        from jsii.errors import JSIIError

        while self._owed_loads:
            try:
                self.collect_owed_loads()
            except (JSIIError, RuntimeError):
                continue  # a failed load: there is no caller left to tell
            except (OSError, ValueError):
                self._owed_loads.clear()  # the kernel is gone
                return

    def collect_owed_loads(self) -> None:
        """Read the answers of the loads sent so far, in order; a failed load raises jsii's error."""
        from jsii._kernel.providers import process
        from jsii.errors import JavaScriptError, JSIIError

        while self._owed_loads:
            request = self._owed_loads.popleft()
            response = self._serializer.structure(self._next_message(), process._ProcessResponse)
            if isinstance(response, process._ErrorResponse):
                message = f"loading assembly {request.name}@{request.version} failed: {response.error}"
                error_type = JSIIError if response.name == process.ErrorType.JSII_FAULT.value else RuntimeError
                raise error_type(message) from JavaScriptError(response.stack)
