"""Async creates: new objects get ids Python claims, their answers are read later, and errors still surface."""

from __future__ import annotations

import collections
import io
import json
import os
import re
import textwrap
import types

import pytest

from tests.speed.binding_probe import probe_lines, run_python

# Creates an app and a stack, then reads a property (a request that waits for its answer).
PROBE = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf
    from jsii._runtime import kernel
    process = kernel.provider._process
    app = cdktf.App(outdir=sys.argv[1])
    stack = cdktf.TerraformStack(app, "first")
    print("refs", app.__jsii_ref__.ref, stack.__jsii_ref__.ref)
    print("owed", *[type(owed).__name__ for owed in process._owed or ()])
    print("stack id", stack.node.id)
    print("owed", *[type(owed).__name__ for owed in process._owed or ()])
    """
)

# A stack that overrides a jsii method, so the kernel calls back into Python when it synthesizes.
OVERRIDING_PROBE = textwrap.dedent(
    """
    import json, sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf

    class NamingStack(cdktf.TerraformStack):
        def _allocate_logical_id(self, element):
            return "named_by_python"

    app = cdktf.App(outdir=sys.argv[1])
    before = cdktf.TerraformStack(app, "before")
    named = NamingStack(app, "named")
    after = cdktf.TerraformStack(app, "after")
    cdktf.TerraformOutput(named, "out", value="x")
    print("refs", *[obj.__jsii_ref__.ref for obj in (app, before, named, after)])
    app.synth()
    with open(f"{sys.argv[1]}/stacks/named/cdk.tf.json") as stack:
        print("outputs", *json.load(stack)["output"])
    """
)

# Creates two stacks with one id in one scope, which the kernel rejects, then makes two requests that wait.
REJECTED_PROBE = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf
    app = cdktf.App(outdir=sys.argv[1])
    cdktf.TerraformStack(app, "twin")
    try:
        cdktf.TerraformStack(app, "twin")
        print("created")
        app.outdir
    except Exception as error:
        print("raised", type(error).__name__, str(error).splitlines()[0])
        print("notes", *getattr(error, "__notes__", []))
    print("afterwards", app.outdir == sys.argv[1])
    """
)

