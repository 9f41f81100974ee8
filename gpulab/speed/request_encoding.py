"""Encode jsii's frequent requests in one pass of the C JSON encoder; lay out arguments and read answers cheaper.

jsii's process writes each request as `json.dumps(converter.unstructure(request),
default=jdefault)`: cattrs first walks every dict and list of the arguments
in Python, building a copy in which object references and enum members have
their wire form, and the json module then walks that copy again. For all
shipped environments that is about 47,500 unstructure calls for 1,066
requests: 110-150 ms of CPU, plus 50-60 ms of `json.dumps`.

For the requests that make up nearly all of a synth (`create` without
overrides, `get`, `set`, `invoke`, `sget`, `sinvoke`), the direct kernel's
converter (kernel.py) returns the request's fields as they are, with the
`api` name jsii's own hooks add, and leaves the walk to the C encoder, which
calls jsii's `jdefault` for what it cannot encode itself. `jdefault` is
extended with the two wire forms cattrs gave before: an `ObjRef` becomes
`{"$jsii.byref": ...}` (with its interfaces, if any) and a jsii enum member
`{"$jsii.enum": "<fqn>/<value>"}`, exactly as jsii's unstructure hooks write
them; anything else goes to jsii's `jdefault` as before. Every other request
(loads, overrides, callbacks' completions) is unstructured by cattrs, as in
jsii.

Before that, jsii lays out each argument with `_make_reference_for_native`,
which tests a value for a dict, a list, a jsii type and a function before it
finds that a string is a string: 1,400 calls per environment, most of them
for strings, numbers, booleans and None. `native_reference` takes those, and
plain lists and dicts, first and hands everything else to jsii's function
(whose recursion then comes back to it), but for a struct of a generated
class, which it lays out itself, leaving out the fields that are not set.
jsii writes each of those as `null`: 840 of them for a small environment,
40% of its requests' bytes (a provider's configuration struct alone has 200
endpoint fields), which the kernel then deserializes one by one to drop them
(a null optional value reads as undefined, and the kernel leaves undefined
fields out of the struct it builds), so the kernel builds the same struct.
An object passed by reference (a scope, a resource), which jsii passes on
for its `jdefault` to write when the request is encoded, and a request's
`objref`, are written as their references at once, so the C encoder never
calls back into Python. (The requests written ahead, owed_answers.py, also
leave out the JSON encoder's spaces.)

jsii reads each answer with `json.loads(line, object_hook=ohook)`, which
guesses the bytes' encoding and builds a new decoder every time;
`decode_answer` decodes a line that starts as every kernel answer does (`{`
then a byte that is not NUL, which is what makes `json.loads` choose UTF-8)
with one decoder built once, and any other line with `json.loads`, as
before. `overrides` answers jsii's search for
overrides at once when the object's own class is one jsii declared (the
search stops there empty). Together they take about 10% of the instructions
Python spends on each extra environment; the unset struct fields, 6% of the
instructions of Python and the kernel together.

GPULAB_FAST_REQUESTS=off turns all of this off.
"""

from __future__ import annotations

import enum
import json

from gpulab.speed.switches import FAST_REQUESTS, switched_on

SWITCH = FAST_REQUESTS


def enabled() -> bool:
    return switched_on(SWITCH)


def _api_names() -> dict[type, str]:
    from jsii._kernel import types

    return {
        types.CreateRequest: "create",
        types.GetRequest: "get",
        types.SetRequest: "set",
        types.InvokeRequest: "invoke",
        types.StaticGetRequest: "sget",
        types.StaticInvokeRequest: "sinvoke",
    }


class FastRequestConverter:
    """jsii's cattrs converter, except that the frequent requests are laid out shallowly for the C encoder."""

    def __init__(self, converter) -> None:
        import attr

        self._converter = converter
        self._fields = {kind: (name, [f.name for f in attr.fields(kind)]) for kind, name in _api_names().items()}

    def unstructure(self, obj, *args, **kwargs):
        layout = self._fields.get(type(obj))
        if layout is None or args or kwargs or getattr(obj, "overrides", None):
            return self._converter.unstructure(obj, *args, **kwargs)
        api, fields = layout
        data = {field: getattr(obj, field) for field in fields}
        if "objref" in data:
            data["objref"] = wire_form(data["objref"])  # what the encoder's default would write
        data["api"] = api
        return data

    def __getattr__(self, name: str):
        return getattr(self._converter, name)


