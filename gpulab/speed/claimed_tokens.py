"""Read a resource's string attributes without waiting for the kernel: Python claims each token's name.

Saves: 1.2× (1.1–1.3×) of a synth of every shipped environment (benchmark
`speedups` section, 2026-12-07). Depends on: the `claimed-tokens` patch
(program_patches.py) and cdktf's string token texts, `${TfToken[<key>]}`.

With creates sent ahead (async_creates.py), most requests that still wait
are reads of attributes (a network's `id`, a disk's `self_link`): each drains
the pipeline. A provider's generated getter of a string attribute is
`return this.getStringAttribute("x")`, which registers a new string token in
cdktf's token map and answers its text. A `get` or `invoke` may now carry a
key, `gpulab:<n>`: the kernel runs the read as before and, when the answer is
one string token, registers the claimed key for that same token and answers
`${TfToken[gpulab:<n>]}`; anything else is a jsii fault (cdktf's own keys end
in `.<counter>`, so a claim never meets one). Python goes on with the claimed
token at once and checks the answer later (owed_answers.py). The kernel
still runs every getter, so its token counter, and the output, are unchanged.

Only reads whose answer is known to be one string token are claimed: a `get`
of a property a provider class declares, in its generated Python, as exactly
`str` (the getters that echo their input are `Optional[str]`), on a cdktf
`TerraformResource` or `TerraformDataSource`, and an `invoke` of
`getStringAttribute` on one. As with creates, claims stop once an object that
can call back into Python exists. A refused read raises jsii's error at the
next request that waits, with a note naming the read;
GPULAB_CLAIMED_TOKENS=off makes every read wait.
"""

from __future__ import annotations

import itertools
import json

from gpulab.speed.async_creates import PROVIDER_ASSEMBLY_PREFIX, ObjectIdClaims
from gpulab.speed.switches import CLAIMED_TOKENS, switched_on

SWITCH = CLAIMED_TOKENS
CLAIM_KEY = "gpulab.token"  # the request key program_patches.py's kernel reads
KEY_PREFIX = "gpulab:"  # claimed keys are gpulab:<n>; cdktf's are <hint>.<n>
STRING_ATTRIBUTE_METHOD = "getStringAttribute"
STRING_ANNOTATIONS = ("builtins.str", str)  # as lazy annotations leave it, and as Python evaluates it


def enabled() -> bool:
    return switched_on(SWITCH)


def token_text(key: str) -> str:
    """The text of the string token registered under `key`, as cdktf writes it."""
    return "${TfToken[" + key + "]}"


def declared_string_attributes(klass: type) -> frozenset[str]:
    """The jsii names of the getters typed `str` that `klass` and its bases in provider assemblies declare."""
    names = set()
    for declaring in klass.__mro__:
        if not vars(declaring).get("__jsii_type__", "").startswith(PROVIDER_ASSEMBLY_PREFIX):
            continue
        for member in vars(declaring).values():
            getter = member.fget if isinstance(member, property) else None
            name = getattr(getter, "__jsii_name__", None)
            if name and getter.__annotations__.get("return") in STRING_ANNOTATIONS:
                names.add(name)
    return frozenset(names)


class TokenClaims:
    """Token keys for attribute reads, handed out while `object_ids` says no object can call back."""

    def __init__(self, object_ids: ObjectIdClaims) -> None:
        self._object_ids = object_ids
        self._numbers = itertools.count(1)
        self._attributes: dict[str, frozenset[str]] = {}  # per fqn: the string attributes, none if not a resource

    def claim(self, request) -> OwedToken | None:
        """The owed read to send for `request` (a get or an invoke), or None when it must wait for its answer."""
        from jsii._kernel.types import GetRequest, GetResponse, InvokeResponse

        if self._object_ids.callbacks_possible:
            return None
        fqn = request.objref.ref.rpartition("@")[0]
        if isinstance(request, GetRequest):
            if request.property not in self.string_attributes(fqn):
                return None
            response_type, field = GetResponse, "value"
        else:
            if request.method != STRING_ATTRIBUTE_METHOD or not self.string_attributes(fqn):
                return None
            response_type, field = InvokeResponse, "result"
        key = f"{KEY_PREFIX}{next(self._numbers)}"
        return OwedToken(request, key, field, response_type(**{field: token_text(key)}))

    def string_attributes(self, fqn: str) -> frozenset[str]:
        """The attributes of `fqn`'s objects that are read by claim: none unless it is a resource or data source."""
        names = self._attributes.get(fqn)
        if names is None:
            names = self._attributes[fqn] = self._find_string_attributes(fqn)
        return names

    @staticmethod
    def _find_string_attributes(fqn: str) -> frozenset[str]:
        import cdktf
        from jsii._reference_map import _types

        klass = _types.get(fqn)
        if klass is None or not issubclass(klass, (cdktf.TerraformResource, cdktf.TerraformDataSource)):
            return frozenset()
        return declared_string_attributes(klass)


class OwedToken:
    """A read sent ahead under a claimed token key: its answer must be that token."""

    def __init__(self, request, key: str, field: str, response) -> None:
        self.request, self.key, self.response = request, key, response
        self._field = field
        self.expected_line = b'{"ok":{"%b":%b}}\n' % (field.encode(), json.dumps(getattr(response, field)).encode())

    @property
    def member(self) -> str:
        """What was read, as `<fqn>.<property>` or `<fqn>.<method>()`."""
        fqn = self.request.objref.ref.rpartition("@")[0]
        return f"{fqn}.{self.request.property}" if self._field == "value" else f"{fqn}.{self.request.method}()"

    def accept(self, answer) -> None:
        from jsii.errors import JSIIError

        expected = getattr(self.response, self._field)
        if answer != {self._field: expected}:
            raise JSIIError(f"the kernel answered the read of {self.member} claimed as {expected} with {answer!r}")

    def failure(self, error: str, name: str, stack: str) -> Exception:
        from gpulab.speed.owed_answers import jsii_error

        return jsii_error(
            error,
            name,
            stack,
            note=f"gpulab: raised for reading {self.member} (claimed as token {self.key}), "
            f"whose answer was read later; {SWITCH}=off raises it where it was read",
        )
