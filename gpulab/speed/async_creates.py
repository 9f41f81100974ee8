"""Create jsii objects without waiting for the kernel's answer: Python claims each new object's id.

Saves: 1.4× (1.2–1.4×) of a synth of every shipped environment (benchmark
`speedups` section, 2026-12-07). Depends on: the `claimed-object-ids` patch
(program_patches.py) and the constructors of `IN_MEMORY_CLASSES` in cdktf 0.21.0.

Building a stack is mostly `create` requests (664 of about 1,070 for all
shipped environments), and jsii waits for each only to learn the object's id,
so Python and the kernel take turns. With the patch a `create` may name its
id: Python claims `<fqn>@gpulab<n>` (the kernel's ids are numbers; it refuses
a taken or malformed claim), writes the request and goes on at once; the
answer is read later (owed_answers.py) and must carry the same id.

Only classes whose constructors work in the kernel's memory alone are created
this way: every class of a provider assembly (generated code that stores its
configuration) and the cdktf and constructs classes in `IN_MEMORY_CLASSES`.
`cdktf.App` (it creates its output folder) or a `TerraformAsset` (it reads
files) waits for its answer. It is also only safe while the kernel cannot call
back into Python, which it does only into objects created with overrides: from
the first such `create` on, every request waits again, as jsii's do.

A rejected create (a construct id used twice in one scope) raises jsii's
error, with a note naming the create, at the next request that waits, when
the app synthesizes, or, at the latest, when the program exits (kernel.py:
exit status 1). GPULAB_ASYNC_CREATES=off makes every create wait, to raise
where it was made.
"""

from __future__ import annotations

import itertools
import json

from gpulab.speed.switches import ASYNC_CREATES, switched_on

SWITCH = ASYNC_CREATES
CLAIM_KEY = "gpulab.objid"  # the request key program_patches.py's kernel reads
CLAIM_PREFIX = "gpulab"  # claimed ids are <fqn>@gpulab<n>; the kernel's own are <fqn>@<n>
PROVIDER_ASSEMBLY_PREFIX = "@cdktf/provider-"
IN_MEMORY_CLASSES = frozenset(
    {
        "constructs.Construct",
        "cdktf.TerraformStack",
        "cdktf.TerraformOutput",
        "cdktf.LocalBackend",
        "cdktf.S3Backend",
        "cdktf.AzurermBackend",
        "cdktf.GcsBackend",
    }
)


def enabled() -> bool:
    return switched_on(SWITCH)


def constructs_in_memory(fqn: str) -> bool:
    """Whether creating a `fqn` only changes the kernel's memory (no files, no other side effects)."""
    return fqn.startswith(PROVIDER_ASSEMBLY_PREFIX) or fqn in IN_MEMORY_CLASSES


class ObjectIdClaims:
    """Ids for new objects, handed out while no object that can call back into Python exists."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self._callbacks_possible = False

    @property
    def callbacks_possible(self) -> bool:
        """Whether an object the kernel may call back into Python has been created (claimed_tokens.py asks too)."""
        return self._callbacks_possible

    def claim(self, request):
        """The reference to give the object `request` creates, or None when the create must wait for its answer."""
        from jsii._kernel.types import CreateResponse

        if request.overrides:
            self._callbacks_possible = True
        if self._callbacks_possible or not constructs_in_memory(request.fqn):
            return None
        return CreateResponse(ref=f"{request.fqn}@{CLAIM_PREFIX}{next(self._numbers)}")


class OwedCreate:
    """A `create` written ahead under a claimed id: its answer must be that id."""

    def __init__(self, request, ref) -> None:
        self.request, self.ref = request, ref
        self.expected_line = b'{"ok":{"$jsii.byref":%b}}\n' % json.dumps(ref.ref).encode()  # no interfaces

    def accept(self, answer) -> None:
        from jsii.errors import JSIIError

        if answer.ref != self.ref.ref:
            raise JSIIError(f"the kernel registered the {self.request.fqn} claimed as {self.ref.ref} as {answer.ref}")
        if answer.interfaces != self.ref.interfaces:
            object.__setattr__(self.ref, "interfaces", answer.interfaces)  # as jsii would have set it

    def failure(self, error: str, name: str, stack: str) -> Exception:
        from gpulab.speed.owed_answers import jsii_error

        return jsii_error(
            error,
            name,
            stack,
            note=f"gpulab: raised for creating a {self.request.fqn} ({self.ref.ref}), whose answer was read later; "
            f"{SWITCH}=off raises it where it was created",
        )
