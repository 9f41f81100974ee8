"""Run jsii binding modules with their annotations left as strings, from a bytecode cache.

Saves: 1.1× (1.1–1.4×) of a synth of every shipped environment (benchmark
`speedups` section, 2026-12-07). Depends on: binding modules loaded by
plain source-file loaders.

Python evaluates every annotation of a binding module's hundreds of methods
(`typing.Optional[typing.Union[builtins.bool, IResolvable]]`) when each `def`
runs: 21 ms of the 25 ms of importing google's compute_instance. Only jsii's
argument checks read them, through `typing.get_type_hints`, which evaluates
string annotations just the same. So binding modules are compiled as if they
began with `from __future__ import annotations` (in the `gpulab` command
without their argument checks, skip_type_checks.py). Compiling takes longer
than importing (176 ms), so the code is cached in the user's cache folder,
keyed by the source's path, size and modification time, the Python version
and the optimization level, written atomically, and grouped by the `sys.path` folder it
came from: a run that starts a group removes those whose folder is gone, so
deleted virtualenvs leave nothing behind (about 14 MB each). A module that
cannot be read or compiled this way, and every module a provider package's
root `__init__` imports (bindings.py; compiling all 2,200 made a first run
take 222 s of CPU), is imported the ordinary way.
GPULAB_LAZY_ANNOTATIONS=off turns this off.
"""

import __future__

import contextlib
import hashlib
import importlib.util
import marshal
import os
import shutil
import sys
from pathlib import Path
from types import CodeType

from gpulab.speed import skip_type_checks
from gpulab.speed.switches import LAZY_ANNOTATIONS, switched_on
from gpulab.user_cache import gpulab_cache, write_atomically

SWITCH = LAZY_ANNOTATIONS
FLAGS = __future__.annotations.compiler_flag
_HEADER = importlib.util.MAGIC_NUMBER + b"gpulab-lazy-annotations-1\n"


def enabled() -> bool:
    return switched_on(SWITCH)


def cache_dir() -> Path:
    return gpulab_cache() / "lazy-annotations" / sys.implementation.cache_tag


def import_root(source: Path, module_name: str) -> Path:
    """The folder on `sys.path` that module `module_name`, run from `source`, was found in."""
    depth = module_name.count(".") + (source.name == "__init__.py")
    parents = source.parents
    return parents[min(depth, len(parents) - 1)]


def group_dir(root: Path) -> Path:
    """Where the code of the modules found in `root` is cached."""
    return cache_dir() / hashlib.sha256(os.fsencode(root)).hexdigest()[:16]


def _cache_file(group: Path, source: Path, optimize: int) -> Path:
    digest = hashlib.sha256(os.fsencode(source)).hexdigest()[:32]
    return group / f"{digest}.opt-{optimize}.pyc"


def _fingerprint(source: Path) -> bytes | None:
    try:
        stat = source.stat()
    except OSError:
        return None
    return _HEADER + f"{stat.st_size} {stat.st_mtime_ns} {source}\n".encode()


def lazy_annotation_code(loader: object, module_name: str) -> CodeType | None:
    """Module `module_name`'s code with string annotations, or None when its loader is not a plain source loader."""
    get_filename = getattr(loader, "get_filename", None)
    get_data = getattr(loader, "get_data", None)
    if get_filename is None or get_data is None:
        return None
    source = Path(get_filename())
    if source.suffix != ".py":
        return None
    fingerprint = _fingerprint(source)
    if fingerprint is None:
        return None
    optimize = skip_type_checks.optimization_level()
    root = import_root(source, module_name)
    cache_file = _cache_file(group_dir(root), source, optimize)
    cached = _read_cache(cache_file, fingerprint)
    if cached is not None:
        return cached
    try:
        code = compile(get_data(str(source)), str(source), "exec", flags=FLAGS, dont_inherit=True, optimize=optimize)
    except (OSError, SyntaxError, ValueError):
        return None
    if _open_group(cache_file.parent, root):
        write_atomically(cache_file, fingerprint + marshal.dumps(code))
    return code


def _read_cache(path: Path, fingerprint: bytes) -> CodeType | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(fingerprint):
        return None
    try:
        code = marshal.loads(memoryview(data)[len(fingerprint) :])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


ROOT_FILE = "root"  # in each group: the import root whose modules it holds


def _open_group(group: Path, root: Path) -> bool:
    """Make sure `group` exists and names `root`; whoever creates a group prunes the others first.

    False when the cache cannot be written, which only costs the next run a compile.
    """
    if group.is_dir():
        return True
    prune_removed_roots(group.parent)
    return write_atomically(group / ROOT_FILE, os.fsencode(root))


def prune_removed_roots(cache: Path) -> None:
    """Remove the groups whose import root no longer exists, and entries of the ungrouped layout before.

    A group without a root file is left alone: another process may have just
    created it. Called only when a new import root is first seen, so a
    warm run never lists the cache.
    """
    try:
        entries = list(os.scandir(cache))
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.endswith(".pyc") and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                path.unlink()
        elif entry.is_dir(follow_symlinks=False):
            try:
                root = Path(os.fsdecode((path / ROOT_FILE).read_bytes()))
            except OSError:
                continue
            if not root.exists():
                shutil.rmtree(path, ignore_errors=True)
