"""Fast request encoding: the frequent requests reach the kernel as the same JSON jsii's converter makes."""

from __future__ import annotations

import datetime
import enum
import io
import json
import os
import textwrap

import pytest

from gpulab.speed import request_encoding
from tests.conftest import REPO
from tests.speed.binding_probe import run_python

# Synthesizes one environment per cloud; every request the kernel gets is also encoded jsii's way and compared.
PROBE = textwrap.dedent(
    """
    import json, os, runpy, sys
    os.chdir(sys.argv[2])
    from gpulab.speed.fast_import import enable_fast_provider_loading; enable_fast_provider_loading()
    from gpulab.speed import request_encoding
    from jsii._kernel.providers import process

    counts = {"fast": 0, "stock": 0, "different": 0}
    fast_unstructure = request_encoding.FastRequestConverter.unstructure

    def compared(self, obj, *args, **kwargs):
        data = fast_unstructure(self, obj, *args, **kwargs)
        fast = json.loads(json.dumps(data, default=request_encoding.wire_form))
        stock = json.loads(json.dumps(self._converter.unstructure(obj), default=request_encoding._jsii_jdefault))
        shallow = type(obj) in request_encoding._api_names() and not getattr(obj, "overrides", None)
        counts["fast" if shallow else "stock"] += 1
        counts["different"] += fast != stock
        return data

    request_encoding.FastRequestConverter.unstructure = compared
    sys.argv = ["main.py", "synth", "dev", "echoes", "tiny", "--out", sys.argv[1]]
    try:
        runpy.run_path("main.py", run_name="__main__")
    except SystemExit:
        pass
    print(json.dumps(counts))
    """
)


def test_every_request_of_a_synth_encodes_to_the_json_jsiis_converter_makes(tmp_path):
    output = run_python(PROBE, str(tmp_path / "out"), str(REPO), env=os.environ).splitlines()
    counts = json.loads(output[-1])
    assert counts["different"] == 0
    assert counts["fast"] > 150, "the frequent requests took the fast path"


class Color(enum.Enum):
    """Shaped like a jsii enum."""

    RED = "RED"


Color.__jsii_type__ = "example.Color"


def _jsii_converter():
    """The cattrs converter jsii's process builds, from a process that is never started."""
    from jsii._kernel.providers import process

    unstarted = process._NodeProcess()
    unstarted.stop = lambda: None  # its __del__ stops it
    return unstarted._serializer


@pytest.fixture
def jsii_process():
    """jsii's process module, with request_encoding installed (idempotent, as the direct kernel does)."""
    from jsii._kernel.providers import process

    request_encoding.install(process)
    return process


def test_wire_forms_match_jsiis_converter_hooks(jsii_process):
    from jsii._kernel.types import ObjRef

    converter = _jsii_converter()
    for value in (ObjRef(ref="a.B@1"), ObjRef(ref="a.B@2", interfaces=["a.IC"]), Color.RED):
        assert request_encoding.wire_form(value) == converter.unstructure(value)
    moment = datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC)
    assert request_encoding.wire_form(moment) == {"$jsii.date": moment.isoformat()}
    with pytest.raises(TypeError, match="Naive datetimes"):
        request_encoding.wire_form(datetime.datetime(2026, 11, 22))
    with pytest.raises(TypeError, match="Don't know how to convert"):
        request_encoding.wire_form(object())


def test_other_requests_and_creates_with_overrides_go_through_jsiis_converter():
    from jsii._kernel.types import CreateRequest, GetRequest, LoadRequest, ObjRef, Override

    stock = _jsii_converter()
    fast = request_encoding.FastRequestConverter(stock)
    load = LoadRequest(name="a", version="1.0.0", tarball="/x.tgz")
    overriding = CreateRequest(fqn="a.B", overrides=[Override(method="m", cookie="m")])
    assert fast.unstructure(load) == stock.unstructure(load)
    assert fast.unstructure(overriding) == stock.unstructure(overriding)
    get = GetRequest(objref=ObjRef(ref="a.B@1"), property="p")
    assert fast.unstructure(get) == {"objref": {"$jsii.byref": "a.B@1"}, "property": "p", "api": "get"}


class Settings(dict):
    """A dict subclass: jsii lays it out as a map, through its own function."""


def without_null_fields(wire):
    """A wire form less its structs' null fields, which the kernel drops as it reads a struct."""
    if isinstance(wire, list):
        return [without_null_fields(item) for item in wire]
    if not isinstance(wire, dict):
        return wire
    if "$jsii.struct" in wire:
        struct = wire["$jsii.struct"]
        fields = {name: without_null_fields(value) for name, value in struct["data"].items() if value is not None}
        return {"$jsii.struct": {"fqn": struct["fqn"], "data": fields}}
    return {key: without_null_fields(value) for key, value in wire.items()}


