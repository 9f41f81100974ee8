"""Create jsii objects without waiting for the kernel's answer: Python claims each new object's id.

Building a stack is mostly `create` requests (664 of about 1,070 for all
shipped environments), and jsii waits for each answer only to learn the new
object's id, `<fqn>@<number>`, so Python and the kernel take turns: Python
serializes and type-checks the next resource's arguments while the kernel is
idle, then the kernel builds it while Python is idle.

With the direct kernel's `claimed-object-ids` patch (program_patches.py) a
`create` request may name the id the object is to be registered under. Python
claims `<fqn>@gpulab<n>` (the kernel's own ids are numbers, so the two never
meet, and the kernel refuses a taken or malformed claim), writes the request
and goes on with that id at once; the answer is read later (owed_answers.py)
and must carry the same id. So the kernel builds one resource while Python
prepares the next.

Only classes whose constructors work in the kernel's memory alone are
created this way: every class of a provider assembly (`@cdktf/provider-*`,
generated code that stores its configuration) and the cdktf and constructs
classes in `IN_MEMORY_CLASSES`, whose constructors were read in the pinned
cdktf 0.21.0. Any other class waits for its answer, as it must when its
constructor touches the world Python also sees: `cdktf.App` creates its
output folder, a `TerraformAsset` reads the files it is given.

It is also only safe while the kernel cannot call back into Python: a kernel
that calls back in the middle of a `create` reads the requests sent ahead as
if the callback had made them. The kernel calls back only into objects
created with overrides (Python subclasses overriding jsii members, Python
implementations of jsii interfaces), so from the first `create` with
overrides on, every request waits for its answer again, as jsii's do.

A create the kernel rejects (a construct id used twice in one scope, say)
raises jsii's error with jsii's message when its answer is read: at the next
request that waits, one or a few statements later than where it was created;
a note on the error names the create. GPULAB_ASYNC_CREATES=off makes every
create wait, to raise where it was made.
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
