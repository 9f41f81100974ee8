"""Compare two synthesized stacks resource by resource, the way a plan would see the change.

No provider is asked, so this is what the configuration says will happen:
resources added and removed, arguments changed (old → new), replacements
where a changed argument forces one (replacements.py, from the providers'
schemas), and what follows from them: a resource whose construct id changed
gets a new address, which Terraform destroys and creates again unless a
`moved` block says otherwise; a resource that refers to a replaced one
through an argument that forces replacement is replaced too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from gpulab.review.replacements import held_data, loses_data, replacing_change, shrinks

METADATA_KEY = "//"  # cdktf's construct path and unique id: not configuration
RENAME_SIMILARITY = 0.6  # share of arguments equal in a removed and an added resource of one type
_INDEX = re.compile(r"\[\d+\]")


class Missing:
    """An argument that one side does not set."""

    def __repr__(self) -> str:
        return "(not set)"


MISSING = Missing()


@dataclass(frozen=True)
class ArgumentChange:
    """One argument (dotted path, list items as `[n]`) that differs; `replaces` when it forces a replacement."""

    path: str
    old: object
    new: object
    replaces: bool = False


@dataclass(frozen=True)
class ResourceChange:
    """What happens to the resource at `address`: create, delete, update or replace."""

    address: str
    action: str
    changes: tuple[ArgumentChange, ...] = ()
    moved_from: str | None = None  # a construct id change: the address it had
    renamed_to: str | None = None  # … and on the deleted address, the one it gets
    replaced_because: str | None = None  # a replacement that follows from another's
    protected: bool = False  # lifecycle.prevent_destroy: an apply that would destroy it fails instead

    @property
    def resource_type(self) -> str:
        return self.address.split(".", 1)[0]

    @property
    def holds(self) -> str | None:
        """What data the resource holds, for the types that hold some."""
        return held_data(self.resource_type)

    @property
    def data_loss(self) -> bool:
        """Deleting or replacing a resource that holds data."""
        return loses_data(self.resource_type, self.action)


@dataclass
class StackDiff:
    """The changes between one environment's stack at the base and now (None: the stack does not exist there)."""

    name: str
    base_exists: bool
    head_exists: bool
    resources: list[ResourceChange] = field(default_factory=list)
    outputs: list[ArgumentChange] = field(default_factory=list)
    settings: list[ArgumentChange] = field(default_factory=list)  # backend, providers, required providers

    def counts(self) -> dict[str, int]:
        actions = ("create", "update", "replace", "delete")
        return {action: sum(r.action == action for r in self.resources) for action in actions}

    @property
    def data_loss(self) -> list[ResourceChange]:
        return [r for r in self.resources if r.data_loss]

    @property
    def replacements(self) -> list[ResourceChange]:
        return [r for r in self.resources if r.action == "replace"]

    @property
    def unchanged(self) -> bool:
        return not (self.resources or self.outputs or self.settings) and self.base_exists == self.head_exists


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """Leaf values of a JSON value by dotted path (`a.b[0].c`); cdktf's `//` metadata left out."""
    if isinstance(value, dict):
        items: dict[str, object] = {}
        for key, item in value.items():
            if key != METADATA_KEY:
                items.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return {prefix: {}} if prefix and not items else items
    if isinstance(value, list):
        items = {}
        for index, item in enumerate(value):
            items.update(flatten(item, f"{prefix}[{index}]"))
        return items or {prefix: []}
    return {prefix: value}


def argument_changes(old: dict, new: dict) -> list[ArgumentChange]:
    """The leaf arguments that differ between two configurations, by path."""
    before, after = flatten(old), flatten(new)
    return [
        ArgumentChange(path, before.get(path, MISSING), after.get(path, MISSING))
        for path in sorted(before.keys() | after.keys())
        if before.get(path, MISSING) != after.get(path, MISSING)
    ]


def _resources(stack: dict) -> dict[str, dict]:
    return {
        f"{kind}.{name}": config
        for kind, named in (stack.get("resource") or {}).items()
        for name, config in named.items()
    }


def _similarity(before: dict[str, object], after: dict[str, object]) -> float:
    """The share of two flattened configurations' arguments that are equal."""
    if not before and not after:
        return 1.0
    same = sum(1 for path, value in before.items() if after.get(path, MISSING) == value)
    return same / max(len(before), len(after))


def _pair_renames(removed: dict[str, dict], added: dict[str, dict]) -> dict[str, str]:
    """Removed address → added address, for resources of one type whose arguments are mostly the same."""
    old_flat = {address: flatten(config) for address, config in removed.items()}
    new_flat = {address: flatten(config) for address, config in added.items()}
    candidates = sorted(
        (
            (_similarity(old_flat[old], new_flat[new]), old, new)
            for old in removed
            for new in added
            if old.split(".", 1)[0] == new.split(".", 1)[0]
        ),
        reverse=True,
    )
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for score, old, new in candidates:
        if score >= RENAME_SIMILARITY and old not in pairs and new not in taken:
            pairs[old] = new
            taken.add(new)
    return pairs


