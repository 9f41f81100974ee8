"""The benchmark's output check: a variant that writes other files stops it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def _benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_synth", REPO / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_the_same_files_pass_and_another_byte_or_name_stops_the_benchmark(tmp_path):
    benchmark = _benchmark()
    written = {"manifest.json": "{}", "stacks/dev/cdk.tf.json": '{"a": 1}'}
    first: dict = {}
    benchmark.check_same_output(first, "fast", [], _write(tmp_path / "fast", written))
    benchmark.check_same_output(first, "baseline", [], _write(tmp_path / "baseline", written))
    benchmark.check_same_output(first, "one, fast", ["dev"], _write(tmp_path / "one", {"manifest.json": "{}"}))

    changed = _write(tmp_path / "changed", {**written, "stacks/dev/cdk.tf.json": '{"a": 2}'})
    with pytest.raises(SystemExit, match="changed wrote other files than fast for synth \\(all environments\\)"):
        benchmark.check_same_output(first, "changed", [], changed)
    renamed = _write(tmp_path / "renamed", {"manifest.json": "{}", "stacks/prod/cdk.tf.json": '{"a": 1}'})
    with pytest.raises(SystemExit, match="renamed wrote other files than fast"):
        benchmark.check_same_output(first, "renamed", [], renamed)


def test_the_suite_section_lists_each_run_and_counts_those_under_the_target():
    benchmark = _benchmark()
    runs = [
        benchmark.SuiteRun(52.4, 81.0, 1.49),
        benchmark.SuiteRun(71.2, 95.5, 2.80),
        benchmark.SuiteRun(40.0, 64.0, 1.39),
    ]
    lines = benchmark.suite_lines(runs)
    assert lines[2:5] == [
        "| 1 | 52.4 s | 81.0 s | 1.49 s |",
        "| 2 | 71.2 s | 95.5 s | 2.80 s |",
        "| 3 | 40.0 s | 64.0 s | 1.39 s |",
    ]
    assert lines[5] == "| median (min–max) | 52.4 s (40.0 s–71.2 s) | 81.0 s (64.0 s–95.5 s) | 1.49 s (1.39 s–2.80 s) |"
    assert "under 60 s: 2 of 3 runs" in lines


def test_an_environment_synthesized_alone_must_write_the_stack_the_shared_synth_wrote(tmp_path):
    benchmark = _benchmark()
    shared = _write(tmp_path / "shared", {"manifest.json": "{}", "stacks/dev/cdk.tf.json": '{"a": 1}'})
    alone = _write(tmp_path / "own-dev", {"manifest.json": "{ }", "stacks/dev/cdk.tf.json": '{"a": 1}'})
    benchmark.check_same_stack(shared, "dev", alone)  # only the stack is compared, not the manifest

    other = _write(tmp_path / "other-dev", {"stacks/dev/cdk.tf.json": '{"a": 2}'})
    with pytest.raises(SystemExit, match="dev synthesized alone wrote another stack than with every environment"):
        benchmark.check_same_stack(shared, "dev", other)


def test_the_setup_section_compares_one_kernel_with_one_per_environment_and_prices_a_kernel_per_test():
    benchmark = _benchmark()
    shared = benchmark.Samples(seconds=[1.5, 1.4, 1.6], megabytes=[216, 218, 217])
    per_environment = benchmark.Samples(seconds=[6.0, 5.6, 7.2], megabytes=[140, 144, 143])
    environments = 8
    lines = benchmark.setup_lines(shared, per_environment, environments, readers=100, collected=400)
    per_one = 6.0 / environments
    assert (
        lines[2]
        == "| one kernel, one synth (the session fixture) | 1.50 s (1.40 s–1.60 s) | 217 MB (216 MB–218 MB) | 1.0× |"
    )
    assert lines[3] == (
        f"| one kernel per environment ({environments} processes, summed) | 6.00 s (5.60 s–7.20 s) "
        "| 143 MB (140 MB–144 MB) | 4.0× (4.0×–4.5×) |"
    )
    assert lines[5] == (
        f"100 of 400 tests read the shared synth: a kernel and synth of its environment per test "
        f"would take about 100 × {per_one:.2f} s = {100 * per_one:.0f} s, against 1.50 s once"
    )


def test_the_every_cloud_table_pairs_each_environment_with_its_every_cloud_run():
    benchmark = _benchmark()
    variants = benchmark.every_cloud_imported_variants()
    assert [args for args, _ in variants.values()] == [
        [name] for name in benchmark.ONE_PER_CLOUD.values() for _ in (1, 2)
    ]
    results = {
        name: benchmark.Samples(seconds=[0.5, 0.6] if env else [0.4, 0.5], megabytes=[165, 167] if env else [130, 131])
        for name, (_, env) in variants.items()
    }
    lines = benchmark.every_cloud_imported_lines(results, "", "")
    assert lines[2] == "| aws: dev, its own cloud only | 0.45 s (0.40 s–0.50 s) | 130 MB (130 MB–131 MB) | 1.0× |"
    assert lines[3] == (
        "| aws: dev, GPULAB_IMPORT_ALL_CLOUDS=1 | 0.55 s (0.50 s–0.60 s) | 166 MB (165 MB–167 MB) | 1.2× (1.2×–1.2×) |"
    )
    assert len(lines) == 2 + 2 * len(benchmark.ONE_PER_CLOUD) + 1
