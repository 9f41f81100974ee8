"""Import ahead: the provider modules gpulab uses are imported while Python waits for the kernel, never half-way."""

from __future__ import annotations

import socket
import sys
import threading
import types

import pytest

from gpulab.speed import import_ahead, kernel
from gpulab.speed.owed_answers import OwedAnswers


def test_the_queue_is_the_provider_modules_gpulabs_stack_code_imports_in_the_order_of_the_packages(tmp_path):
    (tmp_path / "constructs").mkdir()
    (tmp_path / "constructs" / "x.py").write_text(
        "from cdktf_cdktf_provider_a.one import X\nfrom cdktf_cdktf_provider_b.two import Y\n"
        "from cdktf_cdktf_provider_a.one import Z\n    from cdktf_cdktf_provider_a.indented import W\n"
    )
    (tmp_path / "ops.py").write_text("from cdktf_cdktf_provider_a.elsewhere import X\n")  # not stack code
    modules = import_ahead.modules_gpulab_imports(["cdktf_cdktf_provider_b", "cdktf_cdktf_provider_a"], tmp_path)
    assert modules == ["cdktf_cdktf_provider_b.two", "cdktf_cdktf_provider_a.one"]
    assert "cdktf_cdktf_provider_aws.vpc" in import_ahead.modules_gpulab_imports(["cdktf_cdktf_provider_aws"])


@pytest.fixture
def bindings(tmp_path, monkeypatch):
    """A package `ahead_probe` with a `_jsii`, a module that imports and one that fails; the queue holds them."""
    import cdktf  # noqa: F401 - imported whole, as import_next requires

    package = tmp_path / "ahead_probe"
    (package / "_jsii").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "_jsii" / "__init__.py").write_text("")
    (package / "good.py").write_text("VALUE = 1\n")
    (package / "bad.py").write_text("raise ImportError('broken')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(import_ahead, "_queue", import_ahead.deque(["ahead_probe.good", "ahead_probe.bad", "x.y"]))
    yield
    for name in [name for name in sys.modules if name.startswith("ahead_probe")]:
        del sys.modules[name]
    kernel.work_while_waiting(None)


def test_a_module_is_imported_ahead_only_once_its_package_is_loaded_and_a_failure_ends_the_queue(bindings):
    assert import_ahead.import_next() is False and "ahead_probe.good" not in sys.modules  # _jsii not loaded yet
    __import__("ahead_probe._jsii")
    assert import_ahead.import_next() is True and sys.modules["ahead_probe.good"].VALUE == 1
    assert import_ahead.import_next() is False and "ahead_probe.bad" not in sys.modules
    assert not import_ahead._queue, "left to their ordinary imports, which raise what failed"


def test_the_channel_works_while_no_answer_is_in_and_refuses_requests_meanwhile():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        stream = kernel._AnswerStream(ours, child=None)
        channel = types.SimpleNamespace(_process=types.SimpleNamespace(stdout=stream))
        refused, steps = [], []

        def step() -> bool:
            steps.append(stream.working)
            with pytest.raises(RuntimeError, match="a object while waiting for the kernel"):
                OwedAnswers.send(channel, object(), None)
            refused.append(True)
            if len(steps) == 3:
                threading.Timer(0.05, theirs.sendall, [b'{"ok":1}\n{"ok":2}\n']).start()
            return len(steps) < 3

        kernel.work_while_waiting(step)
        try:
            assert [stream.readline(), stream.readline()] == [b'{"ok":1}\n', b'{"ok":2}\n']
        finally:
            kernel.work_while_waiting(None)
        assert steps == [True, True, True] and len(refused) == 3 and stream.working is False