def _moved(stack: dict) -> dict[str, str]:
    """`moved` blocks: from → to."""
    blocks = stack.get("moved") or []
    return {block["from"]: block["to"] for block in blocks if isinstance(block, dict) and "from" in block}


def _protected(config: dict) -> bool:
    return bool((config.get("lifecycle") or {}).get("prevent_destroy"))


def _update_or_replace(address: str, old: dict, new: dict, moved_from: str | None = None) -> ResourceChange | None:
    resource_type = address.split(".", 1)[0]
    changes = argument_changes(old, new)
    if not changes and moved_from is None:
        return None
    generic = [_INDEX.sub("", change.path) for change in changes]
    replacing = set(replacing_change(resource_type, new, generic))
    marked = tuple(
        ArgumentChange(
            c.path,
            c.old,
            c.new,
            replaces=_INDEX.sub("", c.path) in replacing or shrinks(resource_type, c.path, c.old, c.new),
        )
        for c in changes
    )
    action = "replace" if any(c.replaces for c in marked) else "update"
    return ResourceChange(address, action, marked, moved_from=moved_from, protected=_protected(old))


def _refers_to(value: object, address: str) -> bool:
    return isinstance(value, str) and ("${" + address + ".") in value


def _cascade(changes: dict[str, ResourceChange], head: dict[str, dict]) -> None:
    """Replace what refers to a replaced resource through an argument that forces replacement.

    A reference to a resource created under a new address changes the
    argument's text, which argument_changes already sees.
    """
    flat = {address: flatten(config) for address, config in head.items()}
    while True:
        renewed = {a for a, c in changes.items() if c.action == "replace"}
        spread = False
        for address, config in head.items():
            current = changes.get(address)
            if current is not None and current.action in ("replace", "create", "delete"):
                continue
            resource_type = address.split(".", 1)[0]
            for path, value in flat[address].items():
                cause = next((r for r in renewed if _refers_to(value, r)), None)
                if cause and replacing_change(resource_type, config, [_INDEX.sub("", path)]):
                    kept = current.changes if current else ()
                    changes[address] = ResourceChange(
                        address,
                        "replace",
                        kept,
                        replaced_because=f"{path} refers to {cause}, which is replaced",
                        protected=_protected(config),
                    )
                    spread = True
                    break
        if not spread:
            return


def diff_stacks(name: str, base: dict | None, head: dict | None) -> StackDiff:
    """How environment `name`'s stack changes from `base` to `head` (either None when it does not exist there)."""
    result = StackDiff(name, base_exists=base is not None, head_exists=head is not None)
    old, new = _resources(base or {}), _resources(head or {})
    moved = _moved(head or {})
    changes: dict[str, ResourceChange] = {}
    for address in old.keys() & new.keys():
        change = _update_or_replace(address, old[address], new[address])
        if change:
            changes[address] = change
    removed = {a: old[a] for a in old.keys() - new.keys()}
    added = {a: new[a] for a in new.keys() - old.keys()}
    for source, target in moved.items():
        if source in removed and target in added:
            change = _update_or_replace(target, removed.pop(source), added.pop(target), moved_from=source)
            changes[target] = ResourceChange(
                target, change.action if change else "update", change.changes if change else (), moved_from=source
            )
    for source, target in _pair_renames(removed, added).items():
        changes[target] = ResourceChange(target, "create", argument_changes(removed[source], added[target]), source)
        changes[source] = ResourceChange(source, "delete", renamed_to=target, protected=_protected(removed[source]))
        del removed[source], added[target]
    for address, config in removed.items():
        changes[address] = ResourceChange(address, "delete", protected=_protected(config))
    for address in added:
        changes[address] = ResourceChange(address, "create")
    _cascade(changes, new)
    result.resources = sorted(changes.values(), key=_order)
    result.outputs = argument_changes((base or {}).get("output") or {}, (head or {}).get("output") or {})
    result.settings = argument_changes(_settings(base or {}), _settings(head or {}))
    return result


def _order(change: ResourceChange) -> tuple:
    """Data loss first, then replacements, deletes, updates and creates; by address within each."""
    rank = {"replace": 1, "delete": 2, "update": 3, "create": 4}[change.action]
    return (0 if change.data_loss else rank, change.address)


def _settings(stack: dict) -> dict:
    terraform = dict(stack.get("terraform") or {})
    backend = dict(terraform.get("backend") or {})
    local = backend.get("local")
    if isinstance(local, dict) and isinstance(local.get("path"), str):
        backend["local"] = {**local, "path": PurePosixPath(local["path"]).name}  # relative to where synth ran
    terraform["backend"] = backend
    return {"terraform": terraform, "provider": stack.get("provider") or {}}


def renamed_pairs(diff: StackDiff) -> list[tuple[str, str]]:
    """(old address, new address) of each construct id change Terraform would destroy and create again."""
    return [(c.moved_from, c.address) for c in diff.resources if c.moved_from and c.action == "create"]