# Sends creates with claims the kernel must refuse: a taken id, and ids not of the form <fqn>@<name>.
REFUSED_CLAIMS_PROBE = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf
    from jsii._runtime import kernel
    from jsii._kernel.types import CreateRequest, CreateResponse
    from gpulab.speed.async_creates import CLAIM_KEY, OwedCreate
    process = kernel.provider._process
    taken = cdktf.App(outdir=sys.argv[1]).__jsii_ref__.ref
    print("taken", taken)
    for claim in (taken, "cdktf.Other@gpulab99", "cdktf.App@gpulab@99"):
        request = CreateRequest(fqn="cdktf.App", args=[])
        process._write_owed(request, OwedCreate(request, CreateResponse(ref=claim)), {CLAIM_KEY: claim})
        try:
            process.collect_owed_answers()
            print("accepted", claim)
        except Exception as error:
            print("refused", type(error).__name__, str(error).splitlines()[0])
    """
)


# Creates far more objects in a row, without a request that waits, than unread answers fill the channel with.
MANY_CREATES_PROBE = textwrap.dedent(
    """
    import sys
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    import cdktf
    from jsii._runtime import kernel
    from gpulab.speed.owed_answers import MOST_OWED
    process = kernel.provider._process
    stack = cdktf.TerraformStack(cdktf.App(outdir=sys.argv[1]), "many")
    most = 0
    for index in range(1000):
        cdktf.TerraformOutput(stack, f"output{index}", value="x")
        most = max(most, len(process._owed or ()))
    print("most owed", most, "of", MOST_OWED)
    print("children", len(stack.node.children))
    """
)


def test_creates_are_sent_ahead_under_claimed_ids_and_answered_before_a_waiting_request(tmp_path):
    lines = probe_lines(PROBE, str(tmp_path / "out"))
    # The app waits (its constructor makes the output folder), and so collects the loads owed.
    assert re.fullmatch(r"refs cdktf\.App@\d+ cdktf\.TerraformStack@gpulab1", lines[0]), lines[0]
    assert lines[1:] == ["owed OwedCreate", "stack id first", "owed"]


def test_creates_in_a_row_never_owe_more_answers_than_the_channel_holds(tmp_path):
    """1,000 creates and no read: unread answers would fill the channel at about 450, and both sides block."""
    output = run_python(MANY_CREATES_PROBE, str(tmp_path / "out"), env=os.environ, timeout=120)
    assert output.splitlines() == ["most owed 63 of 64", "children 1000"]


def test_switched_off_every_create_waits_and_the_kernel_makes_the_ids(tmp_path):
    lines = probe_lines(PROBE, str(tmp_path / "out"), GPULAB_ASYNC_CREATES="off")
    assert re.fullmatch(r"refs cdktf\.App@\d+ cdktf\.TerraformStack@\d+", lines[0]), lines[0]
    assert lines[1:] == ["owed", "stack id first", "owed"]


def test_once_an_object_can_call_back_every_create_waits_and_callbacks_work(tmp_path):
    lines = probe_lines(OVERRIDING_PROBE, str(tmp_path / "out"))
    stacks = r"cdktf\.TerraformStack@gpulab1 cdktf\.TerraformStack@\d+ cdktf\.TerraformStack@\d+"
    assert re.fullmatch(rf"refs cdktf\.App@\d+ {stacks}", lines[0]), lines[0]
    assert lines[1] == "outputs named_by_python"


def test_a_rejected_create_raises_jsiis_error_at_the_next_waiting_request(tmp_path):
    kernel_error = "There is already a Construct with name 'twin' in App"
    lines = probe_lines(REJECTED_PROBE, str(tmp_path / "out"))
    assert lines[:2] == ["created", f"raised RuntimeError {kernel_error}"]
    note = "notes gpulab: raised for creating a cdktf.TerraformStack (cdktf.TerraformStack@gpulab2), "
    assert lines[2].startswith(note), lines[2]
    assert lines[2].endswith("GPULAB_ASYNC_CREATES=off raises it where it was created")
    assert lines[3] == "afterwards True", "the answers after the error were read: the channel is in step"

    waiting = probe_lines(REJECTED_PROBE, str(tmp_path / "out"), GPULAB_ASYNC_CREATES="off")
    assert waiting == [f"raised RuntimeError {kernel_error}", "notes", "afterwards True"]


def test_the_kernel_refuses_a_taken_or_malformed_claim(tmp_path):
    refusal = "refused JSIIError Cannot register a cdktf.App as {}: a claimed id must be a free cdktf.App@<name>"
    lines = probe_lines(REFUSED_CLAIMS_PROBE, str(tmp_path / "out"))
    taken = lines[0].removeprefix("taken ")
    assert lines[1:] == [
        refusal.format(f'"{taken}"'),
        refusal.format('"cdktf.Other@gpulab99"'),
        refusal.format('"cdktf.App@gpulab@99"'),
    ]


def test_an_answer_must_carry_the_claimed_id_and_its_interfaces_are_taken_as_jsii_would():
    from jsii._kernel.types import CreateRequest, CreateResponse, ObjRef
    from jsii.errors import JSIIError

    from gpulab.speed.async_creates import OwedCreate

    request = CreateRequest(fqn="example.Thing", args=[])
    claimed = CreateResponse(ref="example.Thing@gpulab7")
    owed = OwedCreate(request, claimed)

    owed.accept(ObjRef(ref="example.Thing@gpulab7", interfaces=["example.IExtra"]))
    assert claimed.interfaces == ["example.IExtra"]
    with pytest.raises(JSIIError, match="claimed as example.Thing@gpulab7 as example.Thing@10001"):
        owed.accept(ObjRef(ref="example.Thing@10001"))


def test_an_answer_that_is_the_line_expected_is_taken_without_decoding_any_other_is_decoded_and_checked():
    from jsii._kernel.providers import process
    from jsii._kernel.types import CreateRequest, CreateResponse
    from jsii.errors import JSIIError

    from gpulab.speed.async_creates import OwedCreate
    from gpulab.speed.owed_answers import OwedAnswers

    class Channel(OwedAnswers):
        """The owed answers of a kernel that answered `lines`, recording which lines were decoded."""

        def __init__(self, lines: list[bytes]) -> None:
            unstarted = process._NodeProcess()
            unstarted.stop = lambda: None  # its __del__ stops it
            self._serializer = unstarted._serializer
            self._process = types.SimpleNamespace(stdin=io.BytesIO(), stdout=io.BytesIO(b"".join(lines)))
            self._owed = collections.deque()
            self.decoded = []

        def _decode_answer(self, line):
            self.decoded.append(line)
            return super()._decode_answer(line)

    def owed_create(number: int) -> OwedCreate:
        return OwedCreate(
            CreateRequest(fqn="example.Thing", args=[]), CreateResponse(ref=f"example.Thing@gpulab{number}")
        )

    plain, extended, wrong = owed_create(1), owed_create(2), owed_create(3)
    with_interfaces = b'{"ok":{"$jsii.byref":"example.Thing@gpulab2","$jsii.interfaces":["example.IExtra"]}}\n'
    channel = Channel([plain.expected_line, with_interfaces, b'{"ok":{"$jsii.byref":"example.Thing@10001"}}\n'])
    channel._owed.extend([plain, extended, wrong])
    with pytest.raises(JSIIError, match="claimed as example.Thing@gpulab3 as example.Thing@10001"):
        channel.collect_owed_answers()
    assert plain.expected_line == b'{"ok":{"$jsii.byref":"example.Thing@gpulab1"}}\n'
    assert channel.decoded == [with_interfaces, b'{"ok":{"$jsii.byref":"example.Thing@10001"}}\n']
    assert extended.ref.interfaces == ["example.IExtra"]


def test_each_create_sent_ahead_reaches_the_kernel_at_once(tmp_path):
    """The kernel works on a create while Python builds the next, not once a bufferful has gathered."""
    from jsii._kernel.providers import process
    from jsii._kernel.types import CreateRequest, CreateResponse

    from gpulab.speed.async_creates import OwedCreate
    from gpulab.speed.owed_answers import OwedAnswers

    class Recorder:
        """A channel's write end that records what reaches the kernel: flushed requests only."""

        def __init__(self) -> None:
            self.pending, self.sent = [], []

        def write(self, data: bytes) -> None:
            self.pending.append(json.loads(data)["api"])

        def flush(self) -> None:
            self.sent += self.pending
            self.pending = []

    class Channel(OwedAnswers):
        def __init__(self) -> None:
            unstarted = process._NodeProcess()
            unstarted.stop = lambda: None  # its __del__ stops it
            self._serializer = unstarted._serializer
            self._process = types.SimpleNamespace(stdin=Recorder(), stdout=io.BytesIO())

    channel = Channel()
    create = CreateRequest(fqn="example.Thing", args=[])
    owed = OwedCreate(create, CreateResponse(ref="example.Thing@gpulab1"))
    channel._write_owed(create, owed)
    assert (channel._process.stdin.pending, channel._process.stdin.sent) == ([], ["create"])
    channel._write_owed(create, owed)
    assert (channel._process.stdin.pending, channel._process.stdin.sent) == ([], ["create", "create"])
    assert len(channel._owed) == 2, "both answers are still owed: nothing waited for them"
