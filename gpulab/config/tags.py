"""The tag set every resource of an environment carries."""

from __future__ import annotations

from gpulab.config.model import Environment

# The keys gpulab sets on every resource; an environment's own tags may not use them.
GPULAB_TAG_KEYS = frozenset({"Project", "Environment", "ManagedBy", "Owner"})


def common_tags(env: Environment) -> dict[str, str]:
    """Project, Environment, ManagedBy and Owner, then the file's own tags.

    The file's tags add keys; they cannot replace these four (validation
    rejects them), and the four are written last all the same.
    """
    return {
        **env.tags,
        "Project": env.project,
        "Environment": env.name,
        "ManagedBy": "gpulab",
        "Owner": env.owner,
    }
