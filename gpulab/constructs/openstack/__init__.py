"""OpenStack constructs (Chameleon Cloud's sites): network, firewall, nodes, key pair, volumes and containers.

    from gpulab.constructs.openstack import OpenStackNetwork, OpenStackFirewall, OpenStackNode

Each takes the `provider` of its site; a stack spanning sites gives each site an aliased provider.
The provider bindings are cdktf-cdktf-provider-openstack 1.0.0, installed without its cdktf pin
(requirements-openstack.txt, docs/openstack.md).
"""

from gpulab.constructs.openstack.network import OpenStackFirewall, OpenStackNetwork
from gpulab.constructs.openstack.node import BARE_METAL_FLAVOR, OpenStackKeyPair, OpenStackNode
from gpulab.constructs.openstack.storage import OpenStackContainers, OpenStackVolume

__all__ = [
    "BARE_METAL_FLAVOR",
    "OpenStackContainers",
    "OpenStackFirewall",
    "OpenStackKeyPair",
    "OpenStackNetwork",
    "OpenStackNode",
    "OpenStackVolume",
]
