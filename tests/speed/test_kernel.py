"""The direct kernel: program.js without jsii's relay, unpacked once, and jsii's own start-up as fallback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gpulab.speed import kernel
from gpulab.speed.program_patches import PATCHES, applied_patches
from tests.conftest import REPO
from tests.trees import write_earlier_output


def _embedded(root: Path, program: str) -> Path:
    """A jsii `_embedded/jsii` folder holding the given program.js and a relay."""
    root.mkdir(parents=True)
    (root / "lib__program.js").write_text(program)
    (root / "bin__jsii-runtime.js").write_text("// relay\n")
    (root / "__init__.py").write_text("")
    return root


def test_the_runtime_is_unpacked_once_into_the_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    embedded = _embedded(tmp_path / "embedded", "new SyncStdio({errorFD:2,readFD:3,writeFD:3})\n")

    runtime = kernel.unpack_runtime(embedded, "9.9.9")

    assert runtime == tmp_path / "cache" / "gpulab" / f"jsii-runtime-9.9.9-{kernel.RUNTIME_COPY_VERSION}"
    assert sorted(str(p.relative_to(runtime)) for p in runtime.rglob("*.js")) == [
        "bin/jsii-runtime.js",
        "lib/program.js",
    ]
    (embedded / "lib__program.js").write_text("changed, but the version is the same\n")
    assert kernel.unpack_runtime(embedded, "9.9.9") == runtime
    assert "readFD:3" in (runtime / "lib" / "program.js").read_text()


def test_the_copy_of_the_pinned_jsii_holds_every_patch_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    embedded = kernel._embedded_runtime()
    assert embedded is not None, "jsii's embedded runtime is missing"

    program_file = kernel.unpack_runtime(*embedded) / "lib" / "program.js"
    program = program_file.read_text()

    assert applied_patches(program_file) == {patch.name for patch in PATCHES}
    for patch in PATCHES:
        for original, patched in patch.replacements:
            assert original in (embedded[0] / "lib__program.js").read_text()  # the pinned jsii's
            # the original text is gone, but for where the patched text keeps it
            assert (program.count(patched), program.count(original)) == (1, patched.count(original)), patch.name


def test_a_program_the_patches_do_not_fit_is_copied_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = "readFD:3,writeFD:3;p.digestFile=function digestFile(a,...b){return other(a)}\n"
    embedded = _embedded(tmp_path / "embedded", source)
    program_file = kernel.unpack_runtime(embedded, "9.9.9") / "lib" / "program.js"
    assert program_file.read_text() == source
    assert applied_patches(program_file) == frozenset()


def test_a_program_that_does_not_talk_on_descriptor_3_is_not_started_directly(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    embedded = _embedded(tmp_path / "embedded", "new SyncStdio({errorFD:2,readFD:0,writeFD:1})\n")
    assert kernel.unpack_runtime(embedded, "9.9.9") is None


def test_an_unwritable_cache_folder_means_the_ordinary_start(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    embedded = _embedded(tmp_path / "embedded", "readFD:3,writeFD:3")
    assert kernel.unpack_runtime(embedded, "9.9.9") is None


@pytest.mark.parametrize("setting", [{"GPULAB_DIRECT_KERNEL": "off"}, {"JSII_RUNTIME": "/custom/jsii-runtime.js"}])
def test_switched_off_or_a_custom_runtime_means_the_ordinary_start(monkeypatch, setting):
    for key, value in setting.items():
        monkeypatch.setenv(key, value)
    assert kernel.direct_kernel_program() is None


# Logs the script each Node.js process runs (its last argument), then runs it.
NODE_LOGGER = """#!/bin/sh
echo "$$ $(basename "$(dirname "$(eval echo \\${$#})")")/$(basename "$(eval echo \\${$#})")" >> "{log}"
exec node "$@"
"""

SYNTH_ONE_OUTPUT = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    from cdktf import App, TerraformOutput, TerraformStack
    app = App(outdir=sys.argv[1])
    TerraformOutput(TerraformStack(app, "probe"), "answer", value="42")
    app.synth()
    """
)


def _node_logger(tmp_path: Path) -> tuple[Path, Path]:
    """A `node` wrapper for JSII_NODE that logs the script each start runs (NODE_LOGGER), and that log."""
    log = tmp_path / "node.log"
    wrapper = tmp_path / "node"
    wrapper.write_text(NODE_LOGGER.replace("{log}", str(log)))
    wrapper.chmod(0o755)
    return wrapper, log


@pytest.mark.parametrize(
    ("setting", "scripts"),
    [({}, ["lib/program.js"]), ({"GPULAB_DIRECT_KERNEL": "off"}, ["bin/jsii-runtime.js"])],
)
def test_jsii_node_starts_the_kernel_itself_not_the_relay(tmp_path, setting, scripts):
    """JSII_NODE starts the first process only: the relay spawns program.js with its own node binary."""
    wrapper, log = _node_logger(tmp_path)
    env = {**os.environ, "JSII_NODE": str(wrapper), **setting}
    subprocess.run([sys.executable, "-c", SYNTH_ONE_OUTPUT, str(tmp_path / "out")], env=env, check=True, cwd=tmp_path)

    started = [line.split()[1] for line in log.read_text().splitlines()]
    assert sorted(started) == scripts
    stack = (tmp_path / "out" / "stacks" / "probe" / "cdk.tf.json").read_text()
    assert '"value": "42"' in stack


SPAWN_EARLY_THEN_SYNTH = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    from gpulab.speed import kernel
    spawned = [kernel.spawn_kernel_early(), kernel.spawn_kernel_early()]
    loads_ahead = [owed.name for owed in kernel._spare.owed] if kernel._spare else []
    started = kernel.start_kernel_early()
    from cdktf import App, TerraformOutput, TerraformStack
    app = App(outdir=sys.argv[1])
    TerraformOutput(TerraformStack(app, "probe"), "answer", value="42")
    app.synth()
    print(spawned, started, loads_ahead)
    """
)


@pytest.mark.parametrize(
    ("setting", "printed"),
    [
        ({}, "[True, True] True ['constructs', 'cdktf']"),
        ({"GPULAB_EARLY_KERNEL": "off"}, "[False, False] False []"),
    ],
)
def test_a_kernel_spawned_early_is_the_one_jsii_adopts(tmp_path, setting, printed):
    """Spawned once however often asked, before cdktf is imported, loading cdktf at once; the synth runs on it."""
    wrapper, log = _node_logger(tmp_path)
    env = {**os.environ, "JSII_NODE": str(wrapper), **setting}
    result = subprocess.run(
        [sys.executable, "-c", SPAWN_EARLY_THEN_SYNTH, str(tmp_path / "out")],
        env=env,
        check=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert result.stdout.strip() == printed
    started = [line.split()[1] for line in log.read_text().splitlines()]
    assert started == ["lib/program.js"], "one kernel: the one spawned early, or jsii's own when switched off"
    assert '"value": "42"' in (tmp_path / "out" / "stacks" / "probe" / "cdk.tf.json").read_text()


def test_the_loads_written_at_spawn_are_the_ones_jsii_sends():
    from importlib.metadata import version

    request = kernel.assembly_load_request("cdktf")
    assert {key: request[key] for key in ("api", "name", "version")} == {
        "api": "load",
        "name": "cdktf",
        "version": version("cdktf"),
    }
    assert Path(request["tarball"]).is_file() and kernel.assembly_load_request("gpulab") is None


def test_an_error_answered_to_a_load_written_at_spawn_names_it():
    failure = kernel.OwedLoad("cdktf").failure("bad tarball", "@jsii/kernel.Fault", "")
    assert str(failure) == "bad tarball" and "loading cdktf at the kernel's start" in str(failure.__notes__)


BOOT_FOR_ARGV = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_cli_speedups; enable_cli_speedups()
    from gpulab import cli
    from gpulab.speed import kernel
    cli._boot_kernel_for(sys.argv[1:])
    print(kernel._spare is not None and "cdktf" not in sys.modules)
    """
)


