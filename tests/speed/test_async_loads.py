"""Async loads: assembly `load` requests are answered later, in order, and a failed load still fails."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from gpulab.speed.async_loads import is_installed_tarball
from tests.speed.binding_probe import probe_lines

# Imports cdktf (loading the constructs and cdktf assemblies), then makes a request that waits for its answer.
PROBE = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf
    from jsii._runtime import kernel
    process = kernel.provider._process
    print("owed after import", len(process._owed or ()))
    cdktf.App(outdir=sys.argv[1]).outdir
    print("owed after a request", len(process._owed or ()))
    """
)

# Loads a damaged tarball that sits in an installed-looking `_jsii` package, then makes one request.
FAILING_PROBE = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf
    from jsii._runtime import kernel
    try:
        print("load returned", kernel.load("@example/broken", "1.0.0", sys.argv[2]))
        cdktf.App(outdir=sys.argv[1]).outdir
    except Exception as error:
        print(type(error).__name__, str(error).splitlines()[0])
    """
)


def test_loads_are_answered_before_the_next_request(tmp_path):
    assert probe_lines(PROBE, str(tmp_path / "out")) == ["owed after import 2", "owed after a request 0"]


def test_switched_off_every_load_waits_for_its_answer(tmp_path):
    lines = probe_lines(PROBE, str(tmp_path / "out"), GPULAB_ASYNC_LOADS="off")
    assert lines == ["owed after import 0", "owed after a request 0"]


def test_a_failed_load_fails_the_next_request_and_names_the_assembly(tmp_path):
    package = tmp_path / "broken" / "_jsii"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "broken@1.0.0.jsii.tgz").write_bytes(b"not a tarball")
    arguments = (str(tmp_path / "out"), str(package / "broken@1.0.0.jsii.tgz"))
    kernel_error = "TAR_BAD_ARCHIVE: Unrecognized archive format"
    assert probe_lines(FAILING_PROBE, *arguments) == [
        "load returned None",
        f"RuntimeError loading assembly @example/broken@1.0.0 failed: {kernel_error}",
    ]
    assert probe_lines(FAILING_PROBE, *arguments, GPULAB_ASYNC_LOADS="off") == [f"RuntimeError {kernel_error}"]


def test_only_tarballs_of_installed_packages_are_loaded_asynchronously(tmp_path):
    package = tmp_path / "pkg" / "_jsii"
    package.mkdir(parents=True)
    (package / "pkg@1.0.0.jsii.tgz").write_bytes(b"")
    assert not is_installed_tarball(str(package / "pkg@1.0.0.jsii.tgz"))  # no __init__.py: not a package
    (package / "__init__.py").write_text("")
    assert is_installed_tarball(str(package / "pkg@1.0.0.jsii.tgz"))
    temporary_copy = tmp_path / "tmpa1b2c3pkg@1.0.0.jsii.tgz"  # what importlib.resources.as_file makes for a zip
    temporary_copy.write_bytes(b"")
    assert not is_installed_tarball(str(temporary_copy))
    assert not is_installed_tarball(str(Path(package / "missing.tgz")))


def test_exiting_right_after_the_imports_waits_for_the_loads(tmp_path):
    """The kernel is stopped only once it has answered every load: no EPIPE dump on stderr, no failed exit.

    An empty jsii package cache makes the kernel unpack cdktf, so the loads are still running at exit.
    """
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading(); import cdktf",
        ],
        env={**os.environ, "JSII_RUNTIME_PACKAGE_CACHE_ROOT": str(tmp_path / "package-cache")},
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert list((tmp_path / "package-cache").iterdir()), "the kernel unpacked the assemblies before it stopped"