def test_native_reference_lays_out_every_kind_of_argument_as_jsii_does_less_null_struct_fields(jsii_process, tmp_path):
    import cdktf
    from cdktf_cdktf_provider_google.compute_disk import ComputeDiskDiskEncryptionKey
    from jsii import _kernel

    class OwnKey(ComputeDiskDiskEncryptionKey):
        """A struct's subclass: jsii lays it out, through its own function, nulls and all."""

    jsii_native_reference = request_encoding._jsii_native_reference
    key = ComputeDiskDiskEncryptionKey(kms_key_self_link="projects/p/keys/k")
    moment = datetime.datetime(2026, 11, 22, tzinfo=datetime.UTC)
    arguments = [
        "a", 1, 1.5, True, None, moment, Color.RED, key,
        ["a", [1, None], {"k": key}], {"labels": {"team": "ml"}, "zones": ["a", "b"]},
        Settings(a=1), [Settings(b=[key])],
    ]  # fmt: skip

    def stock(argument):
        _kernel._make_reference_for_native = jsii_native_reference  # jsii's own recursion, all the way down
        try:
            return jsii_native_reference(None, argument)
        finally:
            _kernel._make_reference_for_native = request_encoding.native_reference

    for argument in arguments:
        assert request_encoding.native_reference(None, argument) == without_null_fields(stock(argument)), argument
    app = cdktf.App(outdir=str(tmp_path))
    for construct in (app, [cdktf.TerraformStack(app, "stack")]):  # jsii passes it on and writes its reference later
        written = json.dumps(request_encoding.native_reference(None, construct))
        assert written == json.dumps(stock(construct), default=request_encoding._jsii_jdefault)
    jsii_key = stock(key)["$jsii.struct"]["data"]
    assert (
        jsii_key["rawKey"] is None
        and "rawKey" not in request_encoding.native_reference(None, key)["$jsii.struct"]["data"]
    )
    own = OwnKey(kms_key_self_link="projects/p/keys/k")
    assert request_encoding.native_reference(None, own) == stock(own)
    with pytest.raises(Exception, match="Cannot pass function as argument"):
        request_encoding.native_reference(None, [lambda: None])


def test_overrides_are_the_ones_jsii_finds(jsii_process):
    import jsii
    from cdktf import IStringProducer, TerraformStack
    from cdktf_cdktf_provider_google.compute_disk import ComputeDisk
    from constructs import Construct

    class Plain(Construct):
        pass

    class Overriding(TerraformStack):
        def to_string(self) -> str:
            return "overriding"

    @jsii.implements(IStringProducer)
    class Producer:
        def produce(self, context):
            return "x"

    cases = [(ComputeDisk, ComputeDisk), (Construct, Plain), (TerraformStack, Overriding), (Producer, Producer)]
    for klass, kind in cases:
        obj = object.__new__(kind)  # an instance the kernel has not made: overrides are found before the create
        assert request_encoding.overrides(klass, obj) == request_encoding._jsii_overrides(klass, obj), kind
    assert request_encoding.overrides(TerraformStack, object.__new__(Overriding)), "the override is found"


ANSWERS = [
    b'{"ok":{"$jsii.byref":"a.B@1"}}\n',
    b'{"ok":{"$jsii.byref":"a.B@2","$jsii.interfaces":["a.IC"]}}\n',
    b'{"ok":{"value":"${TfToken[TOKEN.12]}"}}\n',
    b'{"ok":{"result":{"$jsii.map":{"a":{"$jsii.enum":"a.Color/RED"}}}}}\n',
    b'{"ok":{"result":{"$jsii.date":"2026-11-22T00:00:00.000Z"}}}\n',
    '{"ok":{"value":"zoné \\ud800 ✓"}}\n'.encode(),
    b'{"hello":"@jsii/runtime@1.142.0"}\n',
    b'\xef\xbb\xbf{"ok":{}}\n',
    '{"ok":{}}\n'.encode("utf-16-le"),  # json.loads guesses UTF-16 from the NUL after "{"
    b"[1, 2]\n",
]


BROKEN_ANSWERS = [b"", b"{\n", b"not json\n"]


def _outcome(read):
    """What `read()` returns, or the type and message of the ValueError it raises."""
    try:
        return read()
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError among them
        return type(error), str(error)


@pytest.mark.parametrize("line", ANSWERS + BROKEN_ANSWERS)
def test_an_answer_reads_as_jsiis_json_loads_reads_it(jsii_process, line):
    ours = _outcome(lambda: request_encoding.decode_answer(io.BytesIO(line).readline()))
    theirs = _outcome(lambda: json.loads(io.BytesIO(line).readline(), object_hook=jsii_process.ohook))
    assert ours == theirs
