"""OpenStackVolume and OpenStackContainers: a block volume attached to a node, and private object-store
containers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cdktf import TerraformProvider, TerraformResourceLifecycle
from cdktf_cdktf_provider_openstack.blockstorage_volume_v3 import BlockstorageVolumeV3
from cdktf_cdktf_provider_openstack.compute_volume_attach_v2 import ComputeVolumeAttachV2
from cdktf_cdktf_provider_openstack.objectstorage_container_v1 import ObjectstorageContainerV1
from constructs import Construct

from gpulab.rules import limits, names
from gpulab.rules.values import require, require_each, within


class OpenStackVolume(Construct):
    """A Cinder volume, its own resource (it outlives the node it is attached to), attached to one node."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        size_gb: int,
        instance_id: str,
        protect: bool = False,
        metadata: Mapping[str, str] | None = None,
        provider: TerraformProvider | None = None,
    ) -> None:
        """
        size_gb: 1 to 16384 (a site's quota may be lower).
        instance_id: the node it is attached to (an OpenStackNode's `instance_id`).
        protect: Terraform refuses to destroy the volume (`prevent_destroy`); off by default.
        """
        require("size_gb", size_gb, within(limits.OPENSTACK_VOLUME_GB))
        super().__init__(scope, id)
        self.volume = BlockstorageVolumeV3(
            self,
            "volume",
            name=name,
            size=size_gb,
            metadata=dict(metadata) if metadata else None,
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect else None,
            provider=provider,
        )
        ComputeVolumeAttachV2(self, "attachment", instance_id=instance_id, volume_id=self.volume.id, provider=provider)
        self.volume_id: str = self.volume.id


class OpenStackContainers(Construct):
    """Swift containers readable and writable by the project's own credentials only: no read or write ACL
    (so no public listing or anonymous reads), versioned, never emptied by `terraform destroy`."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        containers: Sequence[str],
        metadata: Mapping[str, str] | None = None,
        protect: bool = False,
        provider: TerraformProvider | None = None,
    ) -> None:
        """
        containers: the container names, each once.
        protect: Terraform refuses to destroy them (`prevent_destroy`); off by default. Without it a
            destroy still fails on a container that holds objects (force_destroy stays off).
        """
        require_each("containers", containers, names.swift_container_problem)
        if len(set(containers)) != len(containers):
            raise ValueError(f"containers: a name is given twice in {list(containers)}")
        super().__init__(scope, id)
        self.container_names: dict[str, str] = {}
        for name in containers:
            container = ObjectstorageContainerV1(
                self,
                name,
                name=name,
                versioning=True,
                force_destroy=False,
                metadata=dict(metadata) if metadata else None,
                lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if protect else None,
                provider=provider,
            )
            self.container_names[name] = container.name
