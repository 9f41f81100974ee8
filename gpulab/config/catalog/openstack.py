"""Chameleon Cloud's OpenStack sites and what each offers: KVM flavors and bare-metal node types.

Chameleon (chameleoncloud.org) runs one OpenStack per site. KVM@TACC serves
virtual machines by flavor (m1.*); the CHI sites serve whole bare-metal
nodes, reserved ahead through a Blazar lease and booted with the `baremetal`
flavor and the lease's reservation id as a scheduler hint. Node types and
flavors follow Chameleon's hardware catalog and its KVM flavor list
(2025-06). Chameleon charges an allocation's service units, not dollars: the
prices here are 0 and `gpulab list` says so.
"""

from __future__ import annotations

from gpulab.config.catalog.types import CloudCatalog, MachineType

KVM_TACC, CHI_UC, CHI_TACC = "KVM@TACC", "CHI@UC", "CHI@TACC"
BARE_METAL_FLAVOR = "baremetal"

_KVM_FLAVORS = (
    MachineType("m1.tiny", None, 0, 1, 1, 0.0),
    MachineType("m1.small", None, 0, 1, 2, 0.0),
    MachineType("m1.medium", None, 0, 2, 4, 0.0),
    MachineType("m1.large", None, 0, 4, 8, 0.0),
    MachineType("m1.xlarge", None, 0, 8, 16, 0.0),
    MachineType("m1.xxlarge", None, 0, 16, 32, 0.0),
)
# Bare-metal node types: the `node_type` a lease reserves, and what one node carries.
_NODE_TYPES = (
    MachineType("gpu_rtx_6000", "rtx6000", 1, 48, 192, 0.0),
    MachineType("gpu_a100_pcie", "a100", 4, 64, 256, 0.0),
    MachineType("gpu_v100", "v100", 4, 56, 128, 0.0),
    MachineType("compute_cascadelake_r", None, 0, 96, 192, 0.0),
    MachineType("compute_icelake_r650", None, 0, 128, 256, 0.0),
)
BARE_METAL_NODE_TYPES = frozenset(m.name for m in _NODE_TYPES)

CHAMELEON = CloudCatalog(
    cloud="openstack",
    regions=frozenset({KVM_TACC, CHI_UC, CHI_TACC}),
    machine_types=_KVM_FLAVORS + _NODE_TYPES,
    prices_as_of="2025-06",
    prices_source="Chameleon charges its allocations in service units, not dollars",
    priced=False,
    offered_in={
        **{m.name: frozenset({KVM_TACC}) for m in _KVM_FLAVORS},
        "gpu_rtx_6000": frozenset({CHI_UC}),
        "gpu_a100_pcie": frozenset({CHI_UC}),
        "gpu_v100": frozenset({CHI_TACC}),
        "compute_cascadelake_r": frozenset({CHI_UC, CHI_TACC}),
        "compute_icelake_r650": frozenset({CHI_UC, CHI_TACC}),
    },
)
# The network every bare-metal node of a CHI site joins (Chameleon's shared, pre-made network).
SHARED_NETWORKS = {CHI_UC: "sharednet1", CHI_TACC: "sharednet1"}
EXTERNAL_NETWORK = "public"  # the name of each site's external network (floating IPs, routers)
