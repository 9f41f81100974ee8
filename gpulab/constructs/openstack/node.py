"""OpenStackNode and OpenStackKeyPair: one server at one site (a KVM flavor, or a reserved bare-metal node), and
the key pair every node takes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf import ITerraformDependable, TerraformProvider
from cdktf_cdktf_provider_openstack.compute_instance_v2 import (
    ComputeInstanceV2,
    ComputeInstanceV2Network,
    ComputeInstanceV2SchedulerHints,
)
from cdktf_cdktf_provider_openstack.compute_keypair_v2 import ComputeKeypairV2
from cdktf_cdktf_provider_openstack.networking_floatingip_associate_v2 import NetworkingFloatingipAssociateV2
from cdktf_cdktf_provider_openstack.networking_floatingip_v2 import NetworkingFloatingipV2
from constructs import Construct

from gpulab.rules import names
from gpulab.rules.values import require

BARE_METAL_FLAVOR = "baremetal"
DEFAULT_FLOATING_IP_POOL = "public"


class OpenStackKeyPair(Construct):
    """A key pair from a public key (a key line, or a Terraform expression reading a .pub file at plan time)."""

    def __init__(
        self, scope: Construct, id: str, *, name: str, public_key: str, provider: TerraformProvider | None = None
    ) -> None:
        super().__init__(scope, id)
        self.key_pair = ComputeKeypairV2(self, "key-pair", name=name, public_key=public_key, provider=provider)
        self.name: str = self.key_pair.name


class OpenStackNode(Construct):
    """One server: on a private network, in a security group, with a key pair; no public address unless
    `floating_ip`.

    A bare-metal node (Chameleon's CHI sites) boots with the `baremetal` flavor on nodes held by a Blazar
    lease: `reservation` is the lease's reservation id, passed as the `reservation` scheduler hint Chameleon
    documents ("Using Terraform with Chameleon").
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        image: str,
        key_pair: str,
        network_name: str,
        security_groups: Sequence[str],
        flavor: str | None = None,
        reservation: str | None = None,
        floating_ip: bool = False,
        floating_ip_pool: str = DEFAULT_FLOATING_IP_POOL,
        user_data: str | None = None,
        metadata: Mapping[str, str] | None = None,
        provider: TerraformProvider | None = None,
        depends_on: Sequence[ITerraformDependable] = (),
    ) -> None:
        """
        flavor: a KVM flavor such as m1.large; leave it out with `reservation` (bare metal).
        reservation: the Blazar reservation id of the lease holding bare-metal nodes (`openstack
            reservation lease show <lease>`); none by default.
        network_name: the network it joins (an OpenStackNetwork's, or a site's shared one such as sharednet1).
        floating_ip: give it a public address from `floating_ip_pool`; off by default.
        metadata: Nova metadata, e.g. the common tags; none by default.
        depends_on: resources the server waits for (an OpenStackNetwork's `ready`); none by default.
        """
        require("name", name, names.openstack_name_problem)
        if (flavor is None) == (reservation is None):
            raise ValueError("give flavor (a KVM flavor) or reservation (bare metal), one of the two")
        super().__init__(scope, id)
        hints = (
            [ComputeInstanceV2SchedulerHints(additional_properties={"reservation": reservation})]
            if reservation
            else None
        )
        self.instance = ComputeInstanceV2(
            self,
            "instance",
            name=name,
            image_name=image,
            flavor_name=flavor or BARE_METAL_FLAVOR,
            key_pair=key_pair,
            network=[ComputeInstanceV2Network(name=network_name)],
            security_groups=list(security_groups),
            scheduler_hints=hints,
            user_data=user_data,
            metadata=dict(metadata) if metadata else None,
            provider=provider,
            depends_on=list(depends_on) or None,
        )
        self.instance_id: str = self.instance.id
        self.private_ip: str = self.instance.access_ip_v4
        self.public_ip: str | None = None
        if floating_ip:
            address = NetworkingFloatingipV2(self, "floating-ip", pool=floating_ip_pool, provider=provider)
            NetworkingFloatingipAssociateV2(
                self,
                "floating-ip-association",
                floating_ip=address.address,
                port_id=self.instance.network.get(0).port,
                provider=provider,
            )
            self.public_ip = address.address