@pytest.mark.parametrize(
    ("argv", "boots"), [([], True), (["synth", "tiny"], True), (["validate"], False), (["synth", "--help"], False)]
)
def test_the_command_boots_the_kernel_before_its_imports_only_to_synthesize(argv, boots):
    result = subprocess.run(
        [sys.executable, "-c", BOOT_FOR_ARGV, *argv], cwd=REPO, check=True, capture_output=True, text=True
    )
    assert result.stdout.strip() == str(boots)


LINUX_SOCKET_CAPS = {
    socket.SO_SNDBUF: Path("/proc/sys/net/core/wmem_max"),
    socket.SO_RCVBUF: Path("/proc/sys/net/core/rmem_max"),
}


@pytest.mark.skipif(
    not LINUX_SOCKET_CAPS[socket.SO_SNDBUF].exists(), reason="reads Linux's socket buffer caps in /proc"
)
def test_the_kernel_channel_asks_for_buffers_that_hold_the_answers_owed():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        defaults = {option: ours.getsockopt(socket.SOL_SOCKET, option) for option in LINUX_SOCKET_CAPS}
        kernel._widen(ours)
        for option, cap in LINUX_SOCKET_CAPS.items():
            wanted = min(kernel.CHANNEL_BUFFER_BYTES, int(cap.read_text()))
            assert ours.getsockopt(socket.SOL_SOCKET, option) >= max(wanted, defaults[option])


