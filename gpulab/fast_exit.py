"""Let the interpreter exit without collecting garbage among everything a synth loaded.

As Python exits it clears every module and runs full garbage collections,
each of which visits every object still tracked: about 100,000 after a synth
of all shipped environments (cdktf, jsii, pydantic, the provider bindings),
120–140 ms here after the output is written and the kernel has stopped, and
about 13 s with every speed-up off, when whole provider packages are loaded.
`gc.freeze()` moves those objects to the permanent generation, which no
collection visits; reference counting still frees them as the modules are
cleared, and atexit handlers (jsii's kernel stop among them) run as before.

What it gives up: objects that only a reference cycle keeps alive at exit
are not finalized. Python does not promise that they are ("It is not
guaranteed that __del__() methods are called for objects that still exist
when the interpreter exits"), and gpulab closes what it writes before it
returns. So only the command line's entry point calls this, as the last
thing its process does; GPULAB_FREEZE_AT_EXIT=off turns it off.
"""

from __future__ import annotations

import gc

from gpulab.speed.switches import FREEZE_AT_EXIT, switched_on


def skip_collections_at_exit() -> None:
    """Freeze every tracked object so that the collections at interpreter exit pass them by."""
    if switched_on(FREEZE_AT_EXIT):
        gc.freeze()
