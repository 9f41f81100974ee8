"""Mark an app whose stacks need no preparing pass before they are written (skip_preparing.js).

cdktf resolves every element twice when it synthesizes; the first, preparing,
pass only registers cross-stack references (and runs tokens' side effects).
An app gpulab builds from environment files has neither: each stack stands
alone and its tokens are plain Terraform expressions. `skip_preparing.js`,
preloaded into the kernel, synthesizes a marked app without that pass when
every token cdktf registered is such an expression and no construct has an
aspect, and starts over the ordinary way if a reference into another stack
turns up while it writes.
GPULAB_SKIP_PREPARING=off keeps cdktf's own synthesis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdktf import App

CONTEXT_KEY = "gpulab:skipPreparing"  # read by skip_preparing.js


def mark_without_preparing(app: App) -> None:
    """Ask for `app` to be synthesized without the preparing pass; call it before the app has children."""
    app.node.set_context(CONTEXT_KEY, True)