def test_bad_input_with_an_early_kernel_exits_2_and_leaves_no_kernel_behind(tmp_path):
    wrapper, log = _node_logger(tmp_path)
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "broken.yaml").write_text("cloud: moon\n")
    env = {**os.environ, "JSII_NODE": str(wrapper)}
    result = subprocess.run(
        [sys.executable, "main.py", "synth", "--env-dir", str(tmp_path / "envs"), "--out", str(tmp_path / "out")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 2, result.stderr
    assert "broken.yaml" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    pids = [int(line.split()[0]) for line in log.read_text().splitlines()]
    assert pids, "the early kernel was started"
    time.sleep(0.2)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists() and _is_running(pid)]


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("early", ["on", "off"])
@pytest.mark.parametrize(
    ("setting", "says", "status"),
    [
        ({"NODE_OPTIONS": "--no-opt"}, "node: --no-opt is not allowed in NODE_OPTIONS", 9),
        ({"JSII_NODE": "not-node"}, "not node.js", 3),
    ],
)
def test_a_kernel_that_cannot_start_is_a_clear_error_exit_2_and_keeps_earlier_output(
    tmp_path, setting, says, status, early
):
    not_node = tmp_path / "not-node"
    not_node.write_text("#!/bin/sh\necho 'not node.js' >&2\nexit 3\n")
    not_node.chmod(0o755)
    earlier = write_earlier_output(tmp_path / "out", "tiny")
    setting = {name: str(not_node) if value == "not-node" else value for name, value in setting.items()}
    env = {**os.environ, "GPULAB_EARLY_KERNEL": early, **setting}
    command = [sys.executable, "main.py", "synth", "tiny", "--out", str(tmp_path / "out")]
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)

    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines().count(says) == 1  # an early kernel that failed is not started again
    assert result.stderr.splitlines()[-1] == (
        f"cannot synthesize: the jsii kernel (Node.js) exited with status {status} before it answered; "
        "Node.js says why above (check NODE_OPTIONS and JSII_NODE)"
    )
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert earlier.read_text() == '{"earlier": "good output"}'


RAISE_AFTER_A_CONSTRUCT = textwrap.dedent(
    """
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    from cdktf import App, TerraformOutput, TerraformStack
    TerraformOutput(TerraformStack(App(), "probe"), "answer", value="42")
    raise ValueError("a bug in the program, after the kernel started")
    """
)


def test_an_uncaught_error_ends_the_program_with_its_traceback_and_nothing_more(tmp_path):
    """The kernel is stopped at exit once: nothing is printed about stopping it again while Python tears down."""
    result = subprocess.run(
        [sys.executable, "-c", RAISE_AFTER_A_CONSTRUCT], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("ValueError: a bug in the program, after the kernel started")
    assert "Exception ignored" not in result.stderr
