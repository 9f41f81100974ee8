"""Start the jsii kernel without its relay process, and before Python needs it.

Saves: the direct kernel 1.5× (1.4–1.9×) and about 89 MB, the early kernel
1.1× (alternating runs, one environment and all), of a synth of every shipped
environment (2026-12-07). Depends on: jsii embedding `lib/program.js`, which
opens its channel on descriptor 3, and its `_NodeProcess` start/stop/handshake.

jsii starts `node bin/jsii-runtime.js`, only a relay: it spawns the real
kernel, `lib/program.js`, which speaks the jsii protocol on descriptor 3, and
copies every request and answer between the two (about 1,400 round trips a
synth, two extra hops each; the relay holds about 50 MB and unpacks its
scripts anew on every start). The direct kernel starts `program.js` itself,
with one end of a socket pair as its descriptor 3 and our stdout and stderr,
from a copy of the runtime unpacked once per jsii version into the user's
cache folder, carrying the patches of program_patches.py that fit it; its
process sends claimed creates and reads without waiting (owed_answers.py).
It falls back to jsii's own start-up when the layout is not the one it knows,
when JSII_RUNTIME names another runtime, or when the cache folder cannot be
written. GPULAB_DIRECT_KERNEL=off turns it off.

`spawn_kernel_early()` spawns that kernel before Python has imported jsii
(the command does so before it even imports its own modules) and writes it
the loads of the constructs and cdktf assemblies at once, so Node.js boots and
loads them on the other core while Python imports; `start_kernel_early()` then
imports cdktf on a background thread while the main thread reads the
environment files. GPULAB_EARLY_KERNEL=off turns both off.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import platform
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

from gpulab.speed import async_creates, claimed_tokens
from gpulab.speed.import_hook import ModuleImportHook, hook_import
from gpulab.speed.owed_answers import OwedAnswers, jsii_error
from gpulab.speed.program_patches import (
    APPLIED_FILE,
    CLAIMED_OBJECT_IDS,
    CLAIMED_TOKENS,
    applied_patches,
    patch_program,
)
from gpulab.speed.switches import DIRECT_KERNEL, EARLY_KERNEL, switched_on
from gpulab.user_cache import gpulab_cache

DIRECT_SWITCH = DIRECT_KERNEL
EARLY_SWITCH = EARLY_KERNEL
PROGRAM = Path("lib") / "program.js"
CHANNEL_CONTRACT = "readFD:3,writeFD:3"  # how program.js opens its jsii channel
KERNEL_FD = 3
# Answers the kernel writes wait in its channel until Python reads them (owed_answers.py): a socket
# pair holds about 450 small ones on Linux by default, but only 8 KB on macOS.
CHANNEL_BUFFER_BYTES = 1 << 20
NODE_FLAGS = ("--max-old-space-size=4069", "--preserve-symlinks")  # what the relay gives its kernel
JSII_PROCESS_MODULE = "jsii._kernel.providers.process"
RUNTIME_COPY_VERSION = "gpulab-7"  # part of the copy's folder name; bump it when the patches change (1: none)
STARTUP_ASSEMBLIES = ("constructs", "cdktf")  # what jsii loads first for any synth, in its order
# How a binding package's `_jsii/__init__.py` loads its assembly: name, version, tarball file name.
ASSEMBLY_LOAD = re.compile(r'JSIIAssembly\.load\(\s*"([^"]+)",\s*"([^"]+)",\s*__name__\[0:-6\],\s*"([^"]+)"')


def _embedded_runtime() -> tuple[Path, str] | None:
    """jsii's embedded runtime folder and runtime version, found without importing jsii."""
    spec = importlib.util.find_spec("jsii")
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    try:
        version = json.loads((package / "_metadata.json").read_text(encoding="utf-8"))["jsii-runtime"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return package / "_embedded" / "jsii", str(version)


def unpack_runtime(embedded: Path, version: str) -> Path | None:
    """The folder holding jsii's runtime scripts, unpacked once per runtime version.

    jsii embeds `lib/program.js` as `lib__program.js`, and so on. Unpacks into
    a temporary sibling, applies the patches that fit (program_patches.py)
    and records which, and renames it into place, so a concurrent start never
    sees half a runtime. None when the layout is unknown (no program.js that
    opens its channel on descriptor 3) or the cache folder cannot be written.
    """
    target = gpulab_cache() / f"jsii-runtime-{version}-{RUNTIME_COPY_VERSION}"
    if (target / PROGRAM).is_file():
        return target  # checked before it was put in place
    staging = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        for script in embedded.glob("*__*.js*"):
            destination = staging / script.name.replace("__", os.sep, 1)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(script, destination)
        program = (staging / PROGRAM).read_text(encoding="utf-8")
        if CHANNEL_CONTRACT not in program:
            return None
        patched, applied = patch_program(program)
        (staging / PROGRAM).write_text(patched, encoding="utf-8")
        (staging / PROGRAM).with_name(APPLIED_FILE).write_text(json.dumps(applied), encoding="utf-8")
        os.rename(staging, target)
        staging = None
    except OSError:
        if not (target / PROGRAM).is_file():  # unless another process got there first
            return None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def direct_kernel_program() -> Path | None:
    """The program.js to start directly, or None when the direct kernel is off or cannot be used."""
    if not switched_on(DIRECT_SWITCH) or "JSII_RUNTIME" in os.environ:
        return None
    embedded = _embedded_runtime()
    if embedded is None:
        return None
    runtime = unpack_runtime(*embedded)
    return runtime / PROGRAM if runtime else None


_preloads: list[Path] = []  # scripts every kernel started from now on requires (preload_into_kernels)
_variables: dict[str, str] = {}  # environment variables for those kernels only (set_kernel_variable)
_direct_allowed = False  # whether install_kernel_start was asked for direct kernels
_start_installed = False


def preload_into_kernels(script: Path) -> None:
    """Have every jsii kernel started from now on `--require` `script`; this process's NODE_OPTIONS stays as it is."""
    if script not in _preloads:
        _preloads.append(script)


def set_kernel_variable(name: str, value: str) -> None:
    """Set environment variable `name` for the kernels started from now on, and for them only."""
    _variables[name] = value


def kernel_variables(environ: Mapping[str, str]) -> dict[str, str]:
    """What a kernel's environment adds to `environ`: the preloads in NODE_OPTIONS (paths quoted), the variables."""
    added = dict(_variables)
    if _preloads:
        requires = " ".join(f'--require "{script}"' for script in _preloads)
        added["NODE_OPTIONS"] = f"{environ.get('NODE_OPTIONS', '')} {requires}".strip()
    return added


def kernel_environment() -> dict[str, str]:
    """This process's environment with the kernel's own additions and jsii's agent name."""
    return {**os.environ, "JSII_AGENT": f"Python/{platform.python_version()}", **kernel_variables(os.environ)}


@contextlib.contextmanager
def _kernel_variables_set():
    """os.environ with the kernel's additions while jsii's own start-up copies it, then as it was."""
    added = kernel_variables(os.environ)
    saved = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _widen(channel: socket.socket) -> None:
    """Ask for CHANNEL_BUFFER_BYTES each way; where the system refuses, its default stays (MOST_OWED fits in 8 KB)."""
    for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
        try:
            channel.setsockopt(socket.SOL_SOCKET, option, CHANNEL_BUFFER_BYTES)
        except OSError:
            pass


def assembly_load_request(package: str) -> dict | None:
    """The `load` request jsii sends when binding package `package` is imported, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "_jsii"
    try:
        found = ASSEMBLY_LOAD.search((folder / "__init__.py").read_text(encoding="utf-8"))
    except OSError:
        return None
    if found is None or not (folder / found[3]).is_file():
        return None
    return {"api": "load", "name": found[1], "version": found[2], "tarball": str(folder / found[3])}


class OwedLoad:
    """An assembly load written when the kernel was spawned, before jsii asked for it; an error answer raises."""

    expected_line = None  # any answer but an error: it counts the assembly's types

    def __init__(self, name: str) -> None:
        self.name = name

    def accept(self, answer) -> None:
        pass

    def failure(self, error: str, name: str, stack: str) -> Exception:
        return jsii_error(error, name, stack, note=f"gpulab: raised for loading {self.name} at the kernel's start")


class KernelExited(RuntimeError):
    """The kernel closed its channel before it answered: Node.js exited (saying why on stderr) or crashed."""


class _AnswerStream:
    """The channel as jsii reads its answers, where the end of the stream raises KernelExited.

    jsii would hand the empty line to `json.loads`, so a kernel that cannot
    start (a NODE_OPTIONS flag Node.js refuses, a JSII_NODE that is not
    Node.js) or dies surfaced as a JSONDecodeError deep in a traceback. While
    no answer has arrived, it does the work of `work_while_waiting`, one step
    at a time, with `working` set (owed_answers.py refuses requests then).
    """

    def __init__(self, channel: socket.socket, child: KernelChild) -> None:
        self._channel = channel
        self._child = child
        self._buffer = bytearray()
        self.closed = self.working = False

    def readline(self) -> bytes:
        while (end := self._buffer.find(b"\n")) < 0:
            self._work_until_readable()
            try:
                chunk = self._channel.recv(1 << 16)
            except ConnectionResetError:  # it exited without reading what was written to it
                chunk = b""
            if not chunk:
                raise KernelExited(self._child.exit_description())
            self._buffer += chunk
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line

    def _work_until_readable(self) -> None:
        while _work_while_waiting is not None and not select.select([self._channel], [], [], 0)[0]:
            self.working = True
            try:
                if not _work_while_waiting():
                    return
            finally:
                self.working = False

    def close(self) -> None:
        self.closed = True


_work_while_waiting: Callable[[], bool] | None = None


def work_while_waiting(step: Callable[[], bool] | None) -> None:
    """Have direct kernels' channels call `step` while no answer has arrived, until it returns False."""
    global _work_while_waiting
    _work_while_waiting = step


class KernelChild:
    """A kernel process and its channel, which `stdin`/`stdout` reach like a Popen's pipes."""

    def __init__(self, program: Path) -> None:
        env = kernel_environment()
        node = env.get("JSII_NODE", "node")
        ours, theirs = socket.socketpair()
        for end in (ours, theirs):
            _widen(end)
        try:
            with open(os.devnull, "rb") as devnull:
                self.pid = os.posix_spawnp(
                    node,
                    [node, *NODE_FLAGS, str(program)],
                    env,
                    file_actions=[
                        (os.POSIX_SPAWN_DUP2, devnull.fileno(), 0),
                        (os.POSIX_SPAWN_DUP2, theirs.fileno(), KERNEL_FD),
                    ],
                )
        finally:
            theirs.close()
        self.program = program
        self._socket = ours
        self.stdin = ours.makefile("wb")
        self.stdout = _AnswerStream(ours, self)
        self.returncode: int | None = None
        self.owed: list[OwedLoad] = []  # written before jsii adopted this kernel (load_ahead)

    def load_ahead(self, packages: tuple[str, ...]) -> None:
        """Write the kernel the loads of these binding packages' assemblies, in order, for it to run once booted.

        jsii's own load of each later finds it loaded and is answered at once.
        Stops at a package that is not installed (the next may require it).
        """
        for package in packages:
            request = assembly_load_request(package)
            if request is None:
                break
            self.stdin.write(json.dumps(request).encode() + b"\n")
            self.owed.append(OwedLoad(request["name"]))
        with contextlib.suppress(OSError):  # a kernel already gone: the handshake says how it ended
            self.stdin.flush()

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.002)
        return self.returncode

    def exit_description(self) -> str:
        """How the kernel ended, for KernelExited: its exit status once it has exited."""
        try:
            code = self.wait(1)
        except subprocess.TimeoutExpired:
            return f"the jsii kernel (Node.js, process {self.pid}) closed its channel before it answered"
        return f"the jsii kernel (Node.js) exited with status {code} before it answered"

    def stop(self) -> None:
        """Ask the kernel to exit, make sure it has, then close the channel.

        Closed first, a kernel still booting or answering the loads written
        at its spawn would fail writing to it (and print why).
        """
        with contextlib.suppress(OSError):  # the kernel is gone already
            if not self.stdin.closed:
                self.stdin.write(b'{"exit":0}\n')
                self.stdin.flush()
        try:
            self.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, 15)
            self.wait(5)
        finally:
            for stream in (self.stdin, self.stdout, self._socket):
                with contextlib.suppress(OSError):  # what is left unwritten to a kernel that is gone stays so
                    stream.close()