def wire_form(obj):
    """`jdefault` extended with the wire forms jsii's converter gives object references and enum members."""
    from jsii._kernel.types import ObjRef

    if isinstance(obj, ObjRef):
        if obj.interfaces:
            return {"$jsii.byref": obj.ref, "$jsii.interfaces": obj.interfaces}
        return {"$jsii.byref": obj.ref}
    if isinstance(obj, enum.Enum):
        return {"$jsii.enum": f"{obj.__class__.__jsii_type__}/{obj.value}"}
    return _jsii_jdefault(obj)


# Values jsii passes as they are: its `_make_reference_for_native` returns them unchanged.
PLAIN_VALUES = frozenset({str, int, float, bool, type(None)})


def native_reference(kernel, value):
    """jsii's `_make_reference_for_native(kernel, value)`, with plain values, lists and dicts taken first."""
    kind = type(value)
    if kind in PLAIN_VALUES:
        return value
    if kind is list:
        return [native_reference(kernel, item) for item in value]
    if kind is dict:
        return {"$jsii.map": {key: native_reference(kernel, item) for key, item in value.items()}}
    names = kind.__dict__.get("__jsii_name_mapping__")
    if names is not None:
        return {"$jsii.struct": {"fqn": kind.__jsii_type__, "data": _struct_fields(kernel, value, names)}}
    ref = getattr(value, "__jsii_ref__", None)
    if ref is not None and getattr(kind, "__jsii_type__", None) is not None and not isinstance(value, enum.Enum):
        return wire_form(ref)  # jsii passes the object on, and its jdefault writes this when the request is encoded
    return _jsii_native_reference(kernel, value)


def _struct_fields(kernel, struct, names: dict[str, str]) -> dict:
    """A struct's fields that are set, by jsii name, laid out: jsii's `data` less its nulls."""
    fields = {}
    for python_name, jsii_name in names.items():
        value = getattr(struct, python_name)
        if value is not None:
            fields[jsii_name] = native_reference(kernel, value)
    return fields


def overrides(klass, obj) -> list:
    """jsii's `_get_overides(klass, obj)`: none at once for an object whose class jsii declared itself.

    jsii looks for overrides in the classes of the object's MRO up to the first
    that jsii declared, and stops there; when that is the object's own class (a
    provider resource, a struct) it finds none, after collecting every
    interface of the MRO to compare against.
    """
    if type(obj).__dict__.get("__jsii_declared_type__") is not None:
        return []
    return _jsii_overrides(klass, obj)


def decode_answer(line: bytes):
    """An answer line, as jsii's `json.loads(line, object_hook=ohook)` gives it."""
    if line[:1] == b"{" and line[1:2] != b"\x00":
        return _answer_decoder.decode(line.decode("utf-8", "surrogatepass"))
    return json.loads(line, object_hook=_answer_decoder.object_hook)


_jsii_jdefault = None
_jsii_native_reference = None
_jsii_overrides = None
_answer_decoder: json.JSONDecoder | None = None


def install(process_module) -> None:
    """Extend jsii's `jdefault`; lay out its arguments with `native_reference` and `overrides` (idempotent).

    Needed before any request is encoded shallowly or any answer is decoded with `decode_answer`.
    """
    from jsii import _kernel

    global _jsii_jdefault, _jsii_native_reference, _jsii_overrides, _answer_decoder
    if process_module.jdefault is not wire_form:
        _jsii_jdefault = process_module.jdefault
        process_module.jdefault = wire_form
    if _kernel._make_reference_for_native is not native_reference:
        _jsii_native_reference = _kernel._make_reference_for_native
        _kernel._make_reference_for_native = native_reference
    if _kernel._get_overides is not overrides:
        _jsii_overrides = _kernel._get_overides
        _kernel._get_overides = overrides
    _answer_decoder = json.JSONDecoder(object_hook=process_module.ohook)
