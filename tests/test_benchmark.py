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