_spare: KernelChild | None = None  # spawned by spawn_kernel_early, adopted by jsii's first kernel
_spare_failure: KernelExited | None = None  # how the adopted spare ended before its handshake: raised once more


def _take_spare() -> KernelChild | None:
    global _spare
    spare, _spare = _spare, None
    if spare is not None:
        atexit.unregister(spare.stop)
    return spare


def _direct_process_class(stock: type) -> type:
    """A subclass of jsii's `_NodeProcess` that starts (or adopts) a direct kernel."""

    class DirectKernelProcess(OwedAnswers, stock):
        """jsii's kernel process without the relay, sending loads and creates ahead (owed_answers.py)."""

        _gpulab_start = True

        def start(self) -> None:
            """Adopt the spare kernel or start one, then shake hands.

            When the spare exits before its handshake (the background import
            of cdktf adopted it), the next start raises the same error rather
            than start a kernel that fails the same way and says so again.
            """
            global _spare_failure
            child = adopted = _take_spare()
            if child is None:
                if _spare_failure is not None:
                    failure, _spare_failure = _spare_failure, None
                    raise failure
                program = direct_kernel_program() if _direct_allowed else None
                if program is None:
                    with _kernel_variables_set():
                        return super().start()
                child = KernelChild(program)
            self._process = child
            self._direct, self._stopped = True, False
            patches = applied_patches(child.program)
            if async_creates.enabled() and CLAIMED_OBJECT_IDS.name in patches:
                self.object_ids = async_creates.ObjectIdClaims()
                if claimed_tokens.enabled() and CLAIMED_TOKENS.name in patches:
                    self.token_claims = claimed_tokens.TokenClaims(self.object_ids)
            atexit.register(self._stop_at_exit)
            try:
                self.handshake()
            except KernelExited as failure:
                if adopted is not None:
                    _spare_failure = failure
                raise
            if child.owed:
                self._owed = deque(child.owed)

        def stop(self) -> None:
            """Stop the kernel once every answer owed is in; an error among them is raised after the stop."""
            failure = self.settle_owed_answers()
            if not getattr(self, "_direct", False):
                super().stop()
            elif not self._stopped:
                self._stopped = True
                atexit.unregister(self._stop_at_exit)
                self._process.stop()
            if failure is not None:
                raise failure

        def _stop_at_exit(self) -> None:
            """At interpreter exit: an error the program never waited for fails the exit, with its message.

            Exceptions in exit handlers only print, and the exit status stays
            0; a construct error answered for a request sent ahead would be
            lost. So it is printed as Python prints an uncaught error, and the
            process exits with status 1.
            """
            try:
                self.stop()
            except Exception as failure:  # noqa: BLE001 - every error the kernel answered is reported
                report_lost_error(failure)

    return DirectKernelProcess


