"""An OpenStack (Chameleon) stack's lines: its nodes and volumes, counted but not priced in dollars."""

from __future__ import annotations

from gpulab.cost.pricing import Pricer, resources


def price(stack: dict, pricer: Pricer) -> None:
    prefix = f"{pricer.env.prefix}-"
    for _, node in resources(stack, "openstack_compute_instance_v2"):
        name = str(node.get("name", "node"))
        flavor = str(node.get("flavor_name") or "bare metal (reserved by lease)")
        usage = pricer.usage.of(name)
        pricer.add("machines", f"{name.removeprefix(prefix)} ({flavor})", usage.quantity, None)
    for _, volume in resources(stack, "openstack_blockstorage_volume_v3"):
        pricer.add("disks", str(volume.get("name", "volume")).removeprefix(prefix), f"{volume.get('size', 0)} GB", None)
