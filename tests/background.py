"""Slow subprocess runs, started when collection ends and awaited by the tests that need them.

A test marked `@pytest.mark.background("name")` gets its run started in the
background as soon as the session knows it is selected, so a 30-second
baseline synth overlaps the rest of the suite instead of following it.
A run that reads another's output (checkov reads main-py's stacks) starts when
that one has succeeded. All runs write under one temporary root, so their
relative state paths match.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from gpulab.speed.switches import FREEZE_AT_EXIT, all_off

REPO = Path(__file__).resolve().parent.parent
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
CHECKOV_CONFIG = REPO / ".checkov.yaml"
CHECKOV_REPORT = "results_json.json"  # what checkov's `-o json --output-file-path DIR` writes into DIR


@dataclass
class Finished:
    """A background run's outcome and the output folder it wrote."""

    returncode: int
    output: str
    out_dir: Path


# Counts, at exit, the provider modules each side loaded: Node through a preload that the
# kernel inherits, Python after main.py ran (main.py itself runs unchanged, as __main__).
COUNT_JS_MODULES = """
process.on("exit", () => {
  const counts = {};
  for (const file of Object.keys(require.cache)) {
    const match = /[\\\\/]@cdktf[\\\\/](provider-[a-z]+)[\\\\/]lib[\\\\/]/.exec(file);
    if (match) counts[match[1]] = (counts[match[1]] || 0) + 1;
  }
  if (Object.keys(counts).length) require("fs").writeFileSync(process.env.GPULAB_TEST_JS_COUNT, JSON.stringify(counts));
});
"""

RUN_MAIN_AND_COUNT = """
import json, runpy, sys
sys.argv = ["main.py", *sys.argv[1:]]
try:
    runpy.run_path("main.py", run_name="__main__")
finally:
    report = {}
    for package in [m for m in sys.modules if m.startswith("cdktf_cdktf_provider_") and "." not in m]:
        submodules = [m for m in sys.modules if m.startswith(package + ".") and m.count(".") == 1]
        report[package] = {"root_ran": hasattr(sys.modules[package], "TYPEGUARD_MAJOR_VERSION"), "submodules": len(submodules)}
    with open(sys.argv[-1] + ".python-modules.json", "w") as handle:
        json.dump(report, handle)
"""


def _main_py_counting_modules(out: Path) -> tuple[list[str], dict[str, str]]:
    """`python main.py synth`, plus <out>.python-modules.json and <out>.js-modules.json of what each side loaded."""
    counter = out.parent / "count-js-modules.js"
    counter.parent.mkdir(parents=True, exist_ok=True)
    counter.write_text(COUNT_JS_MODULES)
    env = {**os.environ, "GPULAB_TEST_JS_COUNT": f"{out}.js-modules.json"}
    env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} --require={counter}".strip()
    return [sys.executable, "-c", RUN_MAIN_AND_COUNT, "synth", "--out", str(out)], env


# main.py as it is, in a Python whose cyclic garbage collector is off.
RUN_MAIN_WITHOUT_GC = """
import gc, runpy, sys
gc.disable()
sys.argv = ["main.py", *sys.argv[1:]]
runpy.run_path("main.py", run_name="__main__")
"""


def _main_py_ordinary_imports(out: Path) -> tuple[list[str], dict[str, str]]:
    """The baseline's output: every speed-up that runs before the output is written is off.

    Neither way of collecting garbage changes what is written, and with every provider module
    imported both cost this run a lot, so both are spared: Python's cyclic collector is off while
    it runs (8 to 15 s of CPU: 46.8 and 57.3 against 39.3 and 40.9 s for all environments,
    alternating), and the exit freeze (gpulab/fast_exit.py) stays on (about 13 s of collections
    at exit).
    """
    env = {**os.environ, **all_off(), FREEZE_AT_EXIT: "on"}
    return [sys.executable, "-c", RUN_MAIN_WITHOUT_GC, "synth", "--out", str(out)], env