def report_lost_error(failure: BaseException) -> None:
    """Print `failure` as an uncaught error and end the process with status 1 (from an exit handler)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    kind = type(failure)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    message = f"{name}: {failure}"
    note = (
        "(raised by a request gpulab sent ahead without waiting; GPULAB_ASYNC_CREATES=off raises it where it was made)"
    )
    with contextlib.suppress(Exception):
        sys.stderr.write(f"{message}\n{note}\n")
        sys.stderr.flush()
    os._exit(1)


def _install_direct_kernel(jsii_process) -> None:
    stock = getattr(jsii_process, "_NodeProcess", None)
    if getattr(stock, "_gpulab_start", False):
        return  # installed already
    if stock is not None and all(hasattr(stock, method) for method in ("start", "stop", "handshake")):
        jsii_process._NodeProcess = _direct_process_class(stock)


def install_kernel_start(*, direct: bool) -> None:
    """Have jsii start its kernels through gpulab: directly (`direct`, and switched on) or its own way, and
    either way with the kernel's own environment (preloads, variables).

    jsii is patched when it is imported (at once if it already is), so
    `gpulab validate`, which never starts a kernel, does not pay for
    importing jsii. Only kernels started after the patch are affected.
    """
    global _direct_allowed, _start_installed
    _direct_allowed = _direct_allowed or direct
    if _start_installed:
        return
    _start_installed = True
    if JSII_PROCESS_MODULE in sys.modules:
        _install_direct_kernel(sys.modules[JSII_PROCESS_MODULE])
    else:
        hook_import(ModuleImportHook(JSII_PROCESS_MODULE, after=_install_direct_kernel))


def enable_direct_kernel() -> bool:
    """Make jsii start its kernels without the relay; False when switched off (then jsii's own start-up, with
    the kernel's environment)."""
    direct = switched_on(DIRECT_SWITCH)
    install_kernel_start(direct=direct)
    return direct


_early: threading.Thread | None = None


def spawn_kernel_early() -> bool:
    """Spawn the direct kernel now, for jsii's first kernel to adopt; whether one is waiting.

    Node.js takes 0.1–0.2 s here to boot and load jsii's program, and as
    long again to load the constructs and cdktf assemblies, which it is
    asked to at once; spawned before slow imports, it does so on the other
    core meanwhile. Nothing when switched off, when jsii's own start-up is in
    use, or once cdktf is imported; the kernel is stopped at exit if nothing
    adopts it.
    """
    global _spare
    if _spare is None and _early is None and switched_on(EARLY_SWITCH) and "cdktf" not in sys.modules:
        program = direct_kernel_program()
        if program is not None:
            _spare = KernelChild(program)
            atexit.register(_spare.stop)
            _spare.load_ahead(STARTUP_ASSEMBLIES)
    return _spare is not None


def start_kernel_early() -> bool:
    """Spawn the kernel (unless spawn_kernel_early did) and import cdktf on a background thread.

    The kernel loads the assemblies while Python imports jsii and reads the
    environments; jsii adopts it when it starts its first kernel. A
    main-thread `import cdktf` waits for the background one (the import
    lock), so nothing talks to the kernel from two threads at once. The
    thread is not a daemon: the interpreter waits for it before it exits and
    stops the kernel. An import that fails here fails again, with its real
    error, on the main thread. False when switched off.
    """
    global _early
    if _early is not None or not switched_on(EARLY_SWITCH) or "cdktf" in sys.modules:
        return _early is not None
    spawn_kernel_early()

    def import_cdktf() -> None:
        try:
            import cdktf  # noqa: F401
        except Exception:  # noqa: BLE001 - reported by the main thread's own import
            pass

    _early = threading.Thread(target=import_cdktf, name="gpulab-early-kernel")
    _early.start()
    return True
