"""Benchmark `python main.py synth`: every speed-up against the ordinary-import baseline.

Run from the repository root after `make install`:

    .venv/bin/python benchmarks/synth.py                # 3 alternating repetitions of everything
    .venv/bin/python benchmarks/synth.py --reps 5 --json out.json
    .venv/bin/python benchmarks/synth.py --only all,one  # a subset of the sections below

Sections: `all` (every shipped environment), `one` (one environment per cloud), `baseline` (both of
those with every speed-up off), `speedups` (all environments with one speed-up switched off at a
time, and one environment per cloud with every cloud's provider imported), `setup` (the test
suite's shared setup: every shipped environment synthesized by one kernel, as its session fixture
does, against one kernel per environment, and how many tests read it), `envs` (1, 4, 16, 64
generated copies of one environment), `machines` (one environment with 1, 15, 100 workers), `suite`
(the README's test command, `python -m pytest -q`, run whole: its wall time, the CPU time of
everything it started, and the reference loop just before each run, since the suite is bound by the
CPU of this machine's two cores).

Each measurement is one fresh process: wall time, and peak RSS of the whole
process tree (Python and the jsii kernel together, sampled every 20 ms from
/proc). Variants of a section run alternately within each repetition, so a
noisy machine slows them alike; the table shows median and min–max, and the
ratios are computed per repetition, then their median taken. A fixed Python
loop, timed before and after, says how fast the machine was during the run.
Every run's output is compared with that of the first variant of its section
run with the same arguments: a variant that writes other files (a speed-up
that changed the output, the baseline included) stops the benchmark.

Where `perf` can count (Linux, `kernel.perf_event_paranoid` at 2 or less),
each variant also runs once more under `perf stat -e instructions:u`: the
user-space instructions of the whole process tree, which vary by about 0.1%
from run to run however busy the host is, so work can be compared where wall
times cannot. `--no-instructions` skips that run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

INHERITED_NODE_OPTIONS = os.environ.get("NODE_OPTIONS", "")

from gpulab.config.loader import environment_files  # noqa: E402 - after reading NODE_OPTIONS
from gpulab.speed.switches import IMPORT_ALL_CLOUDS, LAZY_IMPORT, SPEEDUPS_OFF, all_off  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
ENV_DIR = REPO / "environments"
ONE_PER_CLOUD = {"aws": "dev", "azure": "echoes", "gcp": "tiny"}
SCALED_ENV = "tiny"  # the environment copied for `envs` and widened for `machines`
ENV_COUNTS = (1, 4, 16, 64)
MACHINE_COUNTS = (1, 15, 100)
SAMPLE_SECONDS = 0.02

# GPULAB_* settings of each speed-up variant (see docs/speed.md); unset means on.
FAST: dict[str, str] = {}
BASELINE = all_off()
APP_KEY = "BENCH_APP"  # not an environment variable: synth_command runs this app in main.py's place
LIBRARY = {APP_KEY: "benchmarks/library_app.py"}
# Every switch of SPEEDUPS_OFF on its own; the two lazy loaders share one switch, so each is
# turned off by keeping only the other.
SPEEDUPS = {
    "all speed-ups": FAST,
    f"{LAZY_IMPORT}=js (no Python lazy import)": {LAZY_IMPORT: "js"},
    f"{LAZY_IMPORT}=python (no JS lazy index)": {LAZY_IMPORT: "python"},
    **{f"{name}={value}": {name: value} for name, value in SPEEDUPS_OFF.items() if name != LAZY_IMPORT},
}


@dataclass
class Samples:
    """Repeated measurements of one variant: seconds and peak tree RSS in MB."""

    seconds: list[float] = field(default_factory=list)
    megabytes: list[float] = field(default_factory=list)
    instructions: float | None = None  # one counted run, when perf can count

    def add(self, seconds: float, megabytes: float) -> None:
        self.seconds.append(seconds)
        self.megabytes.append(megabytes)

    def cell(self) -> str:
        wall = _spread(self.seconds, "{:.2f} s")
        rss = _spread(self.megabytes, "{:.0f} MB")
        work = "" if self.instructions is None else f" | {self.instructions / 1e9:.2f} G"
        return f"{wall} | {rss}{work}"


def _spread(values: list[float], fmt: str) -> str:
    middle = fmt.format(statistics.median(values))
    return f"{middle} ({fmt.format(min(values))}–{fmt.format(max(values))})" if len(values) > 1 else middle


class TreeSampler:
    """Peak resident memory of a process and its descendants, cheap enough not to slow them down.

    Finding descendants means reading every /proc/<pid>/stat, so that is done
    every `rescan_every` samples (new processes appear only at start-up: the
    jsii runtime and its kernel); each sample itself reads the VmRSS of the
    known processes only.
    """

    def __init__(self, root: int, rescan_every: int = 10) -> None:
        self.root, self.rescan_every = root, rescan_every
        self.pids: set[int] = {root}
        self.samples = 0
        self.peak_kb = 0

    def sample(self) -> None:
        if self.samples % self.rescan_every == 0:
            self.pids = self._descendants()
        self.samples += 1
        total = 0
        for pid in self.pids:
            try:
                with open(f"/proc/{pid}/status", "rb") as status:
                    for line in status:
                        if line.startswith(b"VmRSS:"):
                            total += int(line.split()[1])
                            break
            except OSError:
                continue
        self.peak_kb = max(self.peak_kb, total)

    def _descendants(self) -> set[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as stat:
                        parents[int(entry)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, frontier = {self.root}, [self.root]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
            tree.update(children)
            frontier += children
        return tree


def synth_command(args: list[str], env: dict[str, str], out: Path) -> tuple[list[str], dict[str, str]]:
    """`python main.py synth <args> --out <out>` and its environment: the GPULAB_* settings `env` gives, no others.

    `env` may name another app in APP_KEY (the library variant's), run in main.py's place.
    """
    env = dict(env)
    app = env.pop(APP_KEY, "main.py")
    full_env = {**os.environ, "CHECKPOINT_DISABLE": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **env}
    for key in SPEEDUPS_OFF:
        if key not in env:
            full_env.pop(key, None)
    full_env["NODE_OPTIONS"] = INHERITED_NODE_OPTIONS  # without the preload that importing gpulab added here
    # Warm caches include Python's bytecode cache, as in any install: a shell that turns it off would
    # have every run compile gpulab's own modules again (about 50 ms).
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    return [str(PYTHON), app, "synth", *args, "--out", str(out)], full_env


def measure(args: list[str], env: dict[str, str], out: Path) -> tuple[float, float]:
    """Run `python main.py synth …` once; (wall seconds, peak tree RSS in MB). Fails loudly on a failed synth."""
    shutil.rmtree(out, ignore_errors=True)
    command, full_env = synth_command(args, env, out)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(process.pid)
    while process.poll() is None:
        sampler.sample()
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"synth {' '.join(args)} failed ({process.returncode}):\n{stderr}")
    return seconds, sampler.peak_kb / 1024


PERF_EVENT = "instructions:u"


def perf_counts(command: list[str], env: dict[str, str] | None = None) -> tuple[float | None, str]:
    """User-space instructions of `command` and everything it starts, by `perf stat`; (None, why) if not counted."""
    if shutil.which("perf") is None:
        return None, "perf is not installed"
    with tempfile.NamedTemporaryFile("r", suffix=".perf") as counts:
        perf = ["perf", "stat", "-x", ",", "-e", PERF_EVENT, "-o", counts.name, "--", *command]
        result = subprocess.run(perf, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            message = result.stderr.strip().splitlines()
            return None, message[-1] if message else f"exit {result.returncode}"
        for line in counts.read().splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2] == PERF_EVENT:
                return (float(fields[0]), "") if fields[0].replace(".", "").isdigit() else (None, fields[0])
    return None, f"perf printed no {PERF_EVENT} count"


def count_instructions(args: list[str], env: dict[str, str], out: Path) -> float:
    """Instructions of one `python main.py synth …` (a run of its own, not timed). Fails loudly if not counted."""
    shutil.rmtree(out, ignore_errors=True)
    command, full_env = synth_command(args, env, out)
    instructions, why = perf_counts(command, full_env)
    if instructions is None:
        raise SystemExit(f"synth {' '.join(args)}: no instruction count ({why})")
    return instructions


def tree_digest(root: Path) -> str:
    """SHA-256 over every file under `root`, by relative path and content: equal digests, the same files."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def check_same_output(first: dict[tuple[str, ...], tuple[str, str]], name: str, args: list[str], out: Path) -> None:
    """Stop the benchmark when `name` wrote other files than the first variant run with the same `args`."""
    digest = tree_digest(out)
    earlier_name, earlier_digest = first.setdefault(tuple(args), (name, digest))
    if digest != earlier_digest:
        arguments = " ".join(args) or "(all environments)"
        raise SystemExit(f"{name} wrote other files than {earlier_name} for synth {arguments}: the output changed")


Variants = dict[str, tuple[list[str], dict[str, str]]]


def run_alternating(variants: Variants, reps: int, scratch: Path, count: bool) -> dict[str, Samples]:
    """Each variant once per repetition, in turn, its output checked; then, if `count`, once more each under perf."""
    results = {name: Samples() for name in variants}
    first_output: dict[tuple[str, ...], tuple[str, str]] = {}
    for rep in range(reps):
        for name, (args, env) in variants.items():
            seconds, megabytes = measure(args, env, scratch / "out")
            check_same_output(first_output, name, args, scratch / "out")
            results[name].add(seconds, megabytes)
            print(f"  rep {rep + 1}/{reps} {name}: {seconds:.2f} s, {megabytes:.0f} MB", file=sys.stderr, flush=True)
    if count:
        for name, (args, env) in variants.items():
            results[name].instructions = count_instructions(args, env, scratch / "out")
            print(f"  counted {name}: {results[name].instructions / 1e9:.2f} G instructions", file=sys.stderr)
    return results


def ratios(slow: Samples, fast: Samples) -> str:
    per_rep = [s / f for s, f in zip(slow.seconds, fast.seconds, strict=True)]
    return _spread(per_rep, "{:.1f}×")


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares extra y per unit of x."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)


def slope_text(counts: tuple[int, ...], samples: dict[int, Samples]) -> str:
    """The extra wall time per unit (environment or machine), from the medians, and, when counted, instructions."""
    xs = list(counts)
    text = f"{slope(xs, [statistics.median(samples[c].seconds) * 1000 for c in counts]):.0f} ms"
    if all(samples[c].instructions is not None for c in counts):
        text += f", {slope(xs, [samples[c].instructions / 1e6 for c in counts]):.1f} M instructions"
    return text


def generated_envs(scratch: Path, count: int) -> Path:
    """A folder with `count` copies of the scaled environment (each a distinct environment)."""
    folder = scratch / f"envs-{count}"
    folder.mkdir(parents=True, exist_ok=True)
    for base in ENV_DIR.glob("_*.yaml"):
        shutil.copy(base, folder / base.name)
    text = (ENV_DIR / f"{SCALED_ENV}.yaml").read_text()
    for index in range(count):
        (folder / f"copy{index:03d}.yaml").write_text(text)
    return folder


def widened_env(scratch: Path, machines: int) -> Path:
    """A folder with the scaled environment running `machines` workers."""
    folder = scratch / f"machines-{machines}"
    folder.mkdir(parents=True, exist_ok=True)
    for base in ENV_DIR.glob("_*.yaml"):
        shutil.copy(base, folder / base.name)
    (folder / "wide.yaml").write_text(f"extends: _fleet.yaml\nmachines:\n  - name: worker\n    count: {machines}\n")
    return folder


def every_cloud_imported_names(cloud: str, name: str) -> tuple[str, str]:
    """The variant names of one environment: as shipped, and with every cloud's provider imported."""
    return f"{cloud}: {name}, its own cloud only", f"{cloud}: {name}, {IMPORT_ALL_CLOUDS}=1"


def every_cloud_imported_variants() -> Variants:
    """One environment per cloud as shipped (its own cloud's provider only), then with every cloud's imported."""
    variants: Variants = {}
    for cloud, name in ONE_PER_CLOUD.items():
        own, every = every_cloud_imported_names(cloud, name)
        variants[own] = ([name], FAST)
        variants[every] = ([name], {IMPORT_ALL_CLOUDS: "1"})
    return variants


def every_cloud_imported_lines(results: dict[str, Samples], work: str, work_rule: str) -> list[str]:
    """The table of importing a cloud only when it is used: each environment's pair, the ratio per repetition."""
    lines = [f"| one environment, with | wall | peak RSS{work} | every cloud / its own only |"]
    lines.append(f"|---|---|---|{work_rule}---|")
    for cloud, name in ONE_PER_CLOUD.items():
        own, every = every_cloud_imported_names(cloud, name)
        lines.append(f"| {own} | {results[own].cell()} | 1.0× |")
        lines.append(f"| {every} | {results[every].cell()} | {ratios(results[every], results[own])} |")
    return lines + [""]


def shipped_names() -> list[str]:
    """The shipped environments, by name, as `python main.py synth` finds them."""
    return [path.stem for path in environment_files(ENV_DIR)]


def check_same_stack(shared_out: Path, name: str, own_out: Path) -> None:
    """Stop the benchmark when an environment synthesized alone wrote another stack than the shared synth did."""
    if tree_digest(own_out / "stacks" / name) != tree_digest(shared_out / "stacks" / name):
        raise SystemExit(f"{name} synthesized alone wrote another stack than with every environment")


def run_setup(reps: int, scratch: Path) -> tuple[Samples, Samples]:
    """(one kernel for every shipped environment, one kernel per environment), alternating.

    The first is one process synthesizing them all, as the suite's session fixture does; the second one
    process, and so one kernel, per environment, one after another: their wall times summed, their peak
    the largest. Each stack written alone is checked against the shared synth's.
    """
    shared, per_environment = Samples(), Samples()
    names = shipped_names()
    for rep in range(reps):
        shared.add(*measure([], FAST, scratch / "shared"))
        total, peak = 0.0, 0.0
        for name in names:
            # A sibling of the shared output: a stack's local backend path is relative to its output folder.
            seconds, megabytes = measure([name], FAST, scratch / f"own-{name}")
            check_same_stack(scratch / "shared", name, scratch / f"own-{name}")
            total, peak = total + seconds, max(peak, megabytes)
        per_environment.add(total, peak)
        print(f"  rep {rep + 1}/{reps} setup: {shared.seconds[-1]:.2f} s shared, {total:.2f} s apart", file=sys.stderr)
    return shared, per_environment


# Collects the suite without running it and prints how many tests read the shared synth (the session
# fixture `shipped_out`, directly or through `stacks`). The items are dropped once counted, so no test
# runs and no background run starts (tests/conftest.py starts those for the items left).
COUNT_SHARED_SYNTH_READERS = """
import json, pytest

class Count:
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        readers = sum("shipped_out" in getattr(item, "fixturenames", ()) for item in items)
        self.found = (readers, len(items))
        items.clear()

count = Count()
pytest.main(["-q", "-p", "no:cacheprovider"], plugins=[count])
print()
print("shared synth readers:", json.dumps(count.found))
"""


def suite_environment() -> dict[str, str]:
    """The caller's environment for a pytest subprocess, but for the preload importing gpulab added."""
    return {**os.environ, "NODE_OPTIONS": INHERITED_NODE_OPTIONS}


def tests_reading_the_shared_synth() -> tuple[int, int]:
    """(tests that read the suite's shared synth, tests collected). Fails loudly when the suite does not collect."""
    env = suite_environment()
    result = subprocess.run(
        [str(PYTHON), "-c", COUNT_SHARED_SYNTH_READERS], cwd=REPO, env=env, capture_output=True, text=True
    )
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if not last.startswith("shared synth readers:"):
        raise SystemExit(f"could not collect the test suite:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    readers, collected = json.loads(last.split(":", 1)[1])
    return readers, collected


def setup_lines(
    shared: Samples, per_environment: Samples, environments: int, readers: int, collected: int
) -> list[str]:
    """The setup section: one kernel for every environment against one per environment, and what a kernel
    per test would cost the tests that read the shared synth."""
    per_one = statistics.median(per_environment.seconds) / environments
    once = statistics.median(shared.seconds)
    return [
        "| the suite's setup: every shipped environment | wall | peak RSS | this / one kernel |",
        "|---|---|---|---|",
        f"| one kernel, one synth (the session fixture) | {shared.cell()} | 1.0× |",
        f"| one kernel per environment ({environments} processes, summed) | {per_environment.cell()} "
        f"| {ratios(per_environment, shared)} |",
        "",
        f"{readers} of {collected} tests read the shared synth: a kernel and synth of its environment per test "
        f"would take about {readers} × {per_one:.2f} s = {readers * per_one:.0f} s, against {once:.2f} s once",
        "",
    ]


# A fixed amount of pure-Python work: its time says how fast the (shared, drifting) machine is right now.
REFERENCE_LOOP = """
import time
start = time.perf_counter()
x = 0
for i in range(20_000_000):
    x += i
print(time.perf_counter() - start)
"""


def reference_loop_seconds() -> float:
    """Seconds a fresh Python takes for REFERENCE_LOOP: runs on one machine compare through it."""
    result = subprocess.run([sys.executable, "-c", REFERENCE_LOOP], capture_output=True, text=True, check=True)
    return float(result.stdout)


# The README's test command, as `make test` runs it.
SUITE_COMMAND = [str(PYTHON), "-m", "pytest", "-q"]
SUITE_TARGET_SECONDS = 60


@dataclass
class SuiteRun:
    """One run of the test suite: wall seconds, CPU seconds of the process tree, the reference loop before it."""

    seconds: float
    cpu_seconds: float
    loop_seconds: float


def run_suite() -> SuiteRun:
    """The whole test suite once, in the caller's environment (but for the preload importing gpulab added).

    CPU time is user plus system time of pytest and every process it waited for: its tests'
    subprocesses, jsii kernels and background runs. Fails loudly when the suite does.
    """
    loop = reference_loop_seconds()
    env = suite_environment()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(SUITE_COMMAND, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(
            f"the test suite failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return SuiteRun(seconds, cpu, loop)


def suite_lines(runs: list[SuiteRun]) -> list[str]:
    """The suite section's table: each run, then the medians and how many runs met the target."""
    lines = ["| test suite run | wall | CPU (user + system) | reference loop before |", "|---|---|---|---|"]
    for index, run in enumerate(runs, 1):
        lines.append(f"| {index} | {run.seconds:.1f} s | {run.cpu_seconds:.1f} s | {run.loop_seconds:.2f} s |")
    walls = [run.seconds for run in runs]
    lines.append(
        f"| median (min–max) | {_spread(walls, '{:.1f} s')} | {_spread([r.cpu_seconds for r in runs], '{:.1f} s')} "
        f"| {_spread([r.loop_seconds for r in runs], '{:.2f} s')} |"
    )
    met = sum(wall < SUITE_TARGET_SECONDS for wall in walls)
    lines += ["", f"under {SUITE_TARGET_SECONDS} s: {met} of {len(runs)} runs", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each variant (default 3)")
    parser.add_argument(
        "--only", default="all,one,baseline,speedups,setup,envs,machines,suite", help="comma-separated sections"
    )
    parser.add_argument("--json", type=Path, help="also write every sample to this JSON file")
    parser.add_argument("--no-instructions", action="store_true", help="skip the extra run per variant under perf")
    options = parser.parse_args()
    sections = set(options.only.split(","))
    report: dict[str, dict] = {}
    lines = [f"python main.py synth, warm cache, {options.reps} alternating repetitions; median (min–max)", ""]
    loop_before = reference_loop_seconds()
    count, why_not = not options.no_instructions, ""
    if count:
        probe, why_not = perf_counts(["true"])
        count = probe is not None
    work = " | instructions" if count else ""
    work_rule = "---|" if count else ""
    with tempfile.TemporaryDirectory(prefix="gpulab-bench-") as folder:
        scratch = Path(folder)
        # One synth first: the jsii cache, gpulab's caches, Python's bytecode cache and the page cache
        # are warm for every measured run.
        measure([], FAST, scratch / "warmup")

        if sections & {"all", "one", "baseline"}:
            variants: Variants = {}
            variants["(a) all environments"] = ([], FAST)
            for cloud, name in ONE_PER_CLOUD.items():
                variants[f"(b) {cloud}: {name}"] = ([name], FAST)
            if "baseline" in sections:
                variants["(c) all environments, baseline"] = ([], BASELINE)
                variants["(d) all environments, library opt-in"] = ([], LIBRARY)
                for cloud, name in ONE_PER_CLOUD.items():
                    variants[f"(c) {cloud}: {name}, baseline"] = ([name], BASELINE)
            print("main variants", file=sys.stderr)
            results = run_alternating(variants, options.reps, scratch, count)
            lines += [f"| run | wall | peak RSS (process tree){work} |", f"|---|---|---|{work_rule}"]
            lines += [f"| {name} | {samples.cell()} |" for name, samples in results.items()]
            if "baseline" in sections:
                lines += ["", "| ratio | per repetition |", "|---|---|"]
                slow, fast = results["(c) all environments, baseline"], results["(a) all environments"]
                lines.append(f"| (c)/(a) all environments | {ratios(slow, fast)} |")
                library = results["(d) all environments, library opt-in"]
                lines.append(f"| (c)/(d) all environments, library opt-in | {ratios(slow, library)} |")
                for cloud, name in ONE_PER_CLOUD.items():
                    slow, fast = results[f"(c) {cloud}: {name}, baseline"], results[f"(b) {cloud}: {name}"]
                    lines.append(f"| (c)/(b) {cloud}: {name} | {ratios(slow, fast)} |")
            report["main"] = {k: vars(v) for k, v in results.items()}
            lines.append("")

        if "speedups" in sections:
            print("speed-ups", file=sys.stderr)
            results = run_alternating({k: ([], env) for k, env in SPEEDUPS.items()}, options.reps, scratch, count)
            fast = results["all speed-ups"]
            lines += [f"| all environments, with | wall | peak RSS{work} | this / all speed-ups |"]
            lines += [f"|---|---|---|{work_rule}---|"]
            lines += [f"| {name} | {s.cell()} | {ratios(s, fast)} |" for name, s in results.items()]
            report["speedups"] = {k: vars(v) for k, v in results.items()}
            lines.append("")
            results = run_alternating(every_cloud_imported_variants(), options.reps, scratch, count)
            lines += every_cloud_imported_lines(results, work, work_rule)
            report["every cloud imported"] = {k: vars(v) for k, v in results.items()}

        if "setup" in sections:
            print("setup", file=sys.stderr)
            shared, per_environment = run_setup(options.reps, scratch)
            readers, collected = tests_reading_the_shared_synth()
            lines += setup_lines(shared, per_environment, len(shipped_names()), readers, collected)
            report["setup"] = {"shared": vars(shared), "per environment": vars(per_environment), "readers": readers}

        for section, counts, make, unit in (
            ("envs", ENV_COUNTS, generated_envs, "environment"),
            ("machines", MACHINE_COUNTS, widened_env, "machine"),
        ):
            if section not in sections:
                continue
            print(section, file=sys.stderr)
            variants = {str(c): (["--env-dir", str(make(scratch, c))], FAST) for c in counts}
            results = run_alternating(variants, options.reps, scratch, count)
            by_count = {int(k): v for k, v in results.items()}
            lines += [f"| {unit}s | wall | peak RSS{work} |", f"|---|---|---|{work_rule}"]
            lines += [f"| {c} | {by_count[c].cell()} |" for c in counts]
            lines += ["", f"each extra {unit}: {slope_text(counts, by_count)} (least squares over the medians)", ""]
            report[section] = {k: vars(v) for k, v in results.items()}

    if "suite" in sections:
        print("suite", file=sys.stderr)
        runs = []
        for rep in range(options.reps):
            runs.append(run_suite())
            print(f"  rep {rep + 1}/{options.reps} suite: {runs[-1].seconds:.1f} s", file=sys.stderr, flush=True)
        lines += suite_lines(runs)
        report["suite"] = [vars(run) for run in runs]

    loop_after = reference_loop_seconds()
    lines.append(f"machine speed: the reference loop took {loop_before:.2f} s before and {loop_after:.2f} s after")
    if why_not:
        lines.append(f"instructions: not counted ({why_not})")
    report["reference_loop_seconds"] = {"before": loop_before, "after": loop_after}
    print("\n".join(lines))
    if options.json:
        options.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