def _cdktf_cli(out: Path) -> tuple[list[str], dict[str, str]]:
    return ["npx", "--no-install", "cdktf", "synth", "--output", str(out)], {**os.environ, "CI": "1"}


def _checkov(out: Path) -> tuple[list[str], dict[str, str]]:
    """checkov (its own virtualenv, made by `make install`) over every stack main-py wrote; its report in `out`."""
    args = [str(CHECKOV), "--config-file", str(CHECKOV_CONFIG), "-o", "json", "--output-file-path", str(out)]
    args.append("--soft-fail")
    for stack in sorted((out.parent / "main-py" / "stacks").iterdir()):
        args += ["-f", str(stack / "cdk.tf.json")]
    return args, dict(os.environ)


COMMANDS = {
    "main-py": _main_py_counting_modules,
    "main-py-ordinary-imports": _main_py_ordinary_imports,
    "cdktf-cli": _cdktf_cli,
    "checkov": _checkov,
}
# Runs that read another run's output, and that run.
PREREQUISITES = {"checkov": "main-py"}
# The suite is bound by the CPU of two cores, and its critical path is the test process: its tests run
# one after another (about 40 s of CPU, most of it in the Python and Node.js processes they start).
# Background runs take the CPU it leaves: they run under `nice`, the baseline (about 28 s of CPU) before
# the others, since a late test waits for it. Measured alternating, three suites each (docs/speed.md):
# 44.8, 46.5, 44.9 s this way against 53.2, 56.2, 53.5 s with the test process yielding to the baseline.
NICENESS = {"main-py-ordinary-imports": 5}
OTHER_RUNS_NICENESS = 12


@dataclass
class _Run:
    """One background run: the thread that starts it (once its prerequisite succeeded) and waits for it."""

    thread: threading.Thread
    process: subprocess.Popen | None = None
    finished: Finished | None = None


class BackgroundRuns:
    """Starts named runs once and hands out their results."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="gpulab-background-"))
        self._runs: dict[str, _Run] = {}
        self._spawning = threading.Lock()
        self._closed = False

    def start(self, name: str) -> None:
        """Start run `name` unless started: at once, or when its prerequisite has succeeded."""
        if name in self._runs:
            return
        prerequisite = PREREQUISITES.get(name)
        if prerequisite:
            self.start(prerequisite)
        run = _Run(
            threading.Thread(target=self._run, args=(name, prerequisite), name=f"background {name}", daemon=True)
        )
        self._runs[name] = run
        run.thread.start()

    def _run(self, name: str, prerequisite: str | None) -> None:
        run, out = self._runs[name], self.root / name
        try:
            run.finished = self._run_after(name, prerequisite, run, out)
        except Exception as error:  # noqa: BLE001 - handed to the test that waits, not lost in this thread
            run.finished = Finished(-1, f"not run: {error!r}", out)

    def _run_after(self, name: str, prerequisite: str | None, run: _Run, out: Path) -> Finished:
        if prerequisite and (before := self.result(prerequisite)).returncode != 0:
            return Finished(-1, f"not run: {prerequisite} failed first ({before.returncode})", out)
        args, env = COMMANDS[name](out)
        log = self.root / f"{name}.log"
        with self._spawning, open(log, "w") as output:
            if self._closed:
                return Finished(-1, "not run: the session ended first", out)
            nice = ["nice", "-n", str(NICENESS.get(name, OTHER_RUNS_NICENESS))]
            run.process = subprocess.Popen(nice + args, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
        return Finished(run.process.wait(), log.read_text(), out)

    def result(self, name: str) -> Finished:
        """Wait for the run (starting it if need be); later calls return the same result."""
        self.start(name)
        run = self._runs[name]
        run.thread.join()
        return run.finished

    def close(self) -> None:
        with self._spawning:
            self._closed = True
        for run in self._runs.values():
            if run.process is not None and run.process.poll() is None:
                run.process.kill()
                run.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
