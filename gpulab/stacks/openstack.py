"""The OpenStack stack (Chameleon): per site a provider, key pair and firewall; a private network where KVM nodes
run; the nodes, bare metal through their lease's reservation; volumes, containers, and what Ansible needs next."""

from __future__ import annotations

from collections import defaultdict

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from gpulab import defaults
from gpulab.config.catalog.openstack import BARE_METAL_NODE_TYPES, SHARED_NETWORKS
from gpulab.config.checks.openstack import site_of, used_sites
from gpulab.config.machines import machine_type_for
from gpulab.config.model import Environment
from gpulab.config.tags import common_tags
from gpulab.constructs.openstack import (
    OpenStackContainers,
    OpenStackFirewall,
    OpenStackKeyPair,
    OpenStackNetwork,
    OpenStackNode,
    OpenStackVolume,
)
from gpulab.constructs.public_keys import public_key_from
from gpulab.providers.openstack import openstack_backend, openstack_provider, site_alias
from gpulab.stacks.inventory import kubespray_inventory


class OpenStackPlatformStack(TerraformStack):
    """Nodes across Chameleon sites, their networks, firewalls, volumes and containers."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, local_state_path: str) -> None:
        super().__init__(scope, id)
        openstack_backend(self, local_path=local_state_path)
        prefix, settings = env.prefix, env.openstack
        metadata = common_tags(env)
        public_key = public_key_from(settings.ssh_public_key)
        providers, firewalls, key_pairs, networks = {}, {}, {}, {}
        for site in used_sites(env):
            alias = site_alias(site)
            provider = providers[site] = openstack_provider(self, site=site, cloud=settings.sites[site])
            key_pairs[site] = OpenStackKeyPair(
                self, f"{alias}-key-pair", name=prefix, public_key=public_key, provider=provider
            ).name
            firewalls[site] = OpenStackFirewall(
                self, f"{alias}-firewall", name=prefix, admin_cidrs=settings.admin_cidrs, provider=provider
            )
        nodes: dict[str, OpenStackNode] = {}
        sites_of: dict[str, str] = {}
        gpu_nodes: list[str] = []
        for machine in (m for m in env.machines if m.count):  # a group of none builds nothing at its site
            site = site_of(env, machine.site)
            node_type = machine_type_for(machine, "openstack")
            bare_metal = node_type in BARE_METAL_NODE_TYPES
            if bare_metal:
                network_name = SHARED_NETWORKS[site]
            else:
                if site not in networks:
                    networks[site] = OpenStackNetwork(
                        self,
                        f"{site_alias(site)}-network",
                        name=prefix,
                        cidr=env.network.cidr,
                        provider=providers[site],
                    )
                network_name = networks[site].network_name
            for copy in range(machine.count):
                label = f"{machine.name}-{copy}"
                nodes[label] = OpenStackNode(
                    self,
                    label,
                    name=f"{prefix}-{label}",
                    image=defaults.OPENSTACK_GPU_IMAGE if machine.gpu else defaults.OPENSTACK_IMAGE,
                    key_pair=key_pairs[site],
                    network_name=network_name,
                    security_groups=[firewalls[site].group_name],
                    flavor=None if bare_metal else node_type,
                    reservation=machine.reservation if bare_metal else None,
                    floating_ip=machine.public_ip,
                    user_data=f"#!/bin/bash\nset -euo pipefail\n{machine.setup_script}"
                    if machine.setup_script
                    else None,
                    metadata=metadata,
                    provider=providers[site],
                    depends_on=networks[site].ready if site in networks and not bare_metal else (),
                )
                sites_of[label] = site
                if machine.gpu:
                    gpu_nodes.append(label)
        self._admit_other_sites(nodes, sites_of, firewalls)
        for volume in settings.volumes:
            site = site_of(env, volume.site)
            OpenStackVolume(
                self,
                f"volume-{volume.name}",
                name=f"{prefix}-{volume.name}",
                size_gb=volume.size_gb,
                instance_id=nodes[volume.attach_to].instance_id,
                protect=env.protect_data,
                metadata=metadata,
                provider=providers[site],
            )
        by_site: dict[str, list[str]] = defaultdict(list)
        for bucket in env.buckets:
            by_site[site_of(env, bucket.site)].append(env.bucket_name(bucket))
        for site, names in by_site.items():
            OpenStackContainers(
                self,
                f"{site_alias(site)}-containers",
                containers=names,
                metadata=metadata,
                protect=env.protect_data,
                provider=providers[site],
            )
        for label, node in nodes.items():
            TerraformOutput(self, f"{label}-private-ip", value=node.private_ip, description=f"Private IP of {label}")
            if node.public_ip is not None:
                TerraformOutput(self, f"{label}-public-ip", value=node.public_ip, description=f"Floating IP of {label}")
        if nodes:
            TerraformOutput(
                self,
                "ansible-inventory",
                value=kubespray_inventory(
                    {label: (node.public_ip or node.private_ip, node.private_ip) for label, node in nodes.items()},
                    gpu_nodes=gpu_nodes,
                ),
                description="kubespray's hosts.yaml: terraform output -raw ansible-inventory > inventory/hosts.yaml",
            )

    def _admit_other_sites(self, nodes, sites_of, firewalls) -> None:
        """Let nodes reach each other across sites (the seed's SSH tunnel from the GPU node to the KVM nodes):
        each site's firewall admits SSH from the floating IPs of the other sites' nodes."""
        for label, node in nodes.items():
            if node.public_ip is None:
                continue
            for site, firewall in firewalls.items():
                if site != sites_of[label]:
                    firewall.allow_ssh_from(label, f"{node.public_ip}/32")
